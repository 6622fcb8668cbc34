// Structural validation of a model spec with zod. Messages are phrased so that, prefixed with the
// path, they read as one sentence: `layers[3].filters must be a positive integer (got 0)`.
import { z } from 'zod';
import {
  ACTIVATIONS,
  INITIALIZERS,
  LAYER_TYPES,
  LOSSES,
  MODEL_SPEC_VERSION,
  PADDINGS,
  type LayerSpec,
  type ModelSpec,
} from './model-spec.js';
import { formatIssues, type SpecError } from './errors.js';

const MAX_UNITS = 1 << 20;

const positiveInt = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' })
  .max(MAX_UNITS, { error: `must be at most ${MAX_UNITS}` });

const size2 = z.union([positiveInt, z.tuple([positiveInt, positiveInt])], {
  error: 'must be a positive integer or [height, width]',
});

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

const nonNegative = z
  .number({ error: 'must be a number >= 0' })
  .min(0, { error: 'must be >= 0' })
  .refine(Number.isFinite, { error: 'must be a finite number' });

const name = z.string({ error: 'must be a string' }).max(200, { error: 'must be at most 200 characters' });

const weighted = {
  name: name.optional(),
  activation: oneOf(ACTIVATIONS).optional(),
  useBias: z.boolean({ error: 'must be true or false' }).optional(),
  initializer: oneOf(INITIALIZERS).optional(),
  regularizer: z.strictObject({ l1: nonNegative.optional(), l2: nonNegative.optional() }).optional(),
};

const InputSchema = z.strictObject({
  type: z.literal('input'),
  name: name.optional(),
  shape: z
    .array(positiveInt, { error: 'must be [features] or [height, width, channels]' })
    .min(1, { error: 'must be [features] or [height, width, channels]' })
    .max(3, { error: 'must be [features] or [height, width, channels]' })
    .refine((s) => s.length !== 2, { error: 'must be [features] or [height, width, channels] (a 2-D image needs a channel axis)' }),
});

const DenseSchema = z.strictObject({ type: z.literal('dense'), units: positiveInt, ...weighted });

const Conv2dSchema = z.strictObject({
  type: z.literal('conv2d'),
  filters: positiveInt,
  kernelSize: size2,
  strides: size2.optional(),
  padding: oneOf(PADDINGS).optional(),
  ...weighted,
});

const poolFields = { name: name.optional(), poolSize: size2, strides: size2.optional(), padding: oneOf(PADDINGS).optional() };
const MaxPoolSchema = z.strictObject({ type: z.literal('maxPool2d'), ...poolFields });
const AvgPoolSchema = z.strictObject({ type: z.literal('avgPool2d'), ...poolFields });
const GlobalAvgPoolSchema = z.strictObject({ type: z.literal('globalAvgPool2d'), name: name.optional() });
const FlattenSchema = z.strictObject({ type: z.literal('flatten'), name: name.optional() });

const DropoutSchema = z.strictObject({
  type: z.literal('dropout'),
  name: name.optional(),
  rate: z
    .number({ error: 'must be a number in [0, 1)' })
    .min(0, { error: 'must be in [0, 1)' })
    .lt(1, { error: 'must be in [0, 1)' }),
});

const BatchNormSchema = z.strictObject({
  type: z.literal('batchNorm'),
  name: name.optional(),
  momentum: z
    .number({ error: 'must be a number in (0, 1)' })
    .gt(0, { error: 'must be in (0, 1)' })
    .lt(1, { error: 'must be in (0, 1)' })
    .optional(),
  epsilon: z.number({ error: 'must be a number > 0' }).gt(0, { error: 'must be > 0' }).optional(),
});

const ActivationSchema = z.strictObject({
  type: z.literal('activation'),
  name: name.optional(),
  activation: oneOf(ACTIVATIONS),
  alpha: z.number({ error: 'must be a number > 0' }).gt(0, { error: 'must be > 0' }).optional(),
});

// Blocks nest layer stacks, so the union refers to itself; the getters defer the reference.
const ResidualSchema = z.strictObject({
  type: z.literal('residual'),
  name: name.optional(),
  activation: oneOf(ACTIVATIONS).optional(),
  get layers() {
    return z.array(LayerSchema, { error: 'must be a list of layers' }).min(1, { error: 'must hold at least one layer' });
  },
});

const InceptionSchema = z.strictObject({
  type: z.literal('inception'),
  name: name.optional(),
  get branches() {
    return z
      .array(
        z.array(LayerSchema, { error: 'must be a list of layers' }).min(1, { error: 'must hold at least one layer' }),
        { error: 'must be a list of branches' },
      )
      .min(2, { error: 'must hold at least two branches' });
  },
});

export const LayerSchema: z.ZodType<LayerSpec> = z.discriminatedUnion(
  'type',
  [
    InputSchema,
    DenseSchema,
    Conv2dSchema,
    MaxPoolSchema,
    AvgPoolSchema,
    GlobalAvgPoolSchema,
    FlattenSchema,
    DropoutSchema,
    BatchNormSchema,
    ActivationSchema,
    ResidualSchema,
    InceptionSchema,
  ],
  { error: `type must be one of ${LAYER_TYPES.join(', ')}` },
) as z.ZodType<LayerSpec>;

export const ModelSpecSchema = z.strictObject({
  version: z.literal(MODEL_SPEC_VERSION, { error: `must be ${MODEL_SPEC_VERSION}` }),
  name: name.min(1, { error: 'must not be empty' }),
  description: z.string({ error: 'must be a string' }).max(5000).optional(),
  loss: oneOf(LOSSES),
  layers: z.array(LayerSchema, { error: 'must be a list of layers' }).min(1, { error: 'must start with an input layer' }),
}, { error: 'a model spec must be a JSON object' }) as z.ZodType<ModelSpec>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: SpecError[] };

/** Structural check only; `inferModel` adds the shape rules. */
export function parseModelSpec(input: unknown): ParseResult<ModelSpec> {
  const result = ModelSpecSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: formatIssues(result.error.issues, input) };
}
