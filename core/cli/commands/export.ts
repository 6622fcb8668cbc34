// `layerwise export <runId> --format tfjs|onnx --out PATH [--checkpoint best|last]`: writes a run's trained
// model as a TF.js layers folder or one ONNX file, reloads it, and prints the verification line. A failed
// verification exits 1 and leaves nothing at PATH.
//
// tfjs, onnxruntime and the exporters are loaded when an export runs: every other command (`serve` above all) starts
// without them (they cost about a second to load).
import { resolve } from 'node:path';
import type { ExportFormat } from '../../export/export.js';
import { StoreError } from '../../store/index.js';
import { parseCommandArgs, parseIntFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

/** The formats the exporter writes (export.ts EXPORT_FORMATS), listed here so checking --format loads nothing. */
const EXPORT_FORMATS = ['tfjs', 'onnx'] as const satisfies readonly ExportFormat[];
// Every format the exporter knows is listed (a compile error otherwise).
const everyFormat: [Exclude<ExportFormat, (typeof EXPORT_FORMATS)[number]>] extends [never] ? true : never = true;
void everyFormat;

const usage = `layerwise export <runId> --format tfjs|onnx --out PATH [--checkpoint best|last] [--samples N] [--json] ${STORE_USAGE}`;

export const exportCommand: Command = {
  name: 'export',
  summary: "Export a run's model to TF.js or ONNX, verified against the trained one",
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { ...STORE_OPTIONS, format: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' }, samples: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length > 1) throw new UsageError(`give one run id\nusage: ${usage}`);
    const runId = parseId(positionals[0], 'run', usage);
    if (!EXPORT_FORMATS.includes(values.format as ExportFormat)) {
      throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(values.format ?? null)})\nusage: ${usage}`);
    }
    if (!values.out) throw new UsageError(`give --out PATH\nusage: ${usage}`);
    const checkpoint = values.checkpoint ?? 'best';
    if (checkpoint !== 'best' && checkpoint !== 'last') throw new UsageError(`--checkpoint must be best or last (got ${JSON.stringify(checkpoint)})`);
    const probeSize = parseIntFlag('samples', values.samples, 1, 4096);
    const format = values.format as ExportFormat;
    const out = resolve(values.out);
    return withStore('export', values, io, async (store) => {
      if (!store) throw new StoreError('RunNotFound', `run ${runId} does not exist (no store in this data folder yet)`, { id: runId });
      const [{ initBackend }, { ExportError, exportRun, verificationLine }, { UnsupportedLayerError }, { DatasetFileError }] = await Promise.all([
        import('../../engine/backends/index.js'),
        import('../../export/export.js'),
        import('../../export/onnx.js'),
        import('../../engine/data/prepared.js'),
      ]);
      await initBackend('cpu');
      try {
        const result = await exportRun(store, runId, { format, out, checkpoint, ...(probeSize ? { probeSize } : {}) });
        if (values.json) io.out(JSON.stringify(result, null, 2));
        else {
          io.out(`exported run ${runId} (${result.members === 1 ? 'one model' : `ensemble of ${result.members}`}) as ${format} to ${result.path}`);
          io.out(verificationLine(result));
        }
        return 0;
      } catch (error) {
        if (error instanceof ExportError || error instanceof UnsupportedLayerError || error instanceof DatasetFileError) {
          io.err(`layerwise export: ${error.message}`);
          return 1;
        }
        throw error;
      }
    });
  },
};
