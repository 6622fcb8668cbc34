import { spawn } from 'node:child_process';
const dir = '/tmp/rtest/d1';
function serve() {
  const c = spawn(process.execPath, ['out/main/cli.js', 'serve', '--data', dir, '--redis', 'redis://127.0.0.1:16390'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = ''; c.stderr.on('data', d => { err += d; process.stderr.write('[serve] ' + d); });
  return new Promise(res => c.stdout.on('data', d => { const m = /serving at (\S+)/.exec(String(d)); if (m) res({ c, url: new URL(m[1]) }); }));
}
async function call(url, method, input) {
  const r = await fetch(`${url.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  return r.json();
}
let s = await serve();
const p = await call(s.url, 'projects.create', { name: 'x' });
const spec = { version: 1, name: 't', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3, activation: 'softmax' }] };
const run = await call(s.url, 'runs.start', { projectId: p.id, spec, dataset: { kind: 'synthetic', name: 'spiral', samples: 4000, classes: 3, noise: 0.05 }, config: { epochs: 6, batchSize: 16, seed: 11, tricks: { adam: { learningRate: 0.01 } } }, backend: 'wasm' });
for (;;) { const se = await call(s.url, 'metrics.series', { runId: run.id, names: ['loss'] }); if ((se[0]?.epochs.length ?? 0) >= 1) break; await new Promise(r => setTimeout(r, 100)); }
s.c.kill('SIGKILL'); await new Promise(r => s.c.on('exit', r));
console.log('killed serve');
s = await serve();
for (let i = 0; i < 100; i++) { const r = await call(s.url, 'runs.get', { id: run.id }); console.log(r.status, r.error); if (['completed', 'failed', 'stopped'].includes(r.status)) break; await new Promise(r => setTimeout(r, 1000)); }
s.c.kill('SIGTERM');
