// Registering an imported dataset: its prepared file is written into `<data folder>/datasets/` under its
// sha256 (temporary name, then rename), then the store gets a row whose source points at it. A failure
// at any step leaves neither a row nor a new file behind. Also the preview the dataset picker shows.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileDatasetKind, FileDatasetRef, KnownDatasetId } from '../../shared/index.js';
import { labelOf, type Dataset } from '../engine/data/dataset.js';
import { encodePrepared, sha256Hex } from '../engine/data/prepared.js';
import type { Store } from '../store/index.js';

export interface RegisteredDataset {
  id: number;
  created: boolean;
  source: FileDatasetRef;
}

export function registerDataset(
  store: Store,
  projectId: number,
  kind: FileDatasetKind,
  dataset: Dataset,
  options: { task: 'classification' | 'regression'; name?: string; pixels?: boolean; known?: KnownDatasetId },
): RegisteredDataset {
  const bytes = encodePrepared(dataset, { pixels: options.pixels === true });
  const fingerprint = sha256Hex(bytes);
  const dir = join(store.report.dataDir, 'datasets');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${fingerprint}.lwds`);
  const fresh = !existsSync(file);
  if (fresh) {
    const temp = `${file}.tmp-${process.pid}`;
    try {
      writeFileSync(temp, bytes);
      renameSync(temp, file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
  const source: FileDatasetRef = {
    kind,
    name: options.name ?? dataset.name,
    fingerprint,
    file,
    inputShape: [...dataset.inputShape],
    ...(dataset.vocabulary !== undefined ? { vocabulary: dataset.vocabulary } : {}),
    classes: dataset.numClasses,
    task: options.task,
    counts: { train: dataset.train.count, validation: dataset.validation.count, test: dataset.test.count },
    ...(options.known ? { known: options.known } : {}),
  };
  try {
    const saved = store.saveDataset(projectId, {
      source,
      split: { ...source.counts, seed: 'fixed' },
      fingerprint,
      name: source.name,
    });
    return { id: saved.id, created: saved.created, source: saved.source as FileDatasetRef };
  } catch (error) {
    if (fresh) rmSync(file, { force: true });
    throw error;
  }
}

export interface DatasetPreviewData {
  name: string;
  inputShape: number[];
  classNames: string[];
  counts: { train: number; validation: number; test: number };
  /** Per class, over all three splits (classification); empty for regression. */
  histogram: number[];
  /** How the splits were made, when the files decided part of it (a shipped test set). */
  splitNote?: string;
  /** Token datasets: ids 0 … vocabulary − 1. */
  vocabulary?: number;
  /** `text`: token datasets' ids read back (padding left out, `<oov>` for out-of-vocabulary). */
  samples: Array<{ features: number[]; label: number; target: number[]; text?: string }>;
}

/** The first samples of the training split and the class histogram. */
export function previewDataset(dataset: Dataset, count = 8, regression = false): DatasetPreviewData {
  const features = dataset.inputShape.reduce((a, b) => a * b, 1);
  const k = dataset.numClasses;
  const histogram = regression ? [] : new Array<number>(k).fill(0);
  if (!regression) for (const split of [dataset.train, dataset.validation, dataset.test]) for (let i = 0; i < split.count; i++) histogram[labelOf(split.y, i, k)]! += 1;
  const n = Math.min(count, dataset.train.count);
  return {
    name: dataset.name,
    inputShape: [...dataset.inputShape],
    classNames: [...dataset.classNames],
    counts: { train: dataset.train.count, validation: dataset.validation.count, test: dataset.test.count },
    histogram,
    ...(dataset.splitNote ? { splitNote: dataset.splitNote } : {}),
    ...(dataset.vocabulary !== undefined ? { vocabulary: dataset.vocabulary } : {}),
    samples: Array.from({ length: n }, (_, i) => {
      const row = dataset.train.x.subarray(i * features, (i + 1) * features);
      const text = tokensText(dataset, row);
      return {
        features: Array.from(row),
        label: labelOf(dataset.train.y, i, k),
        target: Array.from(dataset.train.y.subarray(i * k, (i + 1) * k)),
        ...(text !== null ? { text } : {}),
      };
    }),
  };
}

/**
 * A token dataset's sample as text: each id's token, padding left out; characters joined as they are, words with
 * spaces. Null for other datasets.
 */
export function tokensText(dataset: Pick<Dataset, 'tokens' | 'vocabulary'>, ids: ArrayLike<number>): string | null {
  const tokens = dataset.tokens;
  if (dataset.vocabulary === undefined || !tokens) return null;
  const words = Array.from(ids, (id) => (id === 0 ? null : (tokens[id] ?? `#${id}`))).filter((t): t is string => t !== null);
  // Character tokens are single code points (a space among them): joined as they are.
  const chars = tokens.slice(2).every((t) => Array.from(t).length === 1);
  return words.join(chars ? '' : ' ');
}
