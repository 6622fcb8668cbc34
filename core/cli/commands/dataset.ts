// `layerwise dataset add csv|images|text|series <path>` imports the user's own data (refused, naming the file, row and
// column, when it is bad; nothing is registered then) and `layerwise dataset list` shows what is registered.
import { basename, resolve } from 'node:path';
import { datasetRefName, datasetRefShape } from '../../../shared/index.js';
import type { Dataset as DatasetRow } from '../../../shared/api/entities.js';
import { DatasetImportError } from '../../datasets/errors.js';
import { importDatasetFile, type DatasetFileImport } from '../../datasets/import.js';
import { previewDataset, registerDataset } from '../../datasets/register.js';
import { IMAGE_LIMITS, imageSizeProblem } from '../../../shared/limits/inputs.js';
import { escapeUnsafeLine } from '../../../shared/text/safe-text.js';
import { parseCommandArgs, parseNameFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { renderTable } from '../table.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { CLI_PROJECT } from './train.js';
import { fileKindOf } from '../../datasets/import.js';
import { SEQUENCE_OPTIONS, SEQUENCE_USAGE, sequenceRequest } from './dataset-sequences.js';

const usage = [
  `layerwise dataset add csv <file.csv> [--target COL] [--name N] [--impute] [--header yes|no|auto] [--task classification|regression] [--project NAME] [--json] ${STORE_USAGE}`,
  `layerwise dataset add images <folder> [--size HxW] [--rgb] [--name N] [--project NAME] [--json] ${STORE_USAGE}`,
  ...SEQUENCE_USAGE.map((u) => `${u} [--project NAME] [--json] ${STORE_USAGE}`),
  `layerwise dataset list [--json] [--project ID] ${STORE_USAGE}`,
].join('\n       ');

const OPTIONS = {
  ...STORE_OPTIONS,
  target: { type: 'string' },
  name: { type: 'string' },
  impute: { type: 'boolean' },
  header: { type: 'string' },
  task: { type: 'string' },
  size: { type: 'string' },
  rgb: { type: 'boolean' },
  project: { type: 'string' },
  json: { type: 'boolean' },
  ...SEQUENCE_OPTIONS,
} as const;

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'Import a CSV file, an image folder, or CSV columns as sequences (a text column, a numeric series) as a dataset; list datasets',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, usage);
    const [action, kind, path, ...extra] = positionals;
    if (action === 'list') {
      if (kind !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(kind)}\nusage: ${usage}`);
      const projectId = values.project === undefined ? undefined : parseId(values.project, 'project', usage);
      return withStore(
        'dataset',
        values,
        io,
        (store) => {
          const rows: DatasetRow[] = store ? (projectId ? [projectId] : store.listProjects().map((p) => p.id)).flatMap((id) => store.listDatasets(id)) : [];
          if (values.json) {
            io.out(JSON.stringify(rows, null, 2));
            return 0;
          }
          if (rows.length === 0) {
            io.out('No datasets registered yet. `layerwise dataset add csv FILE` or `layerwise dataset add images FOLDER` adds one.');
            return 0;
          }
          io.out(
            renderTable(
              ['id', 'project', 'name', 'kind', 'input', 'classes', 'split', 'fingerprint'],
              rows.map((d) => [
                String(d.id),
                String(d.projectId),
                d.name || datasetRefName(d.source),
                d.source.kind,
                shapeOf(d),
                'classes' in d.source ? String(d.source.classes) : '',
                ['train', 'validation', 'test'].map((k) => String(d.split[k] ?? '?')).join('/'),
                d.fingerprint.slice(0, 12),
              ]),
              new Set([0, 1]),
            ),
          );
          return 0;
        },
        { existing: true },
      );
    }
    if (action !== 'add') throw new UsageError(`give add or list\nusage: ${usage}`);
    if (kind !== 'csv' && kind !== 'images' && kind !== 'text' && kind !== 'series') {
      throw new UsageError(`dataset add takes csv, images, text or series (got ${JSON.stringify(kind ?? null)})\nusage: ${usage}`);
    }
    if (!path) throw new UsageError(`give the ${kind === 'images' ? 'image folder' : 'CSV file'}\nusage: ${usage}`);
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}\nusage: ${usage}`);
    if (values.header !== undefined && !['yes', 'no', 'auto'].includes(values.header)) throw new UsageError(`--header must be yes, no or auto (got ${JSON.stringify(values.header)})`);
    if (values.task !== undefined && values.task !== 'classification' && values.task !== 'regression') throw new UsageError(`--task must be classification or regression (got ${JSON.stringify(values.task)})`);
    let size: [number, number] | undefined;
    if (values.size !== undefined) {
      // The same limits as the API's datasets.import `size` (shared/limits/inputs.ts).
      const m = /^(\d+)(?:x(\d+))?$/i.exec(values.size);
      const hw: [number, number] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
      if (imageSizeProblem(hw)) throw new UsageError(`--size must be HxW or N, each an integer in [${IMAGE_LIMITS.minSide}, ${IMAGE_LIMITS.maxSide}] (got ${JSON.stringify(values.size)})`);
      size = hw;
    }
    parseNameFlag('name', values.name);
    parseNameFlag('project', values.project);
    const full = resolve(path);
    let imported: DatasetFileImport;
    // Sequence flags are checked (usage errors, exit 2) before anything is read.
    const sequence = kind === 'text' || kind === 'series' ? sequenceRequest(kind, full, values) : null;
    try {
      const header = values.header as 'yes' | 'no' | 'auto' | undefined;
      imported = await importDatasetFile(
        sequence ??
          (kind === 'csv'
            ? {
                kind: 'csv',
                path: full,
                ...(values.target !== undefined ? { target: values.target } : {}),
                ...(values.name !== undefined ? { name: values.name } : {}),
                ...(header ? { header } : {}),
                impute: values.impute === true,
                ...(values.task ? { task: values.task as 'classification' | 'regression' } : {}),
              }
            : { kind: 'images', path: full, ...(size ? { size } : {}), rgb: values.rgb === true, ...(values.name !== undefined ? { name: values.name } : {}) }),
        io.isTTY ? (done: number, total: number) => void (done % 100 === 0 && io.err(`decoded ${done} of ${total} images`)) : undefined,
      );
    } catch (error) {
      if (error instanceof DatasetImportError) {
        io.err(`layerwise dataset: ${error.message}; nothing was registered`);
        return 1;
      }
      throw error;
    }
    return withStore('dataset', values, io, (store) => {
      const project = store!.ensureProject(values.project ?? CLI_PROJECT);
      const saved = registerDataset(store!, project.id, fileKindOf({ kind }), imported.dataset, { task: imported.task, ...(values.name ? { name: values.name } : {}) });
      const preview = previewDataset(imported.dataset, 3, imported.task === 'regression');
      if (values.json) {
        io.out(JSON.stringify({ id: saved.id, created: saved.created, projectId: project.id, source: saved.source, preview }, null, 2));
        return 0;
      }
      io.out(`${saved.created ? 'registered' : 'already registered'} dataset ${saved.id} "${saved.source.name}" from ${basename(full)}: ${imported.note}`);
      io.out(`input [${saved.source.inputShape.join(', ')}], split ${preview.counts.train}/${preview.counts.validation}/${preview.counts.test}, fingerprint ${saved.source.fingerprint.slice(0, 12)}`);
      if (preview.histogram.length) io.out(`classes: ${preview.classNames.map((c, i) => `${c} ${preview.histogram[i]}`).join(', ')}`);
      const first = preview.samples[0];
      if (first?.text !== undefined) io.out(`first training sample as its tokens read back: ${JSON.stringify(escapeUnsafeLine(first.text).slice(0, 120))} → ${preview.classNames[first.label]}`);
      return 0;
    });
  },
};

function shapeOf(d: DatasetRow): string {
  const shape = datasetRefShape(d.source);
  return `${shape.inputShape.join('×')}${shape.vocabulary !== undefined ? ` tokens < ${shape.vocabulary}` : ''}`;
}
