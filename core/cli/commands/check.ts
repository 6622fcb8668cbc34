import {
  checkModelSpec,
  describeLayer,
  expandSpec,
  formatShape,
  inferForTraining,
  inferModel,
  layerDescriptor,
  parseTrainingConfig,
  type LayerInfo,
  type LayerSpec,
  type ModelInfo,
  type ModelSpec,
} from '../../../shared/index.js';
import { findPreset } from '../../presets/load.js';
import { parseCommandArgs, parseIntFlag, readJsonFile } from '../args.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { formatCount, renderTable } from '../table.js';

const usage = 'layerwise check <spec.json | --preset NAME> [--batch-size N] [--json]';

/** What a plain spec file is checked for training with: `layerwise train`'s defaults. */
const DEFAULT_TRAINING = { epochs: 10, batchSize: 64, seed: 1, tricks: {} };

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check a model spec: every layer\'s output shape and parameters, or every error (memory to train included)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { preset: { type: 'string' }, json: { type: 'boolean' }, 'batch-size': { type: 'string' } },
      usage,
    );
    if ((values.preset === undefined) === (positionals.length === 0) || positionals.length > 1) {
      throw new UsageError(`give either a spec file or --preset NAME\nusage: ${usage}`);
    }
    let spec: ModelSpec;
    /** The spec as written, before the structural tricks. */
    let model: ModelSpec;
    let source: string;
    let training: unknown = DEFAULT_TRAINING;
    if (values.preset !== undefined) {
      const preset = findPreset(values.preset);
      // A preset's structural tricks (batch norm, dropout, init, L1/L2) are part of the model it trains.
      model = preset.model;
      spec = expandSpec(preset.model, preset.training);
      training = preset.training;
      source = `preset ${preset.id}`;
    } else {
      const file = positionals[0]!;
      const input = readJsonFile(file);
      const result = checkModelSpec(isPresetLike(input) ? input.model : input);
      if (!result.ok || !result.spec) return reportErrors(io, file, result.errors.map((e) => e.message), values.json);
      if (isPresetLike(input) && input.training !== undefined) training = input.training;
      spec = model = result.spec;
      source = file;
    }
    const parsed = parseTrainingConfig(training);
    if (!parsed.ok) return reportErrors(io, source, parsed.errors.map((e) => `training.${e.message}`), values.json);
    const batchSize = parseIntFlag('batch-size', values['batch-size'], 1, 65_536);
    const config = batchSize === undefined ? parsed.value : { ...parsed.value, batchSize };
    const info = inferModel(spec);
    // What depends on training too (memory at the batch size, checkpoint size), for the model that trains.
    const errors = info.errors.length ? info.errors : inferForTraining(expandSpec(model, config), config).errors;
    if (errors.length) return reportErrors(io, source, errors.map((e) => e.message), values.json);
    if (values.json) {
      io.out(JSON.stringify({ ok: true, name: spec.name, ...info }, null, 2));
      return 0;
    }
    io.out(`${spec.name} (${source})\n`);
    io.out(renderModelTable(spec, info));
    return 0;
  },
};

function isPresetLike(input: unknown): input is { model: unknown; training?: unknown } {
  return typeof input === 'object' && input !== null && 'model' in input && !('layers' in input);
}

function reportErrors(io: CliIO, source: string, messages: string[], json?: boolean): number {
  if (json) {
    io.out(JSON.stringify({ ok: false, errors: messages }, null, 2));
  } else {
    io.err(`${source}: ${messages.length} error${messages.length === 1 ? '' : 's'}`);
    for (const message of messages) io.err(`  ✗ ${message}`);
  }
  return 1;
}

export function renderModelTable(spec: ModelSpec, info: ModelInfo): string {
  const rows: string[][] = [];
  const walk = (layers: readonly LayerSpec[], infos: readonly LayerInfo[], indent: string) => {
    layers.forEach((layer, i) => {
      const layerInfo = infos[i]!;
      rows.push([layerInfo.path, `${indent}${describeLayer(layer)}`, formatShape(layerInfo.outputShape), formatCount(layerInfo.params)]);
      // A block's stacks, indented under it: one (│) or several branches (├0, ├1, …).
      const stacks = layerDescriptor(layer.type).block?.stacks(layer) ?? [];
      stacks.forEach((s, k) => walk(s.layers, layerInfo.children?.[k] ?? [], stacks.length === 1 ? `${indent}│ ` : `${indent}├${k} `));
      for (const extra of layerInfo.extras ?? []) {
        rows.push(['', `${indent}│ + ${extra.label}`, formatShape(layerInfo.outputShape), formatCount(extra.params)]);
      }
    });
  };
  walk(spec.layers, info.layers, '');
  const table = renderTable(['path', 'layer', 'output shape', 'params'], rows, new Set([3]));
  const nonTrainable = info.totalParams - info.trainableParams;
  const extra = nonTrainable ? ` (${formatCount(info.trainableParams)} trainable, ${formatCount(nonTrainable)} non-trainable)` : '';
  return `${table}\n\nTotal params: ${formatCount(info.totalParams)}${extra}`;
}
