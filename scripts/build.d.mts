// Types for scripts/build.mjs (plain Node ESM, so it runs before anything is built), for the tests.
export const root: string;
export function sourceFingerprint(): string;
export function staleReason(): string | null;
export function canBuild(): boolean;
export function build(options?: { quiet?: boolean }): void;
export function ensureBuilt(options?: { quiet?: boolean; log?: (why: string) => void }): 'current' | 'built' | 'cannot-build';
