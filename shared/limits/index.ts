// Limits, one home: each concern in its own file (spec.ts: model specs).
export * from './spec.js';
