// `npm run parity`: every parity case on every backend present here, compared with cpu (and cpu with float64),
// then trajectory parity. Prints the table; exits 1 on any breach (a tensor over the bound, a trajectory over its
// tolerance, or a required backend missing).
//   --quick            only the cases marked quick (what `npm test` runs)
//   --batch N          digits per batch (default 16)
//   --only TEXT        only the cases whose name contains TEXT
//   --train N          training digits for the trajectory (default 256)
//   --verbose          every tensor of every row
//   --no-trajectory    skip the training runs
//   --no-relaxed       do not repeat the check with the relaxed-SIMD build
//   --stock-wasm K,…   run wasm with tfjs's own kernels K (e.g. MaxPoolGrad,Sum,Mean) instead of the engine's: shows
//                      what the engine's replacements fix (and that a breach exits 1)
// LAYERWISE_REQUIRE_WEBGPU=1 makes a missing webgpu adapter a failure (as in CI).
// Where this Node runs the engine's kernels without relaxed SIMD (Node 20 without its flag), the whole check then runs
// again in a child process with the flag (the build the trainer process runs: FMA in the products and convolutions),
// and either run's breach fails it. --no-relaxed skips that second run.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, releaseBackends, type BackendName } from '../core/engine/backends/index.js';
import { registerEngineKernels, stockKernel } from '../core/engine/kernels/index.js';
import { relaxedSimdSupported, trainerExecArgv } from '../core/engine/kernels/simd/relaxed.js';
import { breaches, formatTable, formatTrajectory, PARITY_CASES, runParity, runTrajectory } from '../core/engine/parity/index.js';

const args = process.argv.slice(2);
const flag = (f: string) => args.includes(f);
const value = (f: string, d: number) => {
  const i = args.indexOf(f);
  return i >= 0 ? Number(args[i + 1]) : d;
};

const stockWasm = args.includes('--stock-wasm') ? args[args.indexOf('--stock-wasm') + 1]!.split(',') : [];
/** initBackend re-registers the engine's kernels: swap tfjs's own back in each time wasm becomes current. */
const onBackend = (backend: BackendName) => {
  if (backend !== 'wasm') return;
  for (const name of stockWasm) {
    const stock = stockKernel(name, 'wasm');
    if (!stock) throw new Error(`tfjs has no wasm kernel ${name} of its own`);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
    stock.setupFunc?.(tf.backend());
  }
};
if (stockWasm.length) console.log(`wasm runs with tfjs's own ${stockWasm.join(', ')} (not the engine's)`);

let failed = false;
const backends: BackendName[] = ['cpu'];
for (const name of ['wasm', 'webgpu'] as const) {
  try {
    const info = await initBackend(name);
    backends.push(name);
    console.log(`backend ${name}: ${info.device}`);
  } catch (e) {
    const required = name === 'wasm' || (name === 'webgpu' && process.env.LAYERWISE_REQUIRE_WEBGPU === '1');
    console.log(`backend ${name}: ${required ? 'MISSING (required)' : 'skipped'}: ${(e as Error).message}`);
    if (required) failed = true;
  }
}

try {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : '';
  const cases = PARITY_CASES.filter((c) => (!flag('--quick') || c.quick) && c.name.includes(only));
  const t0 = performance.now();
  const rows = await runParity({ backends, cases, batch: value('--batch', 16), onBackend });
  console.log(`\n${formatTable(rows)}`);
  console.log(`(${cases.length} cases × ${backends.length} backends in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (flag('--verbose')) {
    for (const r of rows) {
      console.log(`\n${r.case} — ${r.backend} vs ${r.against} (${r.ms.toFixed(0)} ms)`);
      for (const t of r.tensors) console.log(`  ${t.name.padEnd(40)} ${t.error.toExponential(2)}  (max|ref| ${t.scale.toExponential(2)})`);
    }
  }
  const vacuous = rows.flatMap((r) => r.tensors.filter((t) => t.scale === 0 && t.name.startsWith('grad')).map((t) => `${r.case}: ${t.name}`));
  if (vacuous.length) console.log(`\nall-zero reference gradients (compared, but vacuous): ${[...new Set(vacuous)].join('; ')}`);
  const over = breaches(rows);
  if (over.length) {
    failed = true;
    console.log(`\nBREACH: ${over.map((r) => `${r.case} on ${r.backend} (${r.worst}: ${r.error.toExponential(2)})`).join('; ')}`);
  }
  if (!flag('--no-trajectory')) {
    const report = await runTrajectory({ backends, trainCount: value('--train', 256), epochs: 3, onBackend });
    console.log(`\n${formatTrajectory(report)}`);
    if (!report.ok) failed = true;
  }
} finally {
  registerEngineKernels();
  releaseBackends();
}
if (!relaxedSimdSupported() && !flag('--no-relaxed') && !stockWasm.length) {
  console.log('\nagain with the relaxed-SIMD build (the trainer process\'s), in a child process:');
  const r = spawnSync(process.execPath, [...trainerExecArgv(), ...process.argv.slice(1), '--no-relaxed'], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
console.log(failed ? '\nparity: FAILED' : '\nparity: ok');
process.exitCode = failed ? 1 : 0;
