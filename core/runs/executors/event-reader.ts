// The studio's end of its event stream (layerwise:studio:<id>:events): a consumer group read on a connection of its
// own. Entries are handed to the job they belong to strictly in stream order, one at a time (a checkpoint's bytes
// are read before the next entry). An entry stays pending in the group until the job acknowledges it, which it does
// only once what the entry said is durable in the store (its next checkpoint, or its outcome): after a crash of the
// studio, the pending entries are delivered again and nothing recorded since the last checkpoint is lost. Entries of
// a job no handler has attached yet wait in memory (a restarted studio attaches its jobs as the queue starts them).
import type { Redis } from 'ioredis';
import { decodeWire, parseWorkerEnvelope, type WorkerEnvelope } from '../../../shared/index.js';
import { STUDIO_GROUP } from '../../redis/index.js';

export interface StreamEntry {
  id: string;
  envelope: WorkerEnvelope;
}

type Handler = (entry: StreamEntry) => Promise<void>;

const CONSUMER = 'main';
const BLOCK_MS = 1_000;

export class EventReader {
  private readonly handlers = new Map<string, Handler>();
  private readonly waiting = new Map<string, StreamEntry[]>();
  /** Jobs whose entries are kept for a handler; an entry of any other job is dropped once `known` is set. */
  private known: ((job: string) => boolean) | null = null;
  private work: Promise<void> = Promise.resolve();
  private syncWaiters: (() => void)[] = [];
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly stream: string,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      if (!this.closed) this.log(`the event stream stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Hands the job's entries to `handler`: those already read first, in order, then each as it arrives. */
  attach(job: string, handler: Handler): void {
    this.handlers.set(job, handler);
    this.serial(async () => {
      const queued = this.waiting.get(job) ?? [];
      this.waiting.delete(job);
      for (const entry of queued) await this.deliver(handler, entry);
    });
  }

  detach(job: string): void {
    this.handlers.delete(job);
  }

  /** From now on, entries of jobs `known` rejects (and have no handler) are dropped; those waiting now too. */
  keepOnly(known: (job: string) => boolean): void {
    this.known = known;
    this.serial(async () => {
      for (const [job, entries] of [...this.waiting]) {
        if (known(job) || this.handlers.has(job)) continue;
        this.waiting.delete(job);
        await this.ack(entries.map((e) => e.id));
      }
    });
  }

  /** Resolves once every entry added to the stream before this call has been handed on (or is waiting). */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Acknowledges entries and deletes them from the stream (what they said is in the store). */
  async ack(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.commands.multi().xack(this.stream, STUDIO_GROUP, ...ids).xdel(this.stream, ...ids).exec();
  }

  /** Stops reading; resolves once the entries already read are handed on (or at once if Redis is away). */
  async close(): Promise<void> {
    this.closed = true;
    this.syncWaiters.splice(0).forEach((w) => w());
    this.blocking.disconnect();
    await this.work;
  }


  // ---- internals ----

  private serial(fn: () => Promise<void>): void {
    this.work = this.work.then(fn).catch((error: unknown) => this.log(`the event stream: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async deliver(handler: Handler, entry: StreamEntry): Promise<void> {
    try {
      await handler(entry);
    } catch (error) {
      this.log(`job ${entry.envelope.job}: a report could not be recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async run(): Promise<void> {
    await this.ensureGroup();
    // First what was delivered before and never acknowledged (a previous run of the studio), then what is new.
    let pendingFrom = '0';
    while (!this.closed) {
      const from = pendingFrom;
      // A sync is answered by a read of new entries that began after it was asked for.
      const waiters = from === '>' ? this.syncWaiters.splice(0) : [];
      let entries: StreamEntry[];
      try {
        const reply = await this.blocking.call('XREADGROUP', 'GROUP', STUDIO_GROUP, CONSUMER, 'COUNT', '200', ...(from === '>' ? ['BLOCK', String(BLOCK_MS)] : []), 'STREAMS', this.stream, from);
        entries = this.parse(reply);
        if (from !== '>') pendingFrom = entries.length ? entries[entries.length - 1]!.id : '>';
      } catch (error) {
        if (this.closed) break;
        const text = error instanceof Error ? error.message : String(error);
        // Redis lost the stream (restarted without persistence): make the group again and carry on.
        if (/NOGROUP/.test(text)) await this.ensureGroup().catch(() => undefined);
        else this.log(`reading the event stream failed: ${text}; retrying`);
        this.syncWaiters.unshift(...waiters);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      for (const entry of entries) this.serial(() => this.route(entry));
      const done = this.work;
      void done.then(() => waiters.forEach((w) => w()));
    }
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.commands.call('XGROUP', 'CREATE', this.stream, STUDIO_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test(error instanceof Error ? error.message : String(error))) throw error;
    }
  }

  private async route(entry: StreamEntry): Promise<void> {
    const job = entry.envelope.job;
    const handler = this.handlers.get(job);
    if (handler) return this.deliver(handler, entry);
    if (this.known && !this.known(job)) return this.ack([entry.id]);
    const queued = this.waiting.get(job);
    if (queued) queued.push(entry);
    else this.waiting.set(job, [entry]);
  }

  /** Stream entries from an XREADGROUP reply (RESP2 `[[stream, entries]]` or RESP3's flattened map `[stream, entries]`). */
  private parse(reply: unknown): StreamEntry[] {
    if (!Array.isArray(reply) || reply.length === 0) return [];
    const raw = (Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1]) as [string, string[]][] | undefined;
    const out: StreamEntry[] = [];
    for (const [id, fields] of raw ?? []) {
      const index = fields?.indexOf('m') ?? -1;
      const text = index >= 0 ? fields[index + 1] : undefined;
      let envelope: WorkerEnvelope | null = null;
      let problem = 'it has no message';
      if (typeof text === 'string') {
        try {
          const parsed = parseWorkerEnvelope(decodeWire(text));
          if (parsed.ok) envelope = parsed.value;
          else problem = parsed.errors.map((e) => e.message).join('; ');
        } catch (error) {
          problem = error instanceof Error ? error.message : String(error);
        }
      }
      if (envelope) out.push({ id, envelope });
      else {
        this.log(`ignored an invalid report in the event stream (${id}): ${problem.slice(0, 500)}`);
        void this.ack([id]).catch(() => undefined);
      }
    }
    return out;
  }
}
