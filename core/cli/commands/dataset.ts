// `layerwise dataset add csv|images|idx|cifar|text|series <path>…` imports the user's own data (refused, naming the
// file, row and column, when it is bad; nothing is registered then) and `layerwise dataset list` shows what is registered.
import { basename, resolve } from 'node:path';
import { datasetRefName, datasetRefShape } from '../../../shared/index.js';
import type { Dataset as DatasetRow } from '../../../shared/api/entities.js';
import { DatasetImportError } from '../../datasets/errors.js';
import { fileKindOf, importDatasetFile, type DatasetFileImport, type DatasetFileRequest } from '../../datasets/import.js';
import { previewDataset, registerDataset } from '../../datasets/register.js';
import { IMAGE_LIMITS, imageSizeProblem } from '../../../shared/limits/inputs.js';
import { escapeUnsafeLine } from '../../../shared/text/safe-text.js';
import { parseCommandArgs, parseNameFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { renderTable } from '../table.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { CLI_PROJECT } from './train.js';
import { SEQUENCE_FLAGS, SEQUENCE_OPTIONS, SEQUENCE_USAGE, sequenceRequest } from './dataset-sequences.js';

const usage = [
  `layerwise dataset add csv <file.csv> [--target COL] [--name N] [--impute] [--header yes|no|auto] [--task classification|regression] [--project NAME] [--json] ${STORE_USAGE}`,
  `layerwise dataset add images <folder> [--size HxW] [--rgb] [--name N] [--project NAME] [--json] ${STORE_USAGE}`,
  `layerwise dataset add idx <folder> | <images> <labels> [<test-images> <test-labels>] [--classes FILE] [--name N] [--project NAME] [--json] ${STORE_USAGE}`,
  `layerwise dataset add cifar <folder> | <batch.bin>... [--test FILE] [--labels fine|coarse] [--classes FILE] [--name N] [--project NAME] [--json] ${STORE_USAGE}`,
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
  classes: { type: 'string' },
  test: { type: 'string' },
  labels: { type: 'string' },
  project: { type: 'string' },
  json: { type: 'boolean' },
  ...SEQUENCE_OPTIONS,
} as const;

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'Import a CSV file, an image folder, IDX files (MNIST, Fashion-MNIST…), CIFAR batches, or CSV columns as sequences (a text column, a numeric series) as a dataset; list datasets',
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
    if (!isKind(kind)) throw new UsageError(`dataset add takes csv, images, idx, cifar, text or series (got ${JSON.stringify(kind ?? null)})\nusage: ${usage}`);
    if (!path) throw new UsageError(`give the ${WHAT[kind]}\nusage: ${usage}`);
    // Every flag is checked (usage errors, exit 2) before anything is read.
    const request = requestFor(kind, path, extra, values);
    let imported: DatasetFileImport;
    try {
      imported = await importDatasetFile(
        request,
        io.isTTY
          ? (done: number, total: number) =>
              void ((kind === 'images' ? done % 100 === 0 : true) && io.err(`${kind === 'images' ? 'decoded' : 'read'} ${done} of ${total} ${kind === 'images' ? 'images' : 'files'}`))
          : undefined,
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
      const saved = registerDataset(store!, project.id, fileKindOf(request), imported.dataset, {
        task: imported.task,
        ...(values.name ? { name: values.name } : {}),
        ...(imported.pixels ? { pixels: true } : {}),
        ...(imported.known ? { known: imported.known } : {}),
      });
      const preview = previewDataset(imported.dataset, 3, imported.task === 'regression');
      if (values.json) {
        io.out(JSON.stringify({ id: saved.id, created: saved.created, projectId: project.id, source: saved.source, preview }, null, 2));
        return 0;
      }
      io.out(`${saved.created ? 'registered' : 'already registered'} dataset ${saved.id} "${saved.source.name}" from ${basename(request.path)}: ${imported.note}`);
      io.out(`input [${saved.source.inputShape.join(', ')}], split ${preview.counts.train}/${preview.counts.validation}/${preview.counts.test}, fingerprint ${saved.source.fingerprint.slice(0, 12)}`);
      if (preview.splitNote) io.out(`split: ${preview.splitNote}`);
      if (preview.histogram.length) io.out(`classes: ${preview.classNames.map((c, i) => `${c} ${preview.histogram[i]}`).join(', ')}`);
      const first = preview.samples[0];
      if (first?.text !== undefined) io.out(`first training sample as its tokens read back: ${JSON.stringify(escapeUnsafeLine(first.text).slice(0, 120))} → ${preview.classNames[first.label]}`);
      return 0;
    });
  },
};

const KINDS = ['csv', 'images', 'idx', 'cifar', 'text', 'series'] as const;
type Kind = (typeof KINDS)[number];
const isKind = (k: string | undefined): k is Kind => (KINDS as readonly (string | undefined)[]).includes(k);
const WHAT: Record<Kind, string> = {
  csv: 'CSV file',
  images: 'image folder',
  idx: 'folder of IDX files, or the images and labels files',
  cifar: 'CIFAR folder, or the training batch files',
  text: 'CSV file',
  series: 'CSV file',
};

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** The import request the flags ask for; every misuse is a UsageError naming the flag or argument. */
function requestFor(kind: Kind, path: string, extra: string[], values: Values): DatasetFileRequest {
  const only = (flags: Array<keyof Values>) => {
    for (const flag of Object.keys(OPTIONS) as Array<keyof Values>) {
      if (values[flag] !== undefined && !flags.includes(flag) && !['name', 'project', 'json', 'data', 'wait'].includes(flag)) {
        throw new UsageError(`--${flag} does not apply to dataset add ${kind}\nusage: ${usage}`);
      }
    }
  };
  const unexpected = (arg: string) => new UsageError(`unexpected argument ${JSON.stringify(arg)}\nusage: ${usage}`);
  parseNameFlag('name', values.name);
  parseNameFlag('project', values.project);
  const name = values.name !== undefined ? { name: values.name } : {};
  const classes = values.classes !== undefined ? { classNames: resolve(values.classes) } : {};
  if (kind === 'idx') {
    only(['classes']);
    if (extra.length === 2 || extra.length > 3) throw extra.length > 3 ? unexpected(extra[3]!) : new UsageError(`give the test images and the test labels, both (got ${JSON.stringify(extra[1])} alone after the training pair)\nusage: ${usage}`);
    const [labels, testImages, testLabels] = extra.map((p) => resolve(p));
    return { kind, path: resolve(path), ...(labels ? { labels } : {}), ...(testImages && testLabels ? { testImages, testLabels } : {}), ...classes, ...name };
  }
  if (kind === 'cifar') {
    only(['classes', 'test', 'labels']);
    if (values.labels !== undefined && values.labels !== 'fine' && values.labels !== 'coarse') throw new UsageError(`--labels must be fine or coarse (got ${JSON.stringify(values.labels)})`);
    return {
      kind,
      path: resolve(path),
      ...(extra.length ? { moreTrain: extra.map((p) => resolve(p)) } : {}),
      ...(values.test !== undefined ? { test: resolve(values.test) } : {}),
      ...(values.labels ? { labels: values.labels as 'fine' | 'coarse' } : {}),
      ...classes,
      ...name,
    };
  }
  if (extra.length) throw unexpected(extra[0]!);
  if (kind === 'text' || kind === 'series') {
    // A flag of the other sequence kind is refused by sequenceRequest, naming the kind it belongs to.
    const request = sequenceRequest(kind, resolve(path), values);
    only([...(SEQUENCE_FLAGS[kind] as Array<keyof Values>), 'target', 'header']);
    return request;
  }
  if (kind === 'csv') {
    only(['target', 'impute', 'header', 'task']);
    if (values.header !== undefined && !['yes', 'no', 'auto'].includes(values.header)) throw new UsageError(`--header must be yes, no or auto (got ${JSON.stringify(values.header)})`);
    if (values.task !== undefined && values.task !== 'classification' && values.task !== 'regression') throw new UsageError(`--task must be classification or regression (got ${JSON.stringify(values.task)})`);
    const header = values.header as 'yes' | 'no' | 'auto' | undefined;
    return {
      kind,
      path: resolve(path),
      ...(values.target !== undefined ? { target: values.target } : {}),
      ...name,
      ...(header ? { header } : {}),
      impute: values.impute === true,
      ...(values.task ? { task: values.task as 'classification' | 'regression' } : {}),
    };
  }
  only(['size', 'rgb']);
  let size: [number, number] | undefined;
  if (values.size !== undefined) {
    // The same limits as the API's datasets.import `size` (shared/limits/inputs.ts).
    const m = /^(\d+)(?:x(\d+))?$/i.exec(values.size);
    const hw: [number, number] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (imageSizeProblem(hw)) throw new UsageError(`--size must be HxW or N, each an integer in [${IMAGE_LIMITS.minSide}, ${IMAGE_LIMITS.maxSide}] (got ${JSON.stringify(values.size)})`);
    size = hw;
  }
  return { kind, path: resolve(path), ...(size ? { size } : {}), rgb: values.rgb === true, ...name };
}

function shapeOf(d: DatasetRow): string {
  const shape = datasetRefShape(d.source);
  return `${shape.inputShape.join('×')}${shape.vocabulary !== undefined ? ` tokens < ${shape.vocabulary}` : ''}`;
}
