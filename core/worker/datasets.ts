// A run on the user's own data (a CSV table or an image folder, imported in the studio) trains from the prepared
// file the import made. A worker does not share the studio's disk: the studio puts the file's bytes in Redis and the
// worker copies them once into a cache folder of its own, named by the file's sha256 (the dataset's fingerprint),
// which the engine checks again when it loads the file. MNIST and the synthetic sets need nothing: every install has them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { DatasetRef } from '../../shared/index.js';
import { getParts } from '../redis/index.js';

export class DatasetCache {
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly redis: Redis,
    private readonly dir: string,
  ) {}

  /** The dataset reference with `file` pointing at this worker's copy (fetched from `key` when needed). */
  async localize(dataset: DatasetRef, key: string | null): Promise<DatasetRef> {
    if (dataset.kind !== 'csv' && dataset.kind !== 'images') return dataset;
    if (!key) throw new Error(`dataset "${dataset.name}" is a file in the studio's data folder and the job carries no copy of it`);
    const fingerprint = dataset.fingerprint;
    let pending = this.fetching.get(fingerprint);
    if (!pending) {
      pending = this.fetch(fingerprint, key);
      this.fetching.set(fingerprint, pending);
      pending.catch(() => this.fetching.delete(fingerprint));
    }
    return { ...dataset, file: await pending };
  }

  private async fetch(fingerprint: string, key: string): Promise<string> {
    const file = join(this.dir, `${fingerprint}.lwds`);
    if (existsSync(file) && createHash('sha256').update(readFileSync(file)).digest('hex') === fingerprint) return file;
    const read = await getParts(this.redis, key, ['data']);
    if (!read) throw new Error(`the dataset file ${fingerprint} is no longer in Redis`);
    const bytes = read.parts[0]!;
    if (createHash('sha256').update(bytes).digest('hex') !== fingerprint) throw new Error(`the dataset file in Redis does not have the fingerprint ${fingerprint}`);
    mkdirSync(this.dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return file;
  }
}
