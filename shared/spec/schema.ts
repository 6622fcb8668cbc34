// Structural validation of a model spec with zod, generated from the layer descriptors' fields. Messages
// are phrased so that, prefixed with the path, they read as one sentence:
// `layers[3].filters must be a positive integer (got 0)`.
import { z } from 'zod';
import { numberRange, type LayerDescriptor, type LayerParam } from '../layers/descriptor.js';
import { LAYERS, LAYER_TYPES, type LayerSpec } from '../layers/registry.js';
import { checkSpecShape } from '../limits/spec.js';
import { LOSSES, MODEL_SPEC_VERSION, type ModelSpec } from './model-spec.js';
import { formatIssues, type SpecError } from './errors.js';

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

const integer = (min: number, max: number) => {
  const text = min === 1 ? 'must be a positive integer' : `must be an integer in [${min}, ${max}]`;
  return z
    .number({ error: text })
    .int({ error: text })
    .min(min, { error: text })
    .max(max, { error: min === 1 ? `must be at most ${max}` : text });
};

const nonNegative = z
  .number({ error: 'must be a number >= 0' })
  .min(0, { error: 'must be >= 0' })
  .refine(Number.isFinite, { error: 'must be a finite number' });

const name = z.string({ error: 'must be a string' }).max(200, { error: 'must be at most 200 characters' });

function numberSchema(p: Extract<LayerParam, { kind: 'number' }>) {
  const range = numberRange(p);
  let s = z.number({ error: `must be a number ${range}` });
  if (p.min !== undefined) s = p.minExclusive ? s.gt(p.min, { error: `must be ${range}` }) : s.min(p.min, { error: `must be ${range}` });
  if (p.max !== undefined) s = p.maxExclusive ? s.lt(p.max, { error: `must be ${range}` }) : s.max(p.max, { error: `must be ${range}` });
  return s.refine(Number.isFinite, { error: 'must be a finite number' });
}

const stack = () =>
  z.array(LayerSchema, { error: 'must be a list of layers' }).min(1, { error: 'must hold at least one layer' });

/** The zod schema of one field, from its declared kind and range. */
function paramSchema(p: LayerParam): z.ZodType {
  if (p.schema) return p.schema;
  switch (p.kind) {
    case 'integer':
      return integer(p.min, p.max);
    case 'number':
      return numberSchema(p);
    case 'size2': {
      const side = integer(1, p.max);
      return z.union([side, z.tuple([side, side])], { error: 'must be a positive integer or [height, width]' });
    }
    case 'shape':
      return z.array(integer(1, Number.MAX_SAFE_INTEGER)).min(1);
    case 'enum':
      return oneOf(p.options as [string, ...string[]]);
    case 'boolean':
      return z.boolean({ error: 'must be true or false' });
    case 'regularizer':
      return z.strictObject({ l1: nonNegative.optional(), l2: nonNegative.optional() });
    case 'stack':
      return stack();
    case 'branches':
      return z
        .array(stack(), { error: 'must be a list of branches' })
        .min(p.min, { error: `must hold at least ${p.min === 2 ? 'two' : p.min} branches` });
  }
}

/** One layer type's strict object: `type`, `name`, then its declared fields. Stacks refer back to LayerSchema lazily. */
function layerSchema(d: LayerDescriptor<LayerSpec>) {
  const shape: Record<string, z.ZodType> = { type: z.literal(d.type), name: name.optional() };
  for (const [key, p] of Object.entries(d.params) as Array<[string, LayerParam]>) {
    const nested = p.kind === 'stack' || p.kind === 'branches';
    if (nested) {
      // A getter defers the reference to LayerSchema, which this very call is building (zod's recursive objects).
      Object.defineProperty(shape, key, { enumerable: true, get: () => (p.optional ? paramSchema(p).optional() : paramSchema(p)) });
    } else {
      shape[key] = p.optional ? paramSchema(p).optional() : paramSchema(p);
    }
  }
  return z.strictObject(shape);
}

const layerSchemas = LAYERS.map((d) => layerSchema(d as unknown as LayerDescriptor<LayerSpec>));

export const LayerSchema: z.ZodType<LayerSpec> = z.discriminatedUnion(
  'type',
  layerSchemas as unknown as [ReturnType<typeof layerSchema>, ...ReturnType<typeof layerSchema>[]],
  { error: `type must be one of ${LAYER_TYPES.join(', ')}` },
) as unknown as z.ZodType<LayerSpec>;

export const ModelSpecSchema = z.strictObject({
  version: z.literal(MODEL_SPEC_VERSION, { error: `must be ${MODEL_SPEC_VERSION}` }),
  name: name.min(1, { error: 'must not be empty' }),
  description: z.string({ error: 'must be a string' }).max(5000).optional(),
  loss: oneOf(LOSSES),
  layers: z.array(LayerSchema, { error: 'must be a list of layers' }).min(1, { error: 'must start with an input layer' }),
}, { error: 'a model spec must be a JSON object' }) as z.ZodType<ModelSpec>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: SpecError[] };

/**
 * Structural check only; `inferModel` adds the shape rules. The nesting depth and the number of layers are
 * measured first, without recursion, so a hostile nesting is refused by name before zod walks it.
 */
export function parseModelSpec(input: unknown): ParseResult<ModelSpec> {
  const tooBig = checkSpecShape(input);
  if (tooBig) return { ok: false, errors: [tooBig] };
  const result = ModelSpecSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: formatIssues(result.error.issues, input) };
}
