// Pure analysis of runs for the run view and comparisons: config diffs, ablation plans, seed bands and
// per-layer warnings. No node, DOM or tfjs: the renderer, the services and the lessons all use these.
export * from './config-diff.js';
export * from './ablation.js';
export * from './seeds.js';
export * from './diagnostics.js';
export * from './run-names.js';
