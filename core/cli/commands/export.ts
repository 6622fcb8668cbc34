// `layerwise export <runId> --format tfjs|onnx --out PATH [--checkpoint best|last]`: writes a run's trained
// model as a TF.js layers folder or one ONNX file, reloads it, and prints the verification line. A failed
// verification exits 1 and leaves nothing at PATH.
import { resolve } from 'node:path';
import { initBackend } from '../../engine/backends/index.js';
import { EXPORT_FORMATS, ExportError, exportRun, verificationLine, type ExportFormat } from '../../export/export.js';
import { UnsupportedLayerError } from '../../export/onnx.js';
import { DatasetFileError } from '../../engine/data/prepared.js';
import { StoreError } from '../../store/index.js';
import { parseCommandArgs, parseIntFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

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
