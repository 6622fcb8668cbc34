// Types for scripts/start.js (plain Node ESM, so `npm start` runs before anything is built), for its tests.
export interface LaunchState {
  forceBrowser: boolean;
  electronPresent: boolean;
  noDisplay?: boolean;
  installTried?: boolean;
  installError?: string | null;
  nativeTried?: boolean;
  nativeReady?: boolean;
  nativeError?: string | null;
}
export type LaunchStep =
  | { action: 'install-electron' }
  | { action: 'prepare-native' }
  | { action: 'launch-electron' }
  | { action: 'browser'; reason: string };

export const root: string;
export const ELECTRON_SQLITE_DIR: string;
export const ELECTRON_SQLITE_BINDING: string;
export const SERVING_LINE: RegExp;
export const DEFAULT_INSTALL_TIMEOUT_MS: number;
export function nextStep(state: LaunchState): LaunchStep;
export function hasNoDisplay(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): boolean;
export function fallbackLine(reason: string): string;
export function openCommand(url: string, platform?: NodeJS.Platform): { command: string; args: string[] } | null;
export function shortReason(output: string, fallback: string): string;
export function parseArgs(argv: string[], env?: NodeJS.ProcessEnv): { forceBrowser: boolean; prepareOnly: boolean; serveArgs: string[] };
export function electronVersion(): string;
export function electronPresent(): boolean;
export function main(argv?: string[]): void;
