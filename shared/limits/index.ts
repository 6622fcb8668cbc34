// Limits, one home: each concern in its own file (spec.ts: model specs; inputs.ts: what users give us).
export * from './spec.js';
export * from './inputs.js';
