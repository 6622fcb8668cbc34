// One import path for the user's files, shared by the CLI (`layerwise dataset add`) and the API
// (`datasets.import`): read and check the file or folder, and say in one line what was found.
import type { FileDatasetKind } from '../../shared/data/dataset-ref.js';
import type { KnownDatasetId } from '../../shared/data/known-datasets.js';
import type { SeriesImportOptions, TextImportOptions } from '../../shared/data/sequence-import.js';
import type { Dataset } from '../engine/data/dataset.js';
import { importCifar, type CifarRequest } from './cifar.js';
import { importCsv } from './csv.js';
import { importIdx, type IdxRequest } from './idx.js';
import { importImageFolder } from './images.js';
import { importSeriesCsv } from './series-csv.js';
import { importTextCsv } from './text-csv.js';

export type DatasetFileRequest =
  | {
      kind: 'csv';
      path: string;
      name?: string;
      target?: string | number;
      header?: 'yes' | 'no' | 'auto';
      impute?: boolean;
      task?: 'classification' | 'regression';
    }
  | { kind: 'images'; path: string; name?: string; size?: [number, number]; rgb?: boolean }
  | ({ kind: 'idx' } & Omit<IdxRequest, 'onProgress' | 'seed'>)
  | ({ kind: 'cifar' } & Omit<CifarRequest, 'onProgress' | 'seed'>)
  | ({ kind: 'text'; path: string; name?: string } & TextImportOptions)
  | ({ kind: 'series'; path: string; name?: string } & SeriesImportOptions);

/** Where an imported dataset's prepared data came from (its ref's kind): sequences are read from CSV files. */
export const fileKindOf = (request: { kind: DatasetFileRequest['kind'] }): FileDatasetKind =>
  request.kind === 'text' || request.kind === 'series' ? 'csv' : request.kind;

const headerOption = (header: 'yes' | 'no' | 'auto' | undefined): boolean | 'auto' => (header === 'yes' ? true : header === 'no' ? false : 'auto');

export interface DatasetFileImport {
  dataset: Dataset;
  task: 'classification' | 'regression';
  /** e.g. `header row found; target "label" (classification); 4 columns → 6 features`. */
  note: string;
  /** Only 0–255 integer pixels (IDX, CIFAR): the prepared file keeps one byte per value. */
  pixels?: boolean;
  /** The public dataset it is, recognised by content. */
  known?: KnownDatasetId;
}

/** Throws DatasetImportError naming the file, row, column or image when the data is refused. */
export async function importDatasetFile(
  request: DatasetFileRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<DatasetFileImport> {
  if (request.kind === 'text' || request.kind === 'series') {
    const { kind, path, header, ...options } = request;
    const common = { header: headerOption(header) };
    const r = kind === 'text' ? await importTextCsv(path, { ...(options as TextImportOptions), ...common }) : await importSeriesCsv(path, { ...(options as SeriesImportOptions), ...common });
    return { dataset: r.dataset, task: 'classification', note: r.note };
  }
  if (request.kind === 'csv') {
    const r = await importCsv(request.path, {
      ...(request.target !== undefined ? { target: request.target } : {}),
      ...(request.name !== undefined ? { name: request.name } : {}),
      impute: request.impute === true,
      header: request.header === 'yes' ? true : request.header === 'no' ? false : 'auto',
      ...(request.task ? { task: request.task } : {}),
    });
    return {
      dataset: r.dataset,
      task: r.task,
      note: `${r.hasHeader ? 'header row found' : 'no header row'}; target "${r.target}" (${r.task}); ${r.columns.length - 1} columns → ${r.dataset.inputShape[0]} features${r.imputed ? `; ${r.imputed} missing values imputed` : ''}`,
    };
  }
  if (request.kind === 'idx') {
    const { kind: _, ...rest } = request;
    const r = await importIdx({ ...rest, ...(onProgress ? { onProgress } : {}) });
    return { dataset: r.dataset, task: 'classification', note: r.note, pixels: true, ...(r.known ? { known: r.known } : {}) };
  }
  if (request.kind === 'cifar') {
    const { kind: _, ...rest } = request;
    const r = await importCifar({ ...rest, ...(onProgress ? { onProgress } : {}) });
    return { dataset: r.dataset, task: 'classification', note: r.note, pixels: true };
  }
  const r = await importImageFolder(request.path, {
    ...(request.size ? { size: request.size } : {}),
    channels: request.rgb ? 3 : 1,
    ...(request.name !== undefined ? { name: request.name } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const shown = r.skipped.slice(0, 3).map((f) => JSON.stringify(f)).join(', ') + (r.skipped.length > 3 ? ', …' : '');
  return {
    dataset: r.dataset,
    task: 'classification',
    note: `${r.files} images${r.skipped.length ? `; skipped ${r.skipped.length} ${r.skipped.length === 1 ? 'entry that is' : 'entries that are'} not a PNG/JPEG image or a class folder (${shown})` : ''}`,
  };
}
