// Numerical parity on the webgpu backend (a software adapter in CI: Mesa's llvmpipe through Dawn's OpenGL ES path),
// the small budget that runs in `npm test`: the quick parity cases against cpu and a short trajectory. Its own file:
// navigator.gpu and tfjs's webgpu registration are per process. Skipped, with the reason printed, where no adapter
// can be had; CI sets LAYERWISE_REQUIRE_WEBGPU=1, and there a missing adapter fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, releaseBackends, type BackendInfo } from '../../core/engine/backends/index.js';
import { formatTable, formatTrajectory, PARITY_BOUND, PARITY_CASES, runParity, runTrajectory, type ParityRow } from '../../core/engine/parity/index.js';

let info: BackendInfo | undefined;
let why = '';
try {
  info = await initBackend('webgpu');
  console.log(`webgpu parity runs on: ${info.device}`);
} catch (e) {
  why = (e as Error).message;
  console.warn(`webgpu parity tests SKIPPED: ${why}`);
}
const required = process.env.LAYERWISE_REQUIRE_WEBGPU === '1';

const rows: ParityRow[] = [];
afterAll(() => {
  if (rows.length) console.log(formatTable(rows));
  releaseBackends();
});

describe.skipIf(!info && !required)(`parity: webgpu against cpu${info ? '' : ` (no adapter: ${why})`}`, () => {
  beforeAll(() => {
    if (!info) throw new Error(`LAYERWISE_REQUIRE_WEBGPU=1 but there is no webgpu adapter: ${why}`);
  });

  it('every quick case: forward outputs and all gradients within the bound', async () => {
    const cases = PARITY_CASES.filter((c) => c.quick);
    const got = await runParity({ backends: ['cpu', 'webgpu'], cases });
    rows.push(...got.filter((r) => r.backend === 'webgpu'));
    expect(new Set(rows.map((r) => r.case)).size).toBe(cases.length);
    const over = rows.flatMap((r) => r.tensors.filter((t) => !(t.error <= PARITY_BOUND)).map((t) => `${r.case}: ${t.name} ${t.error.toExponential(2)}`));
    expect(over).toEqual([]);
  });

  it('trajectory: 3 epochs on 32 digits follow cpu within the tolerance', async () => {
    const report = await runTrajectory({ backends: ['cpu', 'webgpu'], trainCount: 32, epochs: 3, batchSize: 16 });
    console.log(formatTrajectory(report));
    expect(report.losses.webgpu).toHaveLength(3);
    expect(report.ok).toBe(true);
  });
});
