// How the studio's pause, resume, stop and kill reach a worker: the studio writes the job's control state (a hash,
// so a state set while the job waited, or while this worker was reconnecting, is never missed) and publishes the job
// id on one channel; each worker process keeps one subscriber connection and re-reads the state of every job it
// runs when a message names it and whenever the subscription is (re)established.
import type { Redis } from 'ioredis';
import { CONTROL_CHANNEL, CONTROL_STATES, jobKeys, type ControlState } from '../redis/index.js';

export class ControlBoard {
  private readonly watchers = new Map<string, (state: ControlState) => void>();

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly log: (message: string) => void,
  ) {
    subscriber.on('message', (channel: string, job: string) => {
      if (channel === CONTROL_CHANNEL && this.watchers.has(job)) void this.refresh(job);
    });
    // ioredis subscribes again after a reconnect; messages sent meanwhile are lost, the states are not.
    subscriber.on('ready', () => {
      for (const job of this.watchers.keys()) void this.refresh(job);
    });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(CONTROL_CHANNEL);
  }

  /** Calls `apply` with the job's control state now and on every change, until the returned function is called. */
  watch(job: string, apply: (state: ControlState) => void): () => void {
    this.watchers.set(job, apply);
    void this.refresh(job);
    return () => void this.watchers.delete(job);
  }

  private async refresh(job: string): Promise<void> {
    try {
      const state = await this.commands.hget(jobKeys(job).control, 'state');
      if (state !== null && (CONTROL_STATES as readonly string[]).includes(state)) this.watchers.get(job)?.(state as ControlState);
    } catch (error) {
      this.log(`could not read the control state of job ${job}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
