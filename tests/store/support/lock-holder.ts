// Child process for the lock tests: opens the store as the app would and holds it.
//   hold         until killed
//   hold-ms <n>  for n ms, then closes and exits
//   unlock-file  holds the database but deletes its lock file (a lock file judged wrongly)
import { unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, Store } from '../../../core/store/index.js';

const [dir, mode = 'hold', ms = '0'] = process.argv.slice(2);
const store = Store.open(dir!, { owner: 'app' });
if (mode === 'unlock-file') unlinkSync(join(dir!, LOCK_FILE));
writeSync(1, `ready ${process.pid}\n`);
if (mode === 'hold-ms') {
  setTimeout(() => {
    store.close();
    writeSync(1, 'released\n');
  }, Number(ms));
} else {
  setInterval(() => {}, 1 << 30);
}
