// The wording of the shape rules several layers share, in one place so tests and the corpus can rely on it.
// Rules of one layer type only live in its descriptor (shared/layers/defs/).
const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

export const errorText = {
  firstMustBeInput: () => 'must be the input layer: a model starts with { "type": "input", "shape": [...] }',
  inputNotFirst: () => 'is an input layer, which may only be the first layer of the model',
  needsVector: (type: string, got: readonly number[]) =>
    `${type} needs a 1-D input but gets ${fmt(got)}: add flatten or globalAvgPool2d before it`,
  needsImage: (type: string, got: readonly number[]) =>
    `${type} needs a 3-D input [height, width, channels] but gets ${fmt(got)}`,
  needsFeatures: (type: string, got: readonly number[]) =>
    `${type} needs [features] or [steps, features] but gets ${fmt(got)}: add flatten or globalAvgPool2d before it`,
  needsSequence: (type: string, got: readonly number[]) =>
    `${type} needs a 2-D input [steps, features] but gets ${fmt(got)}${got.length === 1 ? ': token ids need an embedding first, other vectors a reshape' : got.length === 3 ? ': add a reshape to [steps, features] first' : ''}`,
  needsTokens: (type: string, got: readonly number[]) =>
    `${type} needs a 1-D input of token ids [steps] but gets ${fmt(got)}`,
  windowTooLarge: (kh: number, kw: number, h: number, w: number) =>
    `${kh}×${kw} is larger than its ${h}×${w} input (padding "valid"): use a smaller window or padding "same"`,
  softmaxNotLast: (loss: string) => `softmax must be the model's last layer: the ${loss} loss reads class probabilities from it`,
  outputNotVector: (out: readonly number[]) =>
    `outputs ${fmt(out)}, but a classification loss needs a 1-D vector of class scores: add flatten and a dense layer`,
} as const;
