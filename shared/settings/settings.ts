// The user's preferences, kept in the data folder (SQLite) so that they follow the user across the desktop
// app and every `layerwise serve` page (whose origin, and so its localStorage, changes with the port).
import { z } from 'zod';

/** `system` follows the OS's light or dark setting live; the others pin one. */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export interface AppSettings {
  theme: Theme;
}

export const DEFAULT_SETTINGS: AppSettings = { theme: 'system' };

/** `settings.update`: the preferences to change (the others keep their value). */
export const SettingsPatchSchema = z.strictObject({
  theme: z.enum(THEMES, { error: `must be one of ${THEMES.join(', ')}` }).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/** Stored settings read back leniently: an unknown key or a value this version does not know falls back to its default. */
export function settingsFrom(stored: Readonly<Record<string, unknown>>): AppSettings {
  const theme = (THEMES as readonly unknown[]).includes(stored.theme) ? (stored.theme as Theme) : DEFAULT_SETTINGS.theme;
  return { theme };
}
