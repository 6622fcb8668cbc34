// `layerwise sweep SPEC.json`: runs a sweep here, N trainers at once, recording every trial as a run of the
// project; `layerwise sweep resume ID` (or `--resume ID`) continues one that was stopped or whose host went away;
// `layerwise sweep show ID` lists its trials. Ctrl-C once stops the sweep resumably (trainers finish their batch,
// their trials continue from their checkpoints on resume); twice ends the trainers at once (still resumable, from
// their last checkpoints, losing the epoch in progress). Runs the studio queued are left for the studio.
import { forkTrainer } from '../../engine/trainer-client.js';
import { RunQueue } from '../../runs/queue.js';
import type { Store } from '../../store/index.js';
import { defaultSweepConcurrency } from '../../sweeps/concurrency.js';
import { SweepSpecError } from '../../sweeps/errors.js';
import { SweepManager } from '../../sweeps/manager.js';
import { ApiError, MAX_CONCURRENCY, type Sweep, type SweepTrial } from '../../../shared/api/contract.js';
import { isDoneTrialState } from '../../../shared/index.js';
import { parseCommandArgs, parseIntFlag, readJsonFile } from '../args.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { renderTable } from '../table.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { summaryJson, summaryText, SweepProgress, trialJson, trialLine, trialTable } from './sweep-output.js';
import { CLI_PROJECT } from './train.js';

const usage = [
  `layerwise sweep SPEC.json [--concurrency N] [--json] [--project NAME] ${STORE_USAGE}`,
  `       layerwise sweep resume ID [--concurrency N] [--json] ${STORE_USAGE}   (or: layerwise sweep --resume ID)`,
  `       layerwise sweep show ID [--json] ${STORE_USAGE}`,
].join('\n');

const options = {
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  project: { type: 'string' },
  resume: { type: 'string' },
  ...STORE_OPTIONS,
} as const;

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'Run a hyperparameter sweep (grid, random or TPE, ASHA pruning) with N trainers at once; resume one',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, options, usage);
    const concurrency = parseIntFlag('concurrency', values.concurrency, 1, MAX_CONCURRENCY);
    const json = values.json ?? false;
    const [first, second, ...rest] = positionals;
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}\nusage: ${usage}`);
    if (first === 'show') {
      const id = parseId(second, 'sweep', usage);
      return withStore('sweep', values, io, (store) => show(store!, id, json, io));
    }
    const resumeId = values.resume !== undefined ? parseId(values.resume, 'sweep', usage) : first === 'resume' ? parseId(second, 'sweep', usage) : undefined;
    if (resumeId !== undefined && values.resume !== undefined && first !== undefined) throw new UsageError(`give either SPEC.json or --resume ID\nusage: ${usage}`);
    if (resumeId === undefined && (first === undefined || second !== undefined)) throw new UsageError(`give one sweep spec file (or resume ID)\nusage: ${usage}`);
    const spec = resumeId === undefined ? readJsonFile(first!) : undefined;
    return withStore('sweep', values, io, async (store) => {
      const queue = new RunQueue({
        store: store!,
        // The trainers get their own process group: Ctrl-C reaches this command, which stops them after their batch.
        spawnTrainer: () => forkTrainer({ ownProcessGroup: true }),
        concurrency: 1,
        adoptQueued: false,
        // Reached only by a second Ctrl-C (the first stops every trainer after its batch): end them now.
        shutdownTimeoutMs: 0,
        log: (m) => io.err(`layerwise sweep: ${m}`),
      });
      const manager = new SweepManager({ store: store!, queue, raiseQueueConcurrency: true, log: (m) => io.err(`layerwise sweep: ${m}`) });
      try {
        let sweep: Sweep;
        if (resumeId === undefined) {
          const projectId = projectFor(store!, spec, values.project);
          try {
            sweep = manager.create(projectId, spec, { concurrency: concurrency ?? (spec as { concurrency?: number }).concurrency ?? defaultSweepConcurrency() });
          } catch (error) {
            if (error instanceof SweepSpecError) {
              io.err([`layerwise sweep: ${first} cannot run:`, ...error.errors.map((e) => `  ✗ ${e.message}`)].join('\n'));
              return 2;
            }
            throw error;
          }
        } else {
          try {
            sweep = manager.resume(resumeId, concurrency === undefined ? {} : { concurrency });
          } catch (error) {
            if (error instanceof ApiError) {
              io.err(`layerwise sweep: ${error.message}`);
              return 1;
            }
            throw error;
          }
        }
        queue.start();
        return await follow(manager, queue, sweep, json, io);
      } finally {
        manager.close();
        await queue.shutdown();
      }
    });
  },
};

/** The project a new sweep goes in: --project NAME, the base run's project, or the command line's. */
function projectFor(store: Store, spec: unknown, name: string | undefined): number {
  if (name !== undefined) return store.ensureProject(name).id;
  const runId = (spec as { base?: { runId?: unknown } } | null)?.base?.runId;
  if (typeof runId === 'number' && Number.isSafeInteger(runId) && runId > 0) {
    try {
      return store.getRun(runId).projectId;
    } catch {
      // The spec's check names the missing run.
    }
  }
  return store.ensureProject(CLI_PROJECT).id;
}

async function follow(manager: SweepManager, queue: RunQueue, start: Sweep, json: boolean, io: CliIO): Promise<number> {
  const id = start.id;
  const bar = new SweepProgress(io);
  const printed = new Map<number, string>();
  const say = (line: string) => {
    bar.clear();
    io.out(line);
  };
  const report = (sweep: Sweep, trial: SweepTrial) => {
    if (!isDoneTrialState(trial.state) || printed.get(trial.id) === trial.state) return;
    // A pruned trial is reported when ASHA decides; its run's end changes nothing to say.
    if (printed.has(trial.id) && printed.get(trial.id) === 'pruned') return;
    printed.set(trial.id, trial.state);
    say(json ? JSON.stringify(trialJson(trial)) : trialLine(sweep, trial));
  };
  const detail = manager.detail(id);
  for (const trial of detail.trials) if (isDoneTrialState(trial.state)) printed.set(trial.id, trial.state);
  if (!json) {
    const done = printed.size;
    io.out(
      `sweep ${id} (${start.name}): ${start.spec.method}, up to ${start.maxRuns} trials, ${start.concurrency} at once` +
        `${start.rungs.length ? `, ASHA rungs at epochs ${start.rungs.join(', ')}` : ''}${done ? ` — ${done} done already` : ''}`,
    );
  }
  const offs = [
    queue.events.on('onSweepChanged', ({ sweep, trial }) => {
      if (sweep.id !== id) return;
      if (trial) report(sweep, trial);
      bar.draw(sweep, manager.detail(id).trials, trial === null);
    }),
    queue.events.on('onRunProgress', ({ runId, progress }) => {
      bar.batch(runId, progress);
      bar.draw(manager.sweep(id), manager.detail(id).trials);
    }),
  ];
  // Ctrl-C once: stop the sweep resumably; twice: end the trainers now.
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      bar.clear();
      io.err(`layerwise sweep: stopping sweep ${id}: trainers finish their batch (Ctrl-C again ends them now)`);
      if (manager.isRunning(id)) void manager.stop(id, 'stopped by Ctrl-C').catch((e: unknown) => io.err(`layerwise sweep: ${e instanceof Error ? e.message : String(e)}`));
    } else void queue.shutdown();
  };
  process.on('SIGINT', onSigint);
  let final: Sweep;
  try {
    final = await manager.settled(id);
  } finally {
    process.off('SIGINT', onSigint);
    offs.forEach((off) => off());
    bar.clear();
  }
  io.out(json ? JSON.stringify(summaryJson(final)) : summaryText(final));
  return final.status === 'completed' && final.counts.completed === 0 ? 1 : 0;
}

function show(store: Store, id: number, json: boolean, io: CliIO): number {
  // Reading needs no queue that trains: one that never starts.
  const queue = new RunQueue({ store, adoptQueued: false });
  const manager = new SweepManager({ store, queue });
  try {
    const { sweep, trials } = manager.detail(id);
    if (json) {
      io.out(JSON.stringify({ ...summaryJson(sweep), rungs: sweep.rungs, trials: trials.map(trialJson) }, null, 2));
      return 0;
    }
    io.out(summaryText(sweep));
    if (trials.length) io.out(`\n${renderTable(['trial', 'state', 'rung', 'epochs', 'val loss', 'val acc', 'run', 'values'], trialTable(sweep, trials), new Set([0, 3, 4, 5, 6]))}`);
    return 0;
  } finally {
    manager.close();
  }
}
