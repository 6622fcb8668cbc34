// `checkpoints.export`: a checkpoint's model as a zip of TF.js (model.json + weights.bin) or ONNX files,
// made by core/export (the same export and verification as `layerwise export`): the files are written to a
// temporary folder, reloaded and compared with the trained model on real inputs, and only then zipped.
// tfjs and onnxruntime are loaded on first use, so a host that never exports never loads them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { ApiError, MAX_BUNDLE_BYTES, type ModelExport } from '../../shared/api/contract.js';
import type { CheckpointManifest } from '../../shared/index.js';
import { StoreError, type Checkpoint, type Store } from '../store/index.js';
import { fieldError } from './groups.js';

export async function exportCheckpoint(store: Store, checkpointId: number, format: 'tfjs' | 'onnx'): Promise<ModelExport> {
  const method = 'checkpoints.export';
  let checkpoint: Checkpoint;
  try {
    checkpoint = store.getCheckpoint(checkpointId);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'CheckpointNotFound') {
      throw fieldError(method, 'checkpointId', `is not a checkpoint (checkpoint ${checkpointId} does not exist)`, 'not_found');
    }
    throw error;
  }
  const data = store.loadCheckpoint(checkpointId);
  const run = store.getRun(checkpoint.runId);
  const version = store.getModelVersion(run.modelVersionId);
  const source = store.getDataset(run.datasetId).source;

  const [{ exportModel, ExportError }, { UnsupportedLayerError }, { initBackend }, { loadDataset }, { DatasetFileError }] = await Promise.all([
    import('../export/export.js'),
    import('../export/onnx.js'),
    import('../engine/backends/index.js'),
    import('../engine/data/dataset.js'),
    import('../engine/data/prepared.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-model-'));
  try {
    await initBackend('cpu');
    const out = join(dir, format === 'tfjs' ? 'model' : 'model.onnx');
    let result;
    try {
      result = await exportModel(
        { spec: version.spec, config: run.config, manifest: data.checkpoint.manifest as unknown as CheckpointManifest, weights: data.weights, dataset: loadDataset(source) },
        { format, out },
      );
    } catch (error) {
      if (error instanceof ExportError && (error.code === 'unsupported' || error.code === 'bad_checkpoint')) throw fieldError(method, 'format', `${format}: ${error.message}`);
      if (error instanceof UnsupportedLayerError) throw fieldError(method, 'format', `${format}: ${error.message}`);
      if (error instanceof DatasetFileError) throw new ApiError('conflict', `${method}: ${error.message}`, { checkpointId });
      if (error instanceof ExportError) throw new ApiError('internal', `${method}: ${error.message}`, { checkpointId, exportCode: error.code });
      throw error;
    }
    const names = format === 'tfjs' ? ['model.json', 'weights.bin'] : ['model.onnx'];
    const zippable: Zippable = {};
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(format === 'tfjs' ? join(out, name) : out));
      zippable[name] = [bytes, { level: name.endsWith('.json') ? 6 : 0 }];
    }
    const zip = zipSync(zippable, { mtime: new Date(checkpoint.createdAt) });
    if (zip.byteLength > MAX_BUNDLE_BYTES) {
      throw new ApiError('payload_too_large', `${method}: the model zips to ${zip.byteLength} bytes; the API carries at most ${MAX_BUNDLE_BYTES} (use \`layerwise export\`)`, {
        size: zip.byteLength,
        limit: MAX_BUNDLE_BYTES,
      });
    }
    return {
      format,
      fileName: `${slug(version.spec.name)}-run${run.id}-epoch${checkpoint.epoch + 1}-${format}.zip`,
      data: Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength).toString('base64'),
      size: zip.byteLength,
      files: names,
      maxAbsDiff: result.maxAbsDiff,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `MNIST CNN` → `mnist-cnn`. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'model'
  );
}
