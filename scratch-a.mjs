import { Queue, Worker, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
const url = 'redis://127.0.0.1:16390';
const conn = new Redis(url, { maxRetriesPerRequest: null });
const q = new Queue('t', { connection: conn });
const ev = new QueueEvents('t', { connection: new Redis(url, { maxRetriesPerRequest: null }) });
ev.on('progress', (e) => console.log('progress', e));
ev.on('failed', (e) => console.log('failed', e));
ev.on('completed', (e) => console.log('completed', e));
await ev.waitUntilReady();
const w = new Worker('t', async (job, token, signal) => {
  console.log('proc', job.id, token, !!signal, job.attemptsStarted, job.attemptsMade);
  await job.updateProgress('hello');
  return { ok: 1 };
}, { connection: new Redis(url, { maxRetriesPerRequest: null }), lockDuration: 3000, stalledInterval: 1500 });
try { await q.add('x', { a: 1 }, { jobId: 'a:b:1' }); } catch (e) { console.log('colon id', e.message); }
const j = await q.add('x', { a: 1 }, { jobId: 's1.2.abc', removeOnComplete: true });
console.log('added', j.id);
await new Promise(r => setTimeout(r, 1000));
console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(j)).filter(n => /move|wait|lock|remove/i.test(n)));
await w.close(); await ev.close(); await q.close(); conn.disconnect();
