// `layerwise show <runId>`: one run: its config, model, data, final metrics and checkpoints.
import { describeLayer, recovered } from '../../../shared/index.js';
import { StoreError } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { formatCount, renderTable } from '../table.js';
import { formatMetrics, formatNumber, formatTime, parseId, plural, statusText, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

const usage = `layerwise show <runId> [--json] ${STORE_USAGE}`;

export const showCommand: Command = {
  name: 'show',
  summary: 'Show one run: config, final metrics, checkpoints',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, json: { type: 'boolean' } }, usage);
    if (positionals.length > 1) throw new UsageError(`give one run id\nusage: ${usage}`);
    const runId = parseId(positionals[0], 'run', usage);
    return withStore(
      'show',
      values,
      io,
      (store) => {
        if (!store) throw new StoreError('RunNotFound', `run ${runId} does not exist (no store in this data folder yet)`, { id: runId });
        const run = store.getRun(runId);
        const version = store.getModelVersion(run.modelVersionId);
        const dataset = store.getDataset(run.datasetId);
        const checkpoints = store.listCheckpoints(runId);
        const metricNames = store.metricNames(runId);
        const metricPoints = store.metricCount(runId);
        if (values.json) {
          io.out(
            JSON.stringify(
              {
                ...run,
                model: { id: version.id, name: version.name, hash: version.hash, parentId: version.parentId, spec: version.spec },
                dataset: { id: dataset.id, name: dataset.name, source: dataset.source, split: dataset.split, fingerprint: dataset.fingerprint },
                metrics: { names: metricNames, points: metricPoints },
                checkpoints: checkpoints.map((c) => ({ id: c.id, epoch: c.epoch, kind: c.kind, size: c.size, weights: c.weights, optimizer: c.optimizer, createdAt: c.createdAt })),
              },
              null,
              2,
            ),
          );
          return 0;
        }
        const resume = store.checkResume(runId);
        const next =
          run.status === 'interrupted' || run.status === 'stopped'
            ? resume.ok
              ? [`  next      \`layerwise resume ${runId}\` continues it from ${resume.checkpoint ? `its checkpoint of epoch ${resume.checkpoint.epoch + 1}` : 'the start (it has no checkpoint)'}`]
              : [`  next      ${resume.reason}${resume.forkFrom ? `; \`layerwise fork ${runId} --checkpoint ${resume.forkFrom.id}\` starts a new run from its epoch ${resume.forkFrom.epoch + 1}` : ''}`]
            : run.status === 'failed' && !resume.ok && resume.forkFrom
              ? [`  next      \`layerwise fork ${runId} --checkpoint ${resume.forkFrom.id}\` starts a new run from its checkpoint of epoch ${resume.forkFrom.epoch + 1}`]
              : [];
        const lines = [
          `run ${run.id}${run.name ? ` "${run.name}"` : ''}: ${statusText(run)}${run.error ? ` (${run.error})` : ''}`,
          ...(run.warnings ?? []).map((w) => `  warning   ${w.message}${w.peakEpoch !== w.epoch ? `; peak ${formatNumber(w.peak)} at epoch ${w.peakEpoch + 1}` : ''}${recovered(w, run.finalMetrics?.loss) ? '; it came back down' : ''}. ${w.hint}`),
          ...next,
          `  project   ${run.projectId}`,
          `  model     ${version.name} (version ${version.id}, ${version.hash.slice(0, 12)})${run.presetId ? `, preset ${run.presetId}` : ''}`,
          `            ${version.spec.layers.map(describeLayer).join(' → ')}`,
          `  data      ${dataset.name}`,
          `  backend   ${run.backend}${run.device ? ` on ${run.device}` : ''}, seed ${run.seed}`,
          `  created   ${formatTime(run.createdAt)} UTC${run.startedAt ? `, started ${formatTime(run.startedAt)}` : ''}${run.finishedAt ? `, finished ${formatTime(run.finishedAt)}` : ''}`,
          `  training  ${run.config.epochs} epochs, batch ${run.config.batchSize}`,
          ...Object.entries(run.config.tricks).map(
            ([trick, params]) => `    ${trick}${Object.keys(params ?? {}).length ? ` ${Object.entries(params ?? {}).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`).join(' ')}` : ''}`,
          ),
          `  final     ${formatMetrics(run.finalMetrics) || '—'}`,
          `  metrics   ${plural(metricPoints, 'point')}${metricNames.length ? ` (${metricNames.join(', ')})` : ''}`,
          '',
          '',
        ];
        io.out(lines.join('\n'));
        if (checkpoints.length === 0) {
          io.out('No checkpoints.');
        } else {
          io.out(
            renderTable(
              ['checkpoint', 'epoch', 'kind', 'size', 'created (UTC)'],
              checkpoints.map((c) => [String(c.id), String(c.epoch), c.kind, `${formatCount(c.size)} B`, formatTime(c.createdAt)]),
              new Set([0, 1, 3]),
            ),
          );
        }
        return 0;
      },
      { existing: true, readOnly: true },
    );
  },
};
