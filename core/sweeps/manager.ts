// Every sweep of one host: starts new ones (spec checked against its base first: nothing is stored for a spec
// that cannot run), continues the ones that were running when the host last went away, stops and resumes them,
// and pushes `onSweepChanged` on the queue's event hub. One runner per running sweep (./runner.ts) follows the
// queue's events for its trials.
import type { EventHub } from '../../shared/api/events.js';
import {
  parseSweepSpec,
  planSweep,
  type Preset,
  type Sweep,
  type SweepBase,
  type SweepDetail,
  type SweepPlan,
  type SweepTrial,
} from '../../shared/index.js';
import { loadPresets } from '../presets/load.js';
import { conflict } from '../runs/errors.js';
import type { RunQueue } from '../runs/queue.js';
import type { Store, SweepRecord } from '../store/index.js';
import { resolveBase } from './base.js';
import { defaultSweepConcurrency } from './concurrency.js';
import { sweepDto } from './dto.js';
import { SweepSpecError } from './errors.js';
import { SweepRunner } from './runner.js';

export interface SweepManagerOptions {
  store: Store;
  queue: RunQueue;
  /** Where onSweepChanged goes (the queue's hub by default, shared with the transports). */
  events?: EventHub;
  presets?: () => Preset[];
  /** Trials at once when a spec does not say (one per core by default). */
  defaultConcurrency?: number;
  /** Raise the queue's concurrency to a sweep's when lower (the studio; the CLI sizes its own queue). */
  raiseQueueConcurrency?: boolean;
  log?: (message: string) => void;
  now?: () => number;
}

export class SweepManager {
  private readonly runners = new Map<number, SweepRunner>();
  private readonly plans = new Map<number, SweepPlan>();
  private readonly waiters = new Map<number, (() => void)[]>();
  private readonly offs: (() => void)[] = [];
  private readonly store: Store;
  private readonly queue: RunQueue;
  private readonly events: EventHub;
  private readonly log: (message: string) => void;
  private readonly now: () => number;
  private presetCache: Preset[] | undefined;

  constructor(private readonly options: SweepManagerOptions) {
    this.store = options.store;
    this.queue = options.queue;
    this.events = options.events ?? options.queue.events;
    this.log = options.log ?? ((m) => process.stderr.write(`layerwise: ${m}\n`));
    this.now = options.now ?? Date.now;
    this.offs.push(
      this.queue.events.on('onRunEpoch', ({ runId, report }) => this.runnerOf(runId)?.onEpoch(runId, report)),
      this.queue.events.on('onRunStatus', ({ runId, run }) => {
        const runner = this.runnerOf(runId);
        if (run) runner?.onStatus(runId, this.store.getRun(runId));
        else runner?.onStatus(runId, null);
      }),
    );
  }

  /** Continues every sweep that was running when the host last closed or died. */
  start(): number[] {
    const continued: number[] = [];
    for (const record of this.store.sweeps.list({ status: 'running' })) {
      try {
        this.attach(record).start();
        continued.push(record.id);
      } catch (error) {
        this.log(`sweep ${record.id} could not continue: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return continued;
  }

  /** Checks a spec and its base; the plan, or SweepSpecError naming every problem. */
  plan(projectId: number, input: unknown): SweepPlan {
    const parsed = parseSweepSpec(input);
    if (!parsed.ok) throw new SweepSpecError(parsed.errors);
    const base = resolveBase(this.store, projectId, parsed.value, () => (this.presetCache ??= (this.options.presets ?? loadPresets)()));
    const plan = planSweep(parsed.value, base);
    if (!plan.ok) throw new SweepSpecError(plan.errors);
    return plan.value;
  }

  /** Records a new sweep and starts it. */
  create(projectId: number, input: unknown, options: { concurrency?: number } = {}): Sweep {
    this.store.getProject(projectId);
    const plan = this.plan(projectId, input);
    const concurrency = options.concurrency ?? plan.spec.concurrency ?? this.options.defaultConcurrency ?? defaultSweepConcurrency();
    const record = this.store.sweeps.create({ projectId, name: plan.spec.name, spec: JSON.parse(JSON.stringify(plan.spec)), concurrency });
    this.plans.set(record.id, plan);
    this.attach(record).start();
    return this.sweep(record.id);
  }

  /** Stops a running sweep resumably: its trials stop after their current batch and continue on resume. */
  async stop(id: number, reason = 'stopped by the user'): Promise<Sweep> {
    const record = this.store.sweeps.get(id);
    const runner = this.runners.get(id);
    if (record.status !== 'running' || !runner) throw conflict(`sweep ${id} is ${record.status}; only a running sweep can be stopped`, { id, status: record.status });
    await runner.stop(reason);
    return this.sweep(id);
  }

  /** Continues a stopped sweep: interrupted trials resume from their checkpoints, then new trials start. */
  resume(id: number, options: { concurrency?: number } = {}): Sweep {
    const record = this.store.sweeps.get(id);
    if (record.status === 'completed') throw conflict(`sweep ${id} is completed (${record.stopReason ?? 'done'}); there is nothing to resume`, { id, status: record.status });
    if (this.runners.has(id)) throw conflict(`sweep ${id} is already running`, { id, status: record.status });
    if (options.concurrency !== undefined) this.store.sweeps.setConcurrency(id, options.concurrency);
    const running = this.store.sweeps.setStatus(id, 'running');
    this.attach(running).start({ resuming: true });
    this.emit(id, null);
    return this.sweep(id);
  }

  /** Deletes a sweep that is not running, with its trials; its runs stay in the project. */
  delete(id: number): void {
    const record = this.store.sweeps.get(id);
    if (this.runners.has(id)) throw conflict(`sweep ${id} is ${record.status}: stop it before deleting it`, { id, status: record.status });
    this.store.sweeps.delete(id);
    this.plans.delete(id);
  }

  list(projectId?: number): Sweep[] {
    return this.store.sweeps.list(projectId === undefined ? {} : { projectId }).map((r) => this.dto(r, this.store.sweeps.trials(r.id)));
  }

  sweep(id: number): Sweep {
    return this.dto(this.store.sweeps.get(id), this.store.sweeps.trials(id));
  }

  detail(id: number): SweepDetail {
    const trials = this.store.sweeps.trials(id);
    return { sweep: this.dto(this.store.sweeps.get(id), trials), trials };
  }

  isRunning(id: number): boolean {
    return this.runners.has(id);
  }

  /** Resolves when the sweep completes or stops (the CLI and tests wait on it). */
  settled(id: number): Promise<Sweep> {
    if (!this.runners.has(id)) return Promise.resolve(this.sweep(id));
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), () => resolve(this.sweep(id))]));
  }

  /** Stops following the queue, leaving every sweep as it is (the host is closing; the next start continues). */
  close(): void {
    for (const runner of this.runners.values()) runner.detach();
    this.runners.clear();
    this.offs.splice(0).forEach((off) => off());
  }

  // ---- internals ----

  private planOf(record: SweepRecord): SweepPlan {
    let plan = this.plans.get(record.id);
    if (!plan) {
      const parsed = parseSweepSpec(record.spec);
      if (!parsed.ok) throw new SweepSpecError(parsed.errors);
      const built = planSweep(parsed.value, parsed.value.base as unknown as SweepBase);
      if (!built.ok) throw new SweepSpecError(built.errors);
      plan = built.value;
      this.plans.set(record.id, plan);
    }
    return plan;
  }

  private dto(record: SweepRecord, trials: SweepTrial[]): Sweep {
    return sweepDto(record, this.planOf(record), trials, this.runners.get(record.id)?.liveMs() ?? 0);
  }

  private attach(record: SweepRecord): SweepRunner {
    const plan = this.planOf(record);
    if (this.options.raiseQueueConcurrency && this.queue.concurrency < record.concurrency) this.queue.setConcurrency(record.concurrency);
    const runner = new SweepRunner(
      {
        store: this.store,
        queue: this.queue,
        log: this.log,
        now: this.now,
        changed: (sweepId, trial) => this.emit(sweepId, trial),
        ended: (sweepId) => {
          this.runners.delete(sweepId);
          const waiting = this.waiters.get(sweepId) ?? [];
          this.waiters.delete(sweepId);
          waiting.forEach((w) => w());
        },
      },
      record.id,
      plan,
    );
    this.runners.set(record.id, runner);
    return runner;
  }

  private runnerOf(runId: number): SweepRunner | undefined {
    for (const runner of this.runners.values()) if (runner.runIds().includes(runId)) return runner;
    return undefined;
  }

  private emit(sweepId: number, trial: SweepTrial | null): void {
    try {
      this.events.emit('onSweepChanged', { sweep: this.sweep(sweepId), trial }, (e) => this.log(`an onSweepChanged listener failed: ${e instanceof Error ? e.message : String(e)}`));
    } catch (error) {
      this.log(`sweep ${sweepId}: could not report a change: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
