// Where the queue's order survives a restart. Queued runs themselves are rows in the store (status
// `queued`); their order is not (the runs table has no position column yet), so it is kept here: a small
// JSON file in the data folder, written atomically. A missing, unreadable or stale file only loses the
// order (runs then start oldest first), never a run.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface QueueOrderStore {
  /** The saved order of queued run ids (possibly naming runs that no longer wait). */
  load(): number[];
  save(runIds: readonly number[]): void;
}

export const QUEUE_ORDER_FILE = 'queue-order.json';

export function memoryQueueOrder(initial: number[] = []): QueueOrderStore {
  let saved = [...initial];
  return {
    load: () => [...saved],
    save: (ids) => {
      saved = [...ids];
    },
  };
}

export function fileQueueOrder(dataDir: string): QueueOrderStore {
  const file = join(dataDir, QUEUE_ORDER_FILE);
  return {
    load() {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { runIds?: unknown };
        return Array.isArray(parsed.runIds) ? parsed.runIds.filter((id): id is number => Number.isSafeInteger(id) && id > 0) : [];
      } catch {
        return [];
      }
    },
    save(ids) {
      const tmp = `${file}.tmp-${process.pid}`;
      try {
        writeFileSync(tmp, JSON.stringify({ version: 1, runIds: ids }));
        renameSync(tmp, file);
      } catch {
        rmSync(tmp, { force: true });
      }
    },
  };
}

/** Queued run ids in the saved order first, then the rest oldest first. */
export function orderQueued(queued: readonly number[], saved: readonly number[]): number[] {
  const waiting = new Set(queued);
  const first = saved.filter((id, i) => waiting.has(id) && saved.indexOf(id) === i);
  const placed = new Set(first);
  return [...first, ...[...queued].sort((a, b) => a - b).filter((id) => !placed.has(id))];
}
