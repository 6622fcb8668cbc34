import { LIMITS, parseTrainingConfig, defaultParams, type TrainingConfig } from '../tricks/config.js';
import type { TrickDescriptor } from '../tricks/descriptor.js';
import { findTrick, TRICKS } from '../tricks/registry.js';
import { canonicalJson } from './canonical.js';

/** One sibling of an ablation: the base with exactly one trick changed. */
export interface AblationArm {
  /** The trick changed. */
  trickId: string;
  /** `dropout off`, `dropout on`, `optimizer → momentum`. */
  label: string;
  /** The base config with that one change (same seed, epochs and batch size). */
  config: TrainingConfig;
}

/**
 * For each trick: on in the base → off; off → on with its descriptor's defaults; a choice trick (optimizer,
 * init, scaling, schedule) → switched to it (the base's choice removed). Throws, naming the trick, for an
 * unknown id or a change that would leave the config invalid, or one that is no change.
 *
 * A choice trick the base already uses is turned off (`initHe off`: the engine's default applies), except the
 * optimizer, which cannot be off: `nesterov` is already the base's optimizer. Every config returned is the
 * output of `parseTrainingConfig` (all parameters filled in). The base is validated first.
 */
export function planAblation(base: TrainingConfig, trickIds: readonly string[]): AblationArm[] {
  const parsedBase = parseTrainingConfig(base);
  if (!parsedBase.ok) throw new Error(`the base config is invalid: ${parsedBase.errors.map((e) => e.message).join('; ')}`);
  const baseConfig = parsedBase.value;
  const baseKey = canonicalJson(baseConfig);
  const seen = new Set<string>();
  return trickIds.map((id) => {
    const trick = findTrick(id);
    if (!trick) throw new Error(`\`${id}\` is not a known trick (\`layerwise tricks\` lists them)`);
    if (seen.has(id)) throw new Error(`\`${id}\` is listed twice`);
    seen.add(id);

    const tricks: Record<string, unknown> = JSON.parse(JSON.stringify(baseConfig.tricks)) as Record<string, unknown>;
    let label: string;
    if (id in tricks) {
      if (trick.choice === 'optimizer') {
        throw new Error(`\`${id}\` is already the base's optimizer: name another optimizer to switch to it`);
      }
      delete tricks[id];
      label = `${id} off`;
    } else if (trick.choice) {
      for (const other of TRICKS as readonly TrickDescriptor[]) if (other.choice === trick.choice) delete tricks[other.id];
      tricks[id] = defaultParams(trick);
      label = `${trick.choice} → ${id}`;
    } else {
      tricks[id] = defaultParams(trick);
      label = `${id} on`;
    }

    const parsed = parseTrainingConfig({ ...baseConfig, tricks });
    if (!parsed.ok) throw new Error(`\`${id}\`: ${label} would leave the config invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
    if (canonicalJson(parsed.value) === baseKey) throw new Error(`\`${id}\`: ${label} would not change the config`);
    return { trickId: id, label, config: parsed.value };
  });
}

/**
 * The base config with seeds base.seed, base.seed + 1, …, n in all (wrapping within the seed range).
 * Throws unless n is an integer from 1 to the number of seeds there are.
 */
export function planSeeds(base: TrainingConfig, n: number): TrainingConfig[] {
  const range = LIMITS.seed.max - LIMITS.seed.min + 1;
  if (!Number.isInteger(n) || n < 1 || n > range) throw new Error(`the number of seeds must be an integer >= 1 (got ${n})`);
  return Array.from({ length: n }, (_, i) => ({
    ...base,
    tricks: JSON.parse(JSON.stringify(base.tricks)) as TrainingConfig['tricks'],
    seed: LIMITS.seed.min + ((base.seed - LIMITS.seed.min + i) % range),
  }));
}
