// One name per run, the same in every view: its project-wide number and what differs from the run it was made
// from — `#7 · dropout off`, `#9 · seed 4`, `#12 · optimizer sgd (learningRate 0.1)`. The run it was made from
// is its group's base (an ablation arm or a seed repeat: the base run; a lesson's arms: the lesson's first
// run), else the project's run just before it (what the user changed since the last Train).
import { diffRuns, type DiffRow, type RunSetup } from './config-diff.js';

/** What naming needs of a run. */
export interface NameableRun {
  id: number;
  /** The project-wide run number. */
  number: number;
}

/** What naming needs of a comparison: how it was made and from which run. */
export interface NameableGroup {
  id: number;
  kind: string;
  baseRunId: number | null;
  runIds: readonly number[];
}

/** Differences shown in a name at most; the rest are counted (`+2 more`). */
export const NAME_DIFFERENCES = 2;

/**
 * The run each run is named against (null for a project's first run). Groups are read in id order, so a run
 * in several groups is named against the first one that made it.
 */
export function parentsOf(runs: readonly NameableRun[], groups: readonly NameableGroup[]): Map<number, number | null> {
  const known = new Set(runs.map((r) => r.id));
  const fromGroup = new Map<number, number>();
  for (const g of [...groups].sort((a, b) => a.id - b.id)) {
    const base = g.baseRunId ?? (g.kind === 'lesson' ? g.runIds[0] : undefined);
    if (base === undefined || base === null || !known.has(base) || g.kind === 'manual') continue;
    for (const id of g.runIds) if (id !== base && !fromGroup.has(id)) fromGroup.set(id, base);
  }
  const byNumber = [...runs].sort((a, b) => a.number - b.number);
  const out = new Map<number, number | null>();
  byNumber.forEach((run, i) => out.set(run.id, fromGroup.get(run.id) ?? byNumber[i - 1]?.id ?? null));
  return out;
}

/** `model.layers[2].units` → `layers[2].units`: the editor's own path. */
function fieldName(field: string): string {
  return field.startsWith('model.') ? field.slice('model.'.length) : field;
}

/** The differences as a run's name reads them: `dropout off, seed 4 (+1 more)`; '' when there are none. */
export function differenceText(rows: readonly DiffRow[], max = NAME_DIFFERENCES): string {
  const parts = rows.slice(0, max).map((row) => `${fieldName(row.field)} ${row.values[row.values.length - 1]}`);
  const more = rows.length - parts.length;
  return parts.join(', ') + (more > 0 ? ` (+${more} more)` : '');
}

/** What differs in `run` from `parent` (their backends aside: the same experiment on another backend is the same run). */
export function runDifference(parent: RunSetup, run: RunSetup): DiffRow[] {
  const strip = (s: RunSetup): RunSetup => ({ spec: s.spec, config: s.config, dataset: s.dataset });
  return diffRuns([strip(parent), strip(run)]);
}
