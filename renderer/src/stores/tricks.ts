// The training config being edited: run settings, the seed policy and the tricks that are on. Defaults, ranges
// and validation come from the trick descriptors (shared/tricks); the panel only renders them. It is part of
// the project's draft (stores/draft.ts), which loads and saves it; nothing else replaces it.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  checkParam,
  defaultParams,
  describeRange,
  paramUnderEpochs,
  DEFAULT_OPTIMIZER,
  findTrick,
  FIRST_RUN_EPOCHS,
  LIMITS,
  parseTrainingConfig,
  TRICK_GROUPS,
  TRICKS,
  type DraftConfig,
  type ParamValue,
  type SeedPolicy,
  type TrainingConfig,
  type TrickDescriptor,
  type TrickId,
  type TrickParams,
} from '../../../shared/index.js';

export type SettingKey = 'epochs' | 'batchSize' | 'seed';
export type SeedMode = SeedPolicy['kind'];

/** Where the studio keeps the user's default thread count (a preference of this user, not of one experiment). */
export const THREADS_STORAGE_KEY = 'layerwise.threads';

function savedThreads(): number | null {
  try {
    const raw = globalThis.localStorage?.getItem(THREADS_STORAGE_KEY);
    const n = raw === null || raw === undefined ? NaN : Number(raw);
    return Number.isInteger(n) && n >= LIMITS.threads.min && n <= LIMITS.threads.max ? n : null;
  } catch {
    return null;
  }
}

export const useTricksStore = defineStore('tricks', () => {
  const epochs = ref(FIRST_RUN_EPOCHS);
  const batchSize = ref(64);
  /** The fixed seed (used when seedMode is `fixed`). */
  const seed = ref(1);
  /** `fixed`: every run uses `seed`; `fresh`: each run gets a seed no run of the project used. */
  const seedMode = ref<SeedMode>('fixed');
  const seedPolicy = computed<SeedPolicy>(() => (seedMode.value === 'fixed' ? { kind: 'fixed', seed: seed.value } : { kind: 'fresh' }));
  /**
   * Threads runs train on: the user's default, kept across sessions; null leaves it to the machine (every physical
   * core, decided where the run is queued). NaN while the field holds something that is not a number.
   */
  const threads = ref<number | null>(savedThreads());
  /** Trick id → its parameters as typed (may be invalid until fixed). */
  const tricks = ref<Partial<Record<TrickId, Record<string, unknown>>>>({ [DEFAULT_OPTIMIZER]: defaultParams(findTrick(DEFAULT_OPTIMIZER)!) });

  const groups = computed(() =>
    TRICK_GROUPS.map((group) => ({ group, tricks: TRICKS.filter((t) => t.group === group) as readonly TrickDescriptor[] })),
  );

  /** The config as typed (parameters possibly invalid); with a fresh seed each run, seed 0 stands in until Train picks one. */
  const raw = computed(() => ({
    epochs: epochs.value,
    batchSize: batchSize.value,
    seed: seedMode.value === 'fixed' ? seed.value : LIMITS.seed.min,
    ...(threads.value === null ? {} : { threads: threads.value }),
    tricks: tricks.value,
  }));
  const parsed = computed(() => parseTrainingConfig(raw.value));
  /** The validated config with every default filled in, or null while something is wrong. */
  const config = computed<TrainingConfig | null>(() => (parsed.value.ok ? parsed.value.value : null));
  const errors = computed(() => (parsed.value.ok ? [] : parsed.value.errors));
  const hasErrors = computed(() => !parsed.value.ok);
  const enabledCount = computed(() => Object.keys(tricks.value).length);

  function isOn(id: string): boolean {
    return id in tricks.value;
  }

  /** Turns a trick on (with its defaults) or off; turning on one of a choice turns its alternatives off. */
  function toggle(id: TrickId, on = !isOn(id)): void {
    const trick = findTrick(id);
    if (!trick) return;
    const next = { ...tricks.value };
    if (on) {
      if (trick.choice) for (const other of TRICKS) if (other.choice === trick.choice && other.id !== id) delete next[other.id];
      next[id] = defaultParams(trick);
    } else {
      delete next[id];
      // A run always has an optimizer: turning the chosen one off falls back to the default.
      if (trick.choice === 'optimizer' && id !== DEFAULT_OPTIMIZER) next[DEFAULT_OPTIMIZER] = defaultParams(findTrick(DEFAULT_OPTIMIZER)!);
      if (trick.choice === 'optimizer' && id === DEFAULT_OPTIMIZER) return;
    }
    tricks.value = next;
  }

  function param(id: TrickId, key: string): unknown {
    return tricks.value[id]?.[key];
  }

  function setParam(id: TrickId, key: string, value: unknown): void {
    const current = tricks.value[id];
    if (!current) return;
    tricks.value = { ...tricks.value, [id]: { ...current, [key]: value } };
  }

  /**
   * The reason a parameter's value is refused, or null: its descriptor's range, then what the rest of the config
   * allows (weight averaging's last k epochs at most the run's epochs), as parseTrainingConfig says it.
   */
  function paramError(id: TrickId, key: string): string | null {
    const p = findTrick(id)?.params[key];
    if (!p || !isOn(id)) return null;
    const own = checkParam(p, param(id, key));
    if (own) return own;
    const path = `tricks.${id}.${key}`;
    const other = errors.value.find((e) => e.path === path);
    return other ? other.message.slice(path.length).trim() : null;
  }

  /** "Allowed: …" for a parameter, narrowed by the run's epochs where they bound it. */
  function paramRange(id: TrickId, key: string): string {
    const p = findTrick(id)?.params[key];
    if (!p) return '';
    return describeRange(paramUnderEpochs(id, key, p, Number.isFinite(epochs.value) ? epochs.value : null));
  }

  /** The validated config with this seed (Train picks it from the seed policy), or null while something is wrong. */
  function configWithSeed(runSeed: number): TrainingConfig | null {
    const parsed = parseTrainingConfig({ ...raw.value, seed: runSeed });
    return parsed.ok ? parsed.value : null;
  }

  /** The settings as the draft keeps them: fields as typed (a cleared or non-numeric one as null). */
  const draftConfig = computed<DraftConfig>(() => ({
    epochs: Number.isFinite(epochs.value) ? epochs.value : null,
    batchSize: Number.isFinite(batchSize.value) ? batchSize.value : null,
    tricks: JSON.parse(JSON.stringify(tricks.value)) as DraftConfig['tricks'],
  }));

  function settingError(key: SettingKey): string | null {
    if (key === 'seed' && seedMode.value === 'fresh') return null;
    const value = { epochs: epochs.value, batchSize: batchSize.value, seed: seed.value }[key];
    const { min, max } = LIMITS[key];
    return Number.isInteger(value) && value >= min && value <= max ? null : `must be an integer in [${min}, ${max}]`;
  }

  /** Sets the default thread count (null: one thread) and keeps it for the next sessions when it is valid. */
  function setThreads(value: number | null): void {
    threads.value = value;
    try {
      if (value === null) globalThis.localStorage?.removeItem(THREADS_STORAGE_KEY);
      else if (threadsError() === null) globalThis.localStorage?.setItem(THREADS_STORAGE_KEY, String(value));
    } catch {
      // No storage (a test page): the setting lasts for this session.
    }
  }

  function threadsError(): string | null {
    const value = threads.value;
    const { min, max } = LIMITS.threads;
    return value === null || (Number.isInteger(value) && value >= min && value <= max) ? null : `must be an integer in [${min}, ${max}], or empty for one thread`;
  }

  /** Shows a draft's settings as they were typed (values being fixed included). */
  function loadDraft(config: DraftConfig, policy: SeedPolicy): void {
    epochs.value = config.epochs ?? NaN;
    batchSize.value = config.batchSize ?? NaN;
    seedMode.value = policy.kind;
    if (policy.kind === 'fixed') seed.value = policy.seed;
    const t: Partial<Record<TrickId, Record<string, unknown>>> = {};
    for (const [id, params] of Object.entries(config.tricks)) {
      const trick = findTrick(id);
      if (trick) t[trick.id as TrickId] = { ...params };
    }
    if (!Object.keys(t).some((id) => findTrick(id)?.choice === 'optimizer')) t[DEFAULT_OPTIMIZER] = defaultParams(findTrick(DEFAULT_OPTIMIZER)!);
    tricks.value = t;
  }

  /** A run's settings, as "Use these settings" asks: its epochs, batch size, tricks, and its seed, fixed. */
  function load(stored: TrainingConfig): void {
    // A stored config reads as the engine reads it (a parameter stored in an older form shows in its current one).
    const normalised = parseTrainingConfig(stored);
    const next = normalised.ok ? normalised.value : stored;
    epochs.value = next.epochs;
    batchSize.value = next.batchSize;
    seed.value = next.seed;
    seedMode.value = 'fixed';
    const t: Partial<Record<TrickId, TrickParams>> = {};
    for (const [id, params] of Object.entries(next.tricks)) {
      const trick = findTrick(id);
      if (trick) t[trick.id as TrickId] = { ...defaultParams(trick), ...(params as Record<string, ParamValue>) };
    }
    if (!Object.keys(t).some((id) => findTrick(id)?.choice === 'optimizer')) t[DEFAULT_OPTIMIZER] = defaultParams(findTrick(DEFAULT_OPTIMIZER)!);
    tricks.value = t;
  }

  return {
    epochs,
    batchSize,
    seed,
    seedMode,
    seedPolicy,
    tricks,
    groups,
    raw,
    config,
    draftConfig,
    errors,
    hasErrors,
    enabledCount,
    isOn,
    toggle,
    param,
    setParam,
    paramError,
    paramRange,
    settingError,
    configWithSeed,
    load,
    loadDraft,
    threads,
    setThreads,
    threadsError,
  };
});
