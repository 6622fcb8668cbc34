// `layerwise bundle export|import`: a project as one .layerwise file, and back.
import { existsSync } from 'node:fs';
import { exportBundle, importCheckedBundle, readBundleFile, StoreError, type BundleCounts, type CheckedBundle } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { parseId, plural, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

const usage = [
  `layerwise bundle export <projectId> --out FILE.layerwise [--json] ${STORE_USAGE}`,
  `       layerwise bundle import FILE.layerwise [--json] ${STORE_USAGE}`,
].join('\n');

export const bundleCommand: Command = {
  name: 'bundle',
  summary: 'Export a project to one .layerwise file, or import one',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, json: { type: 'boolean' }, out: { type: 'string' } }, usage);
    const [action, target, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}\nusage: ${usage}`);
    if (action === 'export') {
      const projectId = parseId(target, 'project', usage);
      if (!values.out) throw new UsageError(`bundle export needs --out FILE\nusage: ${usage}`);
      const out = values.out;
      return withStore(
        'bundle export',
        values,
        io,
        (store) => {
          if (!store) throw new StoreError('ProjectNotFound', `project ${projectId} does not exist (no store in this data folder yet)`, { id: projectId });
          const result = exportBundle(store, projectId, out);
          if (values.json) io.out(JSON.stringify({ ok: true, ...result }, null, 2));
          else {
            io.out(`exported project ${projectId} "${result.projectName}" to ${result.file} (${plural(result.bytes, 'byte')}): ${contents(result)}`);
          }
          return 0;
        },
        { existing: true },
      );
    }
    if (action === 'import') {
      if (target === undefined) throw new UsageError(`bundle import needs a file\nusage: ${usage}`);
      if (values.out !== undefined) throw new UsageError(`--out is for bundle export\nusage: ${usage}`);
      if (!existsSync(target)) throw new UsageError(`cannot read ${target}: no such file`);
      // Check the whole bundle before touching (or creating) the store.
      let bundle: CheckedBundle;
      try {
        bundle = await readBundleFile(target);
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        io.err(`layerwise bundle import: ${error.code}: ${error.message}`);
        return 1;
      }
      return withStore('bundle import', values, io, (store) => {
        const result = importCheckedBundle(store!, bundle);
        if (values.json) io.out(JSON.stringify({ ok: true, ...result }, null, 2));
        else {
          io.out(`imported "${result.projectName}" as project ${result.projectId}: ${contents(result)}`);
        }
        return 0;
      });
    }
    throw new UsageError(`give export or import${action === undefined ? '' : ` (got ${JSON.stringify(action)})`}\nusage: ${usage}`);
  },
};

function contents(counts: BundleCounts): string {
  return [
    plural(counts.runs, 'run'),
    plural(counts.metricPoints, 'metric point'),
    plural(counts.checkpoints, 'checkpoint'),
    plural(counts.modelVersions, 'model version'),
    plural(counts.datasets, 'dataset'),
    plural(counts.comparisons, 'comparison'),
  ].join(', ');
}
