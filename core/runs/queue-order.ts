// Where the queue's order survives a restart: queued runs are rows in the store (status `queued`) and their
// order is the runs' queue_position column. A stale order only loses places (those runs then start oldest
// first), never a run.
import type { Store } from '../store/index.js';

export interface QueueOrderStore {
  /** The saved order of queued run ids (possibly naming runs that no longer wait). */
  load(): number[];
  save(runIds: readonly number[]): void;
}

export function memoryQueueOrder(initial: number[] = []): QueueOrderStore {
  let saved = [...initial];
  return {
    load: () => [...saved],
    save: (ids) => {
      saved = [...ids];
    },
  };
}

/** The order kept in the store itself (runs.queue_position), written in one transaction with the runs. */
export function storeQueueOrder(store: Pick<Store, 'queueOrder' | 'setQueueOrder'>): QueueOrderStore {
  return { load: () => store.queueOrder(), save: (ids) => store.setQueueOrder(ids) };
}

/** Queued run ids in the saved order first, then the rest oldest first. */
export function orderQueued(queued: readonly number[], saved: readonly number[]): number[] {
  const waiting = new Set(queued);
  const first = saved.filter((id, i) => waiting.has(id) && saved.indexOf(id) === i);
  const placed = new Set(first);
  return [...first, ...[...queued].sort((a, b) => a - b).filter((id) => !placed.has(id))];
}
