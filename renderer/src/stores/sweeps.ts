// The open project's sweeps: the list, the selected sweep with its trials (filled in live from onSweepChanged,
// applied once per animation frame), starting, stopping and resuming, and what the views read from the trials:
// the best trial, parameter importance.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  importanceInput,
  parameterImportance,
  type Importance,
  type Sweep,
  type SweepDetail,
  type SweepEvent,
  type SweepSpecInput,
  type SweepTrial,
} from '../../../shared/index.js';
import { toApiError, useApi } from '../api/client.js';
import { frameBatcher } from '../live.js';

export const useSweepsStore = defineStore('sweeps', () => {
  const projectId = ref<number | null>(null);
  const sweeps = ref<Sweep[]>([]);
  const selectedId = ref<number | null>(null);
  const detail = ref<SweepDetail | null>(null);
  const error = ref<string | null>(null);
  const busy = ref(false);
  let unsubscribe: (() => void) | null = null;

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await work();
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    }
  }

  const selected = computed(() => sweeps.value.find((s) => s.id === selectedId.value) ?? null);

  function putSweep(sweep: Sweep): void {
    if (sweep.projectId !== projectId.value) return;
    const i = sweeps.value.findIndex((s) => s.id === sweep.id);
    sweeps.value = i < 0 ? [sweep, ...sweeps.value] : sweeps.value.map((s) => (s.id === sweep.id ? sweep : s));
    if (detail.value?.sweep.id === sweep.id) detail.value = { ...detail.value, sweep };
  }

  function putTrial(trial: SweepTrial): void {
    const d = detail.value;
    if (!d || d.sweep.id !== trial.sweepId) return;
    const i = d.trials.findIndex((t) => t.id === trial.id);
    const trials = i < 0 ? [...d.trials, trial].sort((a, b) => a.number - b.number) : d.trials.map((t) => (t.id === trial.id ? trial : t));
    detail.value = { ...d, trials };
  }

  // A busy sweep pushes a change per trial epoch: apply them together, once per frame.
  const live = frameBatcher<SweepEvent>((events) => {
    for (const e of events) {
      putSweep(e.sweep);
      if (e.trial) putTrial(e.trial);
    }
  });

  function listen(): void {
    if (unsubscribe) return;
    unsubscribe = useApi().onSweepChanged((e) => live.push(e));
  }

  function stopListening(): void {
    unsubscribe?.();
    unsubscribe = null;
    live.cancel();
  }

  async function load(id: number | null): Promise<void> {
    projectId.value = id;
    sweeps.value = [];
    detail.value = null;
    selectedId.value = null;
    if (id === null) return;
    listen();
    const list = await guard(() => useApi().sweeps.list({ projectId: id }));
    if (list) sweeps.value = [...list].sort((a, b) => b.id - a.id);
    if (sweeps.value[0]) await select(sweeps.value[0].id);
  }

  async function select(id: number | null): Promise<void> {
    selectedId.value = id;
    if (id === null) {
      detail.value = null;
      return;
    }
    const d = await guard(() => useApi().sweeps.get({ id }));
    if (d && selectedId.value === id) {
      live.flush();
      detail.value = d;
      putSweep(d.sweep);
    }
  }

  async function start(sweep: SweepSpecInput): Promise<Sweep | undefined> {
    const id = projectId.value;
    if (id === null) return undefined;
    busy.value = true;
    try {
      const started = await guard(() => useApi().sweeps.start({ projectId: id, sweep }));
      if (started) {
        putSweep(started);
        await select(started.id);
      }
      return started;
    } finally {
      busy.value = false;
    }
  }

  async function control(action: 'stop' | 'resume', id: number): Promise<void> {
    busy.value = true;
    try {
      const sweep = await guard(() => useApi().sweeps[action]({ id }));
      if (sweep) putSweep(sweep);
    } finally {
      busy.value = false;
    }
  }

  async function remove(id: number): Promise<void> {
    const done = await guard(() => useApi().sweeps.delete({ id }));
    if (done === undefined) return;
    sweeps.value = sweeps.value.filter((s) => s.id !== id);
    if (selectedId.value === id) await select(sweeps.value[0]?.id ?? null);
  }

  /** The parameters' share of the objective's spread, and at which epoch it was read (null: too few trials yet). */
  const importance = computed<{ epoch: number | null; n: number; rows: Importance[] } | null>(() => {
    const d = detail.value;
    if (!d) return null;
    const input = importanceInput(d);
    if (!input) return null;
    const numeric = (path: string) => !d.sweep.spec.parameters.find((p) => p.path === path)?.values;
    const rows = parameterImportance(
      d.sweep.spec.parameters.map((p) => ({ key: p.path, numeric: numeric(p.path) })),
      input.trials,
    );
    return { epoch: input.epoch, n: input.trials.length, rows: [...rows].sort((a, b) => b.share - a.share) };
  });

  return { projectId, sweeps, selectedId, selected, detail, error, busy, importance, load, select, start, control, remove, listen, stopListening, flush: () => live.flush() };
});
