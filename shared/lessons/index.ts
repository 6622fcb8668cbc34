// Built-in lessons: each tests one claim of the training-tricks note with a small ablation and judges it from
// the measured numbers. Pure TypeScript: the services plan and judge with these, the renderer lists them.
export * from './lesson.js';
export * from './registry.js';
export { NOISE_FACTOR } from './verdict.js';
export { describePlan } from './common.js';
