// `layerwise lesson list|run`: the built-in lessons from the command line, through the same services the studio
// calls (lessons.start queues the runs in the Lessons project, the run queue trains them in trainer processes,
// lessons.verdict judges the recorded numbers), so a lesson run here and one started from the studio are the
// same runs with the same verdict. Only the lesson's own runs train: runs the studio left queued stay queued.
import { resolveDataDir } from '../../data-dir.js';
import { forkTrainer } from '../../engine/trainer-client.js';
import { appVersion } from '../../host/app-host.js';
import { processExecutor } from '../../runs/executor.js';
import { RunQueue } from '../../runs/queue.js';
import { createServices } from '../../services/services.js';
import { Store, StoreError } from '../../store/index.js';
import { ApiError, LESSON_BUDGETS, type LessonBudget, type LessonInfo, type LessonVerdict, type Run } from '../../../shared/api/contract.js';
import { isOutcomeRunStatus, isSettledRunStatus } from '../../../shared/index.js';
import { parseCommandArgs } from '../args.js';
import { threadsFlag } from './train.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { renderTable } from '../table.js';
import { DEFAULT_LOCK_WAIT_S, formatNumber, parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

const usage = `layerwise lesson list [--json]\n       layerwise lesson run ID [--budget ${LESSON_BUDGETS.join('|')}] [--threads N] [--json] ${STORE_USAGE}\n       layerwise lesson verdict COMPARISON_ID [--json] ${STORE_USAGE}`;

const options = { ...STORE_OPTIONS, budget: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } } as const;

export const lessonCommand: Command = {
  name: 'lesson',
  summary: 'List the built-in lessons, run one (its arms × seeds) and print its verdict, or judge a lesson comparison again',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, options, usage);
    const [verb, id, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}\nusage: ${usage}`);
    const { LESSONS, lessonInfo } = await import('../../../shared/lessons/registry.js');
    const lessons = LESSONS.map(lessonInfo);
    if (verb === 'list') {
      if (id !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(id)}\nusage: ${usage}`);
      io.out(values.json ? JSON.stringify(lessons, null, 2) : listText(lessons));
      return 0;
    }
    if (verb === 'verdict') {
      const comparisonId = parseId(id, 'comparison', usage);
      return withStore('lesson', values, io, async (store) => {
        const services = createServices({ store: store!, queue: new RunQueue({ store: store! }), version: appVersion() });
        try {
          const verdict = await services.api.lessons.verdict({ comparisonId });
          io.out(values.json ? JSON.stringify({ event: 'verdict', ...verdict }) : verdictText(verdict));
          return verdict.ready ? 0 : 1;
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          io.err(`layerwise lesson: ${error.message}`);
          return 1;
        }
      });
    }
    if (verb !== 'run') throw new UsageError(`give list, run or verdict (got ${verb === undefined ? 'nothing' : JSON.stringify(verb)})\nusage: ${usage}`);
    if (id === undefined) throw new UsageError(`give a lesson id: ${lessons.map((l) => l.id).join(', ')}\nusage: ${usage}`);
    const lesson = lessons.find((l) => l.id === id);
    if (!lesson) throw new UsageError(`lesson must be one of ${lessons.map((l) => l.id).join(', ')} (got ${JSON.stringify(id)})`);
    const budget = (values.budget ?? 'standard') as LessonBudget;
    if (!LESSON_BUDGETS.includes(budget)) throw new UsageError(`--budget must be one of ${LESSON_BUDGETS.join(', ')} (got ${JSON.stringify(values.budget)})`);
    // Every run of the lesson trains on these threads (default: one thread; lessons train on auto/wasm).
    const threads = threadsFlag(values.threads, 'auto');
    const waitS = values.wait === undefined ? DEFAULT_LOCK_WAIT_S : Number(values.wait);
    if (!Number.isFinite(waitS) || waitS < 0 || waitS > 3600) throw new UsageError(`--wait must be a number of seconds in [0, 3600] (got ${JSON.stringify(values.wait)})`);

    let store: Store;
    try {
      store = Store.open(resolveDataDir({ flag: values.data }), { owner: 'cli lesson', lockWaitMs: waitS * 1000 });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      io.err(`layerwise lesson: ${error.code}: ${error.message}`);
      return 1;
    }
    const log = (m: string) => io.err(`layerwise lesson: ${m}`);
    // Trainers in their own process group: Ctrl-C reaches this command, which stops them after their batch.
    const queue = new RunQueue({ store, log, executor: processExecutor(() => forkTrainer({ ownProcessGroup: true })) });
    const services = createServices({ store, queue, version: appVersion(), log });
    let interrupted = false;
    const onSigint = () => {
      if (interrupted) return;
      interrupted = true;
      io.err("layerwise lesson: stopping: the training run stops after its batch (interrupted, resumable); the lesson's other runs stay queued");
      queue.forget(queue.state().pending);
      void queue.shutdown();
    };
    process.on('SIGINT', onSigint);
    try {
      return await runLesson({ services, queue, store, lesson, budget, threads, json: values.json ?? false, io, interrupted: () => interrupted });
    } catch (error) {
      if (error instanceof ApiError || error instanceof StoreError) {
        io.err(`layerwise lesson: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
      await queue.shutdown();
      store.close();
    }
  },
};

interface RunContext {
  services: ReturnType<typeof createServices>;
  queue: RunQueue;
  store: Store;
  lesson: LessonInfo;
  budget: LessonBudget;
  threads?: number;
  json: boolean;
  io: CliIO;
  interrupted(): boolean;
}

async function runLesson(ctx: RunContext): Promise<number> {
  const { services, queue, store, lesson, budget, threads, json, io } = ctx;
  const started = await services.api.lessons.start({ lessonId: lesson.id, budget, ...(threads !== undefined ? { threads } : {}) });
  const ours = new Set(started.runs.map((r) => r.id));
  const names = new Map(started.runs.map((r) => [r.id, r.name ?? `run ${r.id}`]));
  const { comparison, project } = started;
  if (json) io.out(JSON.stringify({ event: 'started', lessonId: lesson.id, budget, projectId: project.id, project: project.name, comparisonId: comparison.id, runIds: [...ours] }));
  else {
    io.out(`lesson ${lesson.letter}) ${lesson.title} — ${budget} budget`);
    io.out(`claim: ${lesson.claim}`);
    io.out(`plan:  ${lesson.plan[budget]}`);
    io.out(`runs ${started.runs[0]!.id}–${started.runs.at(-1)!.id} in project "${project.name}" (${project.id}), comparison ${comparison.id}`);
  }

  let done = 0;
  let bar = '';
  const clearBar = () => {
    if (bar) process.stderr.write(`\r${' '.repeat(bar.length)}\r`);
    bar = '';
  };
  const offs = [
    services.events.on('onRunProgress', ({ runId, progress: p }) => {
      if (json || !io.isTTY || !ours.has(runId)) return;
      clearBar();
      bar = `[${done}/${ours.size} done] ${names.get(runId)}: epoch ${p.epoch + 1}/${p.epochs}, batch ${p.batch}/${p.batchesPerEpoch}, loss ${p.loss.toFixed(4)}`;
      process.stderr.write(bar);
    }),
    services.events.on('onRunStatus', ({ runId, run }) => {
      if (!ours.has(runId) || !run || !isSettledRunStatus(run.status) || run.status === 'interrupted') return;
      done++;
      if (json) io.out(JSON.stringify({ event: 'run', runId, name: run.name, seed: run.seed, status: run.status, finalMetrics: run.finalMetrics, error: run.error }));
      else {
        clearBar();
        io.out(`${String(done).padStart(String(ours.size).length)}/${ours.size} ${runLine(run)}`);
      }
    }),
  ];
  // The lesson's runs are first in the queue; runs the studio left queued are not this command's to train.
  const others = store.listRuns({ status: 'queued' }).filter((r) => !ours.has(r.id)).map((r) => r.id);
  queue.start();
  queue.forget(others);
  await queue.idle();
  offs.forEach((off) => off());
  clearBar();

  if (ctx.interrupted()) {
    if (!json) io.err(`layerwise lesson: interrupted after ${done} of ${ours.size} runs; no verdict`);
    return 130;
  }
  const verdict = await services.api.lessons.verdict({ comparisonId: comparison.id });
  if (json) io.out(JSON.stringify({ event: 'verdict', ...verdict }));
  else io.out(verdictText(verdict));
  const failed = started.runs.filter((r) => !isOutcomeRunStatus(store.getRun(r.id).status));
  return verdict.ready && failed.length === 0 ? 0 : 1;
}

function runLine(run: Run): string {
  const m = run.finalMetrics;
  const metrics =
    typeof m?.testAccuracy === 'number' && typeof m.testLoss === 'number' ? `: test accuracy ${(m.testAccuracy * 100).toFixed(1)}%, test loss ${m.testLoss.toFixed(3)}` : '';
  const seconds = run.startedAt && run.finishedAt ? ` (${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s)` : '';
  return `${run.name ?? `run ${run.id}`}: ${run.status}${metrics}${run.status === 'diverged' || run.status === 'failed' ? ` — ${run.error ?? ''}` : ''}${seconds}`;
}

function listText(lessons: LessonInfo[]): string {
  return lessons
    .map((l) => [`${l.letter}) ${l.id}: ${l.title}`, `   ${l.claim}`, ...LESSON_BUDGETS.map((b) => `   ${b}: ${l.plan[b]}`)].join('\n'))
    .join('\n\n');
}

/** The verdict as a reader checks it: the outcome, what was judged against what, the numbers per arm, the text. */
export function verdictText(v: LessonVerdict): string {
  const outcome = (a: boolean | null) => (a === true ? 'appeared' : a === false ? 'did not appear' : 'not judged');
  if (!v.ready) return `verdict: not ready — ${v.text}`;
  const fmt = (x: number | null, metric: string) => (x === null ? '—' : /accuracy/i.test(metric) ? `${(x * 100).toFixed(2)}%` : formatNumber(x));
  const rows = v.arms.map((a) => [a.label, a.metric, fmt(a.mean, a.metric), a.spread === null ? '—' : `±${fmt(a.spread, a.metric)}`, String(a.seeds)]);
  return [
    `verdict: the effect ${outcome(v.appeared)}`,
    ...v.judged.map((j) => `  judged: ${j.quantity}\n          against ${j.against}: ${outcome(j.appeared)}`),
    '',
    renderTable(['arm', 'metric', 'mean', 'spread', 'seeds'], rows, new Set([2, 3, 4])),
    '',
    v.text,
  ].join('\n');
}
