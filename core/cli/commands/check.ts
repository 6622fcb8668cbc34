import {
  checkModelSpec,
  describeLayer,
  expandSpec,
  formatShape,
  inferModel,
  type LayerInfo,
  type LayerSpec,
  type ModelInfo,
  type ModelSpec,
} from '../../../shared/index.js';
import { findPreset } from '../../presets/load.js';
import { parseCommandArgs, readJsonFile } from '../args.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { formatCount, renderTable } from '../table.js';

const usage = 'layerwise check <spec.json | --preset NAME> [--json]';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check a model spec: every layer\'s output shape and parameters, or every error',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { preset: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if ((values.preset === undefined) === (positionals.length === 0) || positionals.length > 1) {
      throw new UsageError(`give either a spec file or --preset NAME\nusage: ${usage}`);
    }
    let spec: ModelSpec;
    let source: string;
    if (values.preset !== undefined) {
      const preset = findPreset(values.preset);
      // A preset's structural tricks (batch norm, dropout, init, L1/L2) are part of the model it trains.
      spec = expandSpec(preset.model, preset.training);
      source = `preset ${preset.id}`;
    } else {
      const file = positionals[0]!;
      const input = readJsonFile(file);
      const result = checkModelSpec(isPresetLike(input) ? input.model : input);
      if (!result.ok || !result.spec) return reportErrors(io, file, result.errors.map((e) => e.message), values.json);
      spec = result.spec;
      source = file;
    }
    const info = inferModel(spec);
    if (info.errors.length) return reportErrors(io, source, info.errors.map((e) => e.message), values.json);
    if (values.json) {
      io.out(JSON.stringify({ ok: true, name: spec.name, ...info }, null, 2));
      return 0;
    }
    io.out(`${spec.name} (${source})\n`);
    io.out(renderModelTable(spec, info));
    return 0;
  },
};

function isPresetLike(input: unknown): input is { model: unknown } {
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
      if (layer.type === 'residual') {
        walk(layer.layers, layerInfo.children?.[0] ?? [], `${indent}│ `);
        if (layerInfo.projection) {
          const p = layerInfo.projection;
          const what = p.kind === 'dense' ? 'dense' : `conv2d 1×1 /${p.strides.join('×')}`;
          rows.push(['', `${indent}│ + projection ${what}`, formatShape(layerInfo.outputShape), formatCount(p.params)]);
        }
      }
      if (layer.type === 'inception') {
        layer.branches.forEach((branch, b) => walk(branch, layerInfo.children?.[b] ?? [], `${indent}├${b} `));
      }
    });
  };
  walk(spec.layers, info.layers, '');
  const table = renderTable(['path', 'layer', 'output shape', 'params'], rows, new Set([3]));
  const nonTrainable = info.totalParams - info.trainableParams;
  const extra = nonTrainable ? ` (${formatCount(info.trainableParams)} trainable, ${formatCount(nonTrainable)} non-trainable)` : '';
  return `${table}\n\nTotal params: ${formatCount(info.totalParams)}${extra}`;
}
