// Sweeps: the spec and its checks, the search (grid, seeded random, TPE), ASHA pruning and parameter importance;
// pure TypeScript shared by the core (which runs sweeps), the CLI and the studio's form and views.
export * from './spec.js';
export * from './targets.js';
export * from './space.js';
export * from './tpe.js';
export * from './asha.js';
export * from './plan.js';
export * from './entities.js';
export * from './importance.js';
export { createRng, mixSeed, trialRng } from './rng.js';
