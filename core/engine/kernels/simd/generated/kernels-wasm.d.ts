// The types of the module scripts/build-kernels.mjs generates beside this file (kernels-wasm.ts, git-ignored), kept
// in git so that a fresh clone typechecks before its first build: `npm test` typechecks first, and npm runs no
// install-time build (see scripts/build.mjs).
export declare const KERNELS_WASM_BASE64: string;
export declare const KERNELS_RELAXED_WASM_BASE64: string;
