// The user's preferences (shared/settings): one row per key, JSON values. Kept in the data folder so that they
// follow the user to every page that opens it (the desktop app, `layerwise serve` on any port).
import { DEFAULT_SETTINGS, settingsFrom, SettingsPatchSchema, type AppSettings } from '../../../shared/settings/settings.js';
import type { StoreDb } from '../db.js';
import { invalid } from '../errors.js';

export class SettingsRepository {
  constructor(private readonly db: StoreDb) {}

  get(): AppSettings {
    const rows = this.db.all<{ key: string; value: string }>('SELECT key, value FROM settings');
    const stored: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value);
      } catch {
        // A value this version cannot read falls back to its default (settingsFrom).
      }
    }
    return settingsFrom({ ...DEFAULT_SETTINGS, ...stored });
  }

  /** Sets the given preferences (the others keep theirs); returns them all. */
  update(patch: Partial<AppSettings>): AppSettings {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) throw invalid(`the settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'} ${i.message}`).join('; ')}`);
    return this.db.tx(() => {
      const now = this.db.now();
      for (const [key, value] of Object.entries(parsed.data)) {
        if (value === undefined) continue;
        this.db.run(
          'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
          key,
          JSON.stringify(value),
          now,
        );
      }
      return this.get();
    });
  }
}
