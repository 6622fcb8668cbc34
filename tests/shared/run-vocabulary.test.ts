// The run vocabulary (shared/runs/): one list of statuses whose groups agree with the state machine the store
// enforces, and one set of metric names that the recorder writes and the readers parse back.
import { describe, expect, it } from 'vitest';
import { epochPoints, initPoints } from '../../core/runs/recorder.js';
import { RUN_STATUSES as MIGRATION_STATUSES } from '../../core/store/schema.js';
import { en, zh } from '../../renderer/src/i18n/messages.js';
import {
  ACTIVE_RUN_STATUSES,
  EPOCH_METRICS,
  INIT_LAYER_METRIC_PREFIX,
  FINISHED_RUN_STATUSES,
  isActiveRunStatus,
  isFinishedRunStatus,
  isOutcomeRunStatus,
  isSettledRunStatus,
  isStepMetric,
  LAYER_STATS,
  LIVE_RUN_STATUSES,
  MEASURED_RUN_STATUSES,
  OUTCOME_RUN_STATUSES,
  parseLayerMetric,
  RESUMABLE_RUN_STATUSES,
  RUN_STATUS_CAUSES,
  RUN_STATUSES,
  RUN_TRANSITIONS,
  STEP_METRICS,
  type EpochReport,
} from '../../shared/index.js';

describe('run statuses', () => {
  it('are the statuses the runs table allows', () => {
    expect([...MIGRATION_STATUSES].sort()).toEqual([...RUN_STATUSES].sort());
  });

  it('finished means no way on but a resume; active and settled split the statuses', () => {
    for (const status of RUN_STATUSES) {
      expect(isFinishedRunStatus(status), status).toBe(RUN_TRANSITIONS[status].length === 0);
      expect(isActiveRunStatus(status) !== isSettledRunStatus(status), status).toBe(true);
    }
    expect(RUN_STATUSES.filter(isSettledRunStatus)).toEqual(['completed', 'stopped', 'diverged', 'failed', 'interrupted']);
    expect(isSettledRunStatus('exploded')).toBe(false);
  });

  it('has groups that nest as documented', () => {
    const inside = (small: readonly string[], big: readonly string[]) => small.every((s) => big.includes(s));
    expect(inside(LIVE_RUN_STATUSES, ACTIVE_RUN_STATUSES)).toBe(true);
    expect(inside(MEASURED_RUN_STATUSES, OUTCOME_RUN_STATUSES)).toBe(true);
    expect(inside(OUTCOME_RUN_STATUSES, FINISHED_RUN_STATUSES)).toBe(true);
    expect(isOutcomeRunStatus('failed')).toBe(false);
    expect(RESUMABLE_RUN_STATUSES.some((s) => isActiveRunStatus(s))).toBe(false);
    // Every transition goes to a known status, and only runs given to a trainer (active: a queued run's trainer
    // can die before it starts) can be interrupted.
    for (const [from, to] of Object.entries(RUN_TRANSITIONS)) {
      expect(inside(to, RUN_STATUSES), from).toBe(true);
      if (to.includes('interrupted')) expect(ACTIVE_RUN_STATUSES as readonly string[]).toContain(from);
    }
  });

  it('has a label in every language of the studio', () => {
    for (const status of RUN_STATUSES) {
      expect(en.training.status[status], status).toMatch(/\S/);
      expect(zh.training.status[status], status).toMatch(/\S/);
    }
    for (const cause of RUN_STATUS_CAUSES) {
      expect(en.training.cause[cause], cause).toMatch(/\S/);
      expect(zh.training.cause[cause], cause).toMatch(/\S/);
    }
  });
});

describe('metric names', () => {
  it('are what the recorder writes, and parse back', () => {
    const report: EpochReport = {
      epoch: 2,
      epochs: 5,
      metrics: { loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.4, learningRate: 0.01, seconds: 2, samplesPerSecond: 900, ensembleValLoss: 1, ensembleValAccuracy: 0.45 },
      steps: [{ step: 40, epoch: 2, loss: 0.9, gradNorm: 3 }],
      layers: [{ layer: 'dense_Dense1', path: 'layers[1]', weightNorm: 1, gradNorm: 2, activationMean: 0, activationStd: 1, deadFraction: 0.1 }],
      best: true,
    };
    const names = epochPoints(report).map((p) => p.name);
    expect(names.filter((n) => (EPOCH_METRICS as readonly string[]).includes(n)).sort()).toEqual([...EPOCH_METRICS].sort());
    expect(names.filter(isStepMetric)).toEqual([STEP_METRICS.loss, STEP_METRICS.gradNorm]);
    const layers = names.map(parseLayerMetric).filter((p) => p !== null);
    expect(layers).toEqual(LAYER_STATS.map((stat) => ({ path: 'layers[1]', stat })));
    expect(names).toHaveLength(EPOCH_METRICS.length + 2 + LAYER_STATS.length);
  });

  it('keeps the statistics at initialisation apart from the per-epoch layer series', () => {
    const layer = { layer: 'dense_Dense1', path: 'layers[2]', weightNorm: 1, gradNorm: 2, activationMean: 0, activationStd: 1.5, deadFraction: 0.1 };
    const points = initPoints([layer]);
    expect(points.map((p) => p.name)).toEqual(LAYER_STATS.map((stat) => `${INIT_LAYER_METRIC_PREFIX}layers[2].${stat}`));
    expect(points.every((p) => p.epoch === 0)).toBe(true);
    expect(points.find((p) => p.name.endsWith('.activationStd'))!.value).toBe(1.5);
    // Readers of the per-epoch layer series do not mistake them for an epoch's.
    expect(points.map((p) => parseLayerMetric(p.name))).toEqual(LAYER_STATS.map(() => null));
  });

  it('refuses names that are no layer statistic', () => {
    expect(parseLayerMetric('layer.layers[1].colour')).toBeNull();
    expect(parseLayerMetric('valLoss')).toBeNull();
    expect(parseLayerMetric('layer.layers.2.deadFraction')).toEqual({ path: 'layers.2', stat: 'deadFraction' });
  });
});
