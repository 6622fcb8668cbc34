// Shared by the fault drills: small training jobs whose trainers can be killed mid-epoch, waiting for a run's
// status, and the comparison every drill ends with: a run that was interrupted (and resumed) has exactly the
// metrics of the same run trained without interruption (same spec, data, config, seed and backend: the engine
// promises bit-identical results, resumes included). Only wall-clock figures (seconds, samples/s) may differ.
import { expect } from 'vitest';
import type { LayerwiseApi, Run, RunStatus } from '../../shared/api/contract.js';
import type { Store } from '../../core/store/index.js';
import { HANG_MS } from '../support/patience.js';
import { tinyConfig, tinySpec, until } from '../host/support.js';

/** Wall-clock figures: the only series a resumed run may record differently. */
const TIMING = new Set(['seconds', 'samplesPerSecond']);

/** A run of the tiny MLP on `samples` spiral points in batches of 16 (2,000 points: a few tenths of a second per epoch on wasm). */
export function job(projectId: number, epochs: number, seed = 3, samples = 2000, name?: string) {
  return {
    projectId,
    spec: tinySpec,
    dataset: { kind: 'synthetic' as const, name: 'spiral' as const, samples, classes: 3, noise: 0.05 },
    config: tinyConfig(epochs, { seed }),
    backend: 'wasm' as const,
    ...(name ? { name } : {}),
  };
}

export const waitStatus = (api: LayerwiseApi, id: number, statuses: RunStatus[]): Promise<Run> =>
  until(
    `run ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const run = await api.runs.get({ id });
      return statuses.includes(run.status) ? run : undefined;
    },
    HANG_MS,
    50,
  );

/** Every recorded series of a run except wall-clock ones, as (epoch, step, value) triples by name. */
export function recorded(store: Store, runId: number): Record<string, [number, number | null, number][]> {
  const out: Record<string, [number, number | null, number][]> = {};
  for (const s of store.metricSeries(runId)) {
    if (TIMING.has(s.name)) continue;
    out[s.name] = s.epochs.map((e, i) => [e, s.steps[i]!, s.values[i]!]);
  }
  return out;
}

/** The run's final metrics without the wall-clock speed. */
export function finalOf(run: Pick<Run, 'finalMetrics'>): Record<string, number | null> {
  const { samplesPerSecond: _speed, ...rest } = run.finalMetrics ?? {};
  return rest;
}

/** Asserts that `runId` recorded exactly what `referenceId` did (every series, every point, bit for bit), and ended the same. */
export function expectSameAsUninterrupted(store: Store, runId: number, referenceId: number): void {
  const got = recorded(store, runId);
  const want = recorded(store, referenceId);
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const name of Object.keys(want)) expect(got[name], `${name} of run ${runId} vs run ${referenceId}`).toEqual(want[name]);
  expect(finalOf(store.getRun(runId))).toEqual(finalOf(store.getRun(referenceId)));
  expect(store.getRun(runId).finalMetrics?.epochs).toBe(store.getRun(referenceId).finalMetrics?.epochs);
}

/** Asserts that what `runId` kept is a prefix of the reference: no point differs, none is half of an epoch. */
export function expectPrefixOf(store: Store, runId: number, referenceId: number): number {
  const got = recorded(store, runId);
  const want = recorded(store, referenceId);
  let epochs = -1;
  for (const [name, points] of Object.entries(got)) {
    expect(points, name).toEqual(want[name]!.slice(0, points.length));
    epochs = Math.max(epochs, ...points.map((p) => p[0]));
  }
  // An epoch's points commit together: every series that has a point of the last stored epoch has all of them.
  for (const [name, points] of Object.entries(want)) {
    const perEpoch = points.filter((p) => p[0] <= epochs).length;
    expect(got[name]?.length ?? 0, `${name} up to epoch ${epochs}`).toBe(perEpoch);
  }
  return epochs;
}

/** Every checkpoint of a run loads (its bytes match their sha256). */
export function expectCheckpointsVerify(store: Store, runId: number): void {
  for (const c of store.listCheckpoints(runId)) expect(store.loadCheckpoint(c.id).checkpoint.id).toBe(c.id);
}

/** A seeded generator (mulberry32): the chaos drill's kills are the same on every run of the test. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
