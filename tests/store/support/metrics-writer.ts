// Child process for the crash tests: records a run and appends metric batches in a loop, printing
// `committed <k>` after each commit. Modes:
//   hang <k>   after batch k commits, opens a transaction, writes a large batch into it (spilling
//              uncommitted pages into the WAL), prints `mid-transaction` and waits to be killed
//   loop       writes batches until killed
import { statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sleepSync } from '../../../core/store/lock.js';
import { DB_FILE, Store } from '../../../core/store/index.js';
import { BATCH, bytes, CHECKPOINT_EVERY, seedProject } from './fixtures.js';

const [dir, mode = 'loop', hangAfter = '-1'] = process.argv.slice(2);
const store = Store.open(dir!, { owner: 'metrics-writer' });
// A tiny page cache makes SQLite write uncommitted pages of a big transaction into the WAL early.
store.sqlite.pragma('cache_size = 16');
const { newRun } = seedProject(store, 'Crash');
const run = newRun({ status: 'running' });
writeSync(1, `run ${run.id}\n`);

const batch = (k: number, size = BATCH) =>
  Array.from({ length: size }, (_, i) => ({ name: i % 2 ? 'loss' : 'accuracy', epoch: k, step: k * size + i, value: k * 1000 + i + 0.5 }));

for (let k = 0; ; k++) {
  if (mode === 'hang' && k === Number(hangAfter) + 1) {
    const walSize = () => statSync(join(dir!, `${DB_FILE}-wal`)).size;
    writeSync(1, `wal before ${walSize()}\n`);
    store.tx(() => {
      store.appendMetrics(run.id, batch(k, 20_000));
      writeSync(1, `mid-transaction wal ${walSize()}\n`);
      sleepSync(60_000);
    });
  }
  store.appendMetrics(run.id, batch(k));
  if (k % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1) {
    store.saveCheckpoint(run.id, { epoch: k, kind: 'last', weights: bytes(4096, k + 1), optimizer: bytes(8192, k + 100), manifest: { epoch: k } });
  }
  writeSync(1, `committed ${k}\n`);
}
