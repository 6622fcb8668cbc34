// The studio's settings, kept in the data folder as `settings.json` (beside the database, so that a data folder
// carries its own; readable by its owner only, since a Redis URL may hold a password). Read when the studio starts;
// `layerwise settings` changes them. Keys this version does not know are kept as they are.
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const SETTINGS_FILE = 'settings.json';

const SettingsSchema = z.looseObject({
  /** Scale-out: the Redis the studio hands runs to; absent or null: every run trains here. */
  redisUrl: z.string().min(1).max(2000).nullable().optional(),
  /** Names this data folder's jobs and event stream in a Redis that several studios may share. */
  studioId: z
    .string()
    .regex(/^[a-z0-9-]{8,64}$/)
    .optional(),
});

export type StudioSettings = z.infer<typeof SettingsSchema>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function readSettings(dataDir: string): StudioSettings {
  const file = join(dataDir, SETTINGS_FILE);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SettingsError(`${file} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`${file}: ${issue.path.join('.') || 'the file'} ${issue.message}; fix or delete it`);
  }
  return parsed.data;
}

/** Writes the settings with `patch` applied (a null or undefined value removes the key), atomically. */
export function updateSettings(dataDir: string, patch: Partial<Record<keyof StudioSettings, unknown>>): StudioSettings {
  const next: Record<string, unknown> = { ...readSettings(dataDir) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  const checked = SettingsSchema.parse(next);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SETTINGS_FILE);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
  try {
    chmodSync(file, 0o600);
  } catch {
    // Windows: permissions come from the user's profile folder.
  }
  return checked;
}

/** This data folder's studio id, made and kept on first use. */
export function studioIdOf(dataDir: string): string {
  const known = readSettings(dataDir).studioId;
  if (known) return known;
  const id = randomUUID();
  updateSettings(dataDir, { studioId: id });
  return id;
}
