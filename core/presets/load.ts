import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePreset, type Preset } from '../../shared/index.js';
import { resourcesDir } from '../resources.js';

export class PresetError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'PresetError';
  }
}

export function presetsDir(): string {
  return join(resourcesDir(), 'presets');
}

/** Loads and validates every bundled preset; a broken preset file is a bug, so it throws naming the file. */
export function loadPresets(dir = presetsDir()): Preset[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file) => {
    const path = join(dir, file);
    const parsed = parsePreset(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.ok) throw new PresetError(`${path} is not a valid preset`, parsed.errors.map((e) => e.message));
    if (`${parsed.value.id}.json` !== file) throw new PresetError(`${path} declares id "${parsed.value.id}"; rename one of them`);
    return parsed.value;
  });
}

export function findPreset(id: string, presets = loadPresets()): Preset {
  const preset = presets.find((p) => p.id === id);
  if (!preset) {
    throw new PresetError(`unknown preset "${id}" (known: ${presets.map((p) => p.id).join(', ')})`);
  }
  return preset;
}
