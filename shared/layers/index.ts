// The layer catalogue: descriptors, the registry, shared fields and which tricks reach which layers.
export * from './descriptor.js';
export * from './params.js';
export * from './registry.js';
export * from './reach.js';
export * from './tokens.js';
export * from './texts.js';
export { projectionFor, type ProjectionInfo } from './defs/residual.js';
export { RECURRENT_ACTIVATIONS, type RecurrentActivation, type RecurrentFields } from './recurrent.js';
export { attentionParams } from './attention.js';
