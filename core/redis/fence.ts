// The fence: only the attempt that owns a job may add to its studio's event stream. An attempt takes ownership when
// it starts (`claim`: its BullMQ lock token becomes the job's owner), and every report it makes afterwards goes
// through a Lua script that checks the owner and writes in one atomic step. A worker that lost its job (it was
// presumed dead when its lock expired, and another worker took the job over) can therefore never add a message
// after the new attempt's claim, however late it wakes up: the studio sees each job's messages in ownership order.
import type { Redis } from 'ioredis';
import { jobKeys, type ControlState } from './keys.js';

const PUBLISH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])
return 1`;

// A staged checkpoint becomes the newest of its kind: renamed into place, the pointer moved, the checkpoint it
// replaces deleted (the studio keeps only the newest best and last checkpoints too), and the message added.
const COMMIT_CHECKPOINT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  redis.call('DEL', KEYS[3])
  return 0
end
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local previous = redis.call('GET', KEYS[5])
redis.call('RENAME', KEYS[3], KEYS[4])
redis.call('PERSIST', KEYS[4])
redis.call('SET', KEYS[5], KEYS[4])
if previous and previous ~= KEYS[4] then redis.call('DEL', previous) end
redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])
return 1`;

/** How long a staged checkpoint survives a writer that dies before committing it. */
export const STAGE_TTL_S = 3600;

/** Makes `token` the job's owner (the attempt BullMQ just gave the job to); the previous owner is fenced out. */
export async function claimJob(redis: Redis, job: string, token: string): Promise<{ control: ControlState | null; latest: (string | null)[] }> {
  const keys = jobKeys(job);
  const tx = redis.multi().set(keys.owner, token).hget(keys.control, 'state');
  for (const k of keys.latestAll) tx.get(k);
  const replies = (await tx.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return { control: (replies[1]?.[1] as ControlState | null) ?? null, latest: replies.slice(2).map(([, v]) => (v as string | null) ?? null) };
}

/** Adds `message` to the events stream if `token` still owns the job; false when it does not (stop reporting). */
export async function publishFenced(redis: Redis, job: string, events: string, token: string, message: string): Promise<boolean> {
  return (await redis.eval(PUBLISH, 2, jobKeys(job).owner, events, token, message)) === 1;
}

/**
 * Moves a staged checkpoint into place as the newest of `kind` and adds `message`, if `token` still owns the job.
 * Returns false when it does not (the staged bytes are dropped).
 */
export async function commitCheckpointFenced(
  redis: Redis,
  args: { job: string; events: string; token: string; stage: string; blob: string; kind: 'best' | 'last' | 'periodic'; message: string },
): Promise<boolean> {
  const keys = jobKeys(args.job);
  const result = await redis.eval(COMMIT_CHECKPOINT, 5, keys.owner, args.events, args.stage, args.blob, keys.latest(args.kind), args.token, args.message);
  if (result === -1) throw new Error(`the staged checkpoint ${args.stage} expired before it was committed`);
  return result === 1;
}
