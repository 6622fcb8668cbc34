// The bench's pure parts (FLOP counts, the median, the ratios, the peak, the store figures), the JSON report of a
// real `bench/run.ts` child process, and scripts/gpu-bench.sh's checks. Timing is never asserted.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countFlops } from '../../bench/flops.js';
import { benchConfig, CNN_SPEC, MLP_SPEC, parseModels } from '../../bench/models.js';
import { median, parseStoreOutput, peakFromCpuinfo, ratios, type PytorchRow, type ResultRow } from '../../bench/report.js';
import { findPreset } from '../../core/presets/load.js';
import { repoRoot } from '../support/build.js';

describe('FLOPs per training sample', () => {
  it('counts the MLP exactly: 784·128 + 128·10 multiply-adds forward, no input gradient for the first layer', () => {
    const f = countFlops(MLP_SPEC);
    expect(f.layers.map((l) => [l.type, l.macs, l.inputGradient])).toEqual([
      ['dense', 100_352, false],
      ['dense', 1_280, true],
    ]);
    expect(f.forward).toBe(203_264);
    expect(f.backward).toBe(205_824);
    expect(f.total).toBe(409_088);
  });

  it('counts the CNN exactly (valid 3×3 convolutions: 26·26·8·9, 11·11·16·72; dense 400·10)', () => {
    const f = countFlops(CNN_SPEC);
    expect(f.layers.map((l) => [l.type, l.macs, l.inputGradient])).toEqual([
      ['conv2d', 48_672, false],
      ['conv2d', 139_392, true],
      ['dense', 4_000, true],
    ]);
    expect(f.forward).toBe(384_128);
    expect(f.backward).toBe(670_912);
    expect(f.total).toBe(1_055_040);
  });

  it('counts the mini-resnet preset, its strided same-padded block and 1×1 projection included', () => {
    const f = countFlops(findPreset('mini-resnet').model);
    expect(f.layers.map((l) => l.macs)).toEqual([112_896, 451_584, 451_584, 225_792, 451_584, 25_088, 320]);
    expect(f.layers.find((l) => l.type === 'projection')?.path).toBe('layers[4].projection');
    expect(f.total).toBe(10_087_296);
  });
});

describe('bench arithmetic', () => {
  it('takes the median of odd and even counts and refuses none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });

  it('divides ours by PyTorch for the same model and batch size, and skips rows without a PyTorch figure', () => {
    const row = (backend: string, model: 'mlp' | 'cnn', batchSize: number, samplesPerSecond: number) =>
      ({ backend, model, batchSize, samplesPerSecond }) as ResultRow;
    const py = (model: 'mlp' | 'cnn', batchSize: number, samplesPerSecond: number) => ({ model, batchSize, samplesPerSecond }) as PytorchRow;
    expect(ratios([row('wasm', 'cnn', 256, 4000), row('cpu', 'cnn', 256, 160), row('wasm', 'mlp', 64, 9000), row('wasm', 'cnn', 64, 1)], [py('cnn', 256, 16_000), py('mlp', 64, 30_000)])).toEqual([
      { model: 'cnn', batchSize: 256, backend: 'wasm', vsPytorch: 0.25 },
      { model: 'cnn', batchSize: 256, backend: 'cpu', vsPytorch: 0.01 },
      { model: 'mlp', batchSize: 64, backend: 'wasm', vsPytorch: 0.3 },
    ]);
  });

  it('states a peak from the CPU flags and clock', () => {
    const info = (flags: string) => `processor\t: 0\ncpu MHz\t\t: 2445.404\nflags\t\t: ${flags}\n`;
    expect(peakFromCpuinfo(info('fpu sse sse2 avx fma avx2'), 2).gflops).toBe(156.5);
    expect(peakFromCpuinfo(info('fpu sse avx2 fma avx512f'), 2).gflops).toBe(313);
    expect(peakFromCpuinfo(info('fpu sse sse2'), 1).gflops).toBe(19.6);
    expect(peakFromCpuinfo('', 2).gflops).toBeNull();
  });

  it("reads bench/store.ts's figures", () => {
    const text = [
      'store bench (/tmp/x)',
      'ok  insert 1,000,000 metric points in 1,000 batches: 2.47 s (405,489 points/s; target < 5 s)',
      'ok  load curves of 20 runs x 10,000 points (200,000): first 94.1 ms, median of 7 91.5 ms (target < 150 ms) (each: 94, 95 ms)',
      'database 27.1 MB',
    ].join('\n');
    expect(parseStoreOutput(text)).toEqual({
      insertPoints: 1_000_000,
      insertSeconds: 2.47,
      pointsPerSecond: 405_489,
      compareRuns: 20,
      comparePointsPerRun: 10_000,
      compareLoadMs: 91.5,
      compareFirstLoadMs: 94.1,
      databaseMb: 27.1,
    });
    expect(() => parseStoreOutput('something else')).toThrow(/unexpected/);
  });

  it('trains every model with Adam at 0.001 on [0, 1] pixels for one epoch', () => {
    expect(benchConfig(256)).toMatchObject({ epochs: 1, batchSize: 256, seed: 1, tricks: { scaleUnit: {}, adam: { learningRate: 0.001 } } });
    expect(parseModels('mlp,resnet,bn-dropout')).toEqual(['mlp', 'resnet', 'bn-dropout']);
    expect(() => parseModels('mlp,vgg')).toThrow(/unknown model 'vgg'/);
  });
});

const runBench = (args: string[]) =>
  spawnSync(process.execPath, ['--import', './tests/store/support/register.mjs', 'bench/run.ts', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 90_000 });

describe('bench/run.ts as a child process', () => {
  it('prints a JSON report of the expected shape on stdout, the tables on stderr', () => {
    const r = runBench(['--quick', '--json', '--backends', 'cpu', '--models', 'mlp', '--batch', '64', '--no-pytorch', '--samples', '512', '--no-tricks', '--no-real-size', '--no-overhead', '--no-store']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['date', 'machine', 'results', 'ratios', 'pytorch', 'tricks', 'realSize', 'overhead', 'store']));
    expect(Number.isNaN(Date.parse(report.date as string))).toBe(false);
    expect(report.machine).toMatchObject({ cpus: expect.any(Number), cpuModel: expect.any(String), node: process.versions.node, tfjs: '4.22.0', torch: null });
    const results = report.results as ResultRow[];
    expect(results).toHaveLength(1);
    const [row] = results;
    expect(row).toMatchObject({ backend: 'cpu', model: 'mlp', batchSize: 64, samples: 512, flopsPerSample: 409_088 });
    for (const key of ['samplesPerSecond', 'peakRssMb', 'msPerStep', 'gflops'] as const) {
      expect(typeof row![key]).toBe('number');
      expect(row![key]).toBeGreaterThan(0);
    }
    expect((row!.msPerStep * row!.samplesPerSecond) / 64_000).toBeCloseTo(1, 3);
    expect(report.ratios).toEqual([]);
    expect(report.pytorch).toEqual([]);
    expect(report.tricks).toBeNull();
    expect(report.realSize).toBeNull();
    expect(report.overhead).toBeNull();
    expect(report.store).toBeNull();
    expect(r.stderr).toMatch(/cpu\s+mlp\s+64\s+512/);
    expect(r.stderr).toMatch(/PyTorch: not run/);
  }, 90_000);

  it('refuses an unknown flag, backend or model, naming it', () => {
    expect(runBench(['--frobnicate'])).toMatchObject({ status: 64, stderr: expect.stringMatching(/unknown flag '--frobnicate'/) });
    expect(runBench(['--backends', 'cuda'])).toMatchObject({ status: 64, stderr: expect.stringMatching(/unknown backend 'cuda'/) });
    expect(runBench(['--models', 'vgg'])).toMatchObject({ status: 64, stderr: expect.stringMatching(/unknown model 'vgg'/) });
  });
});

describe('scripts/gpu-bench.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-gpu-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(repoRoot, 'scripts/gpu-bench.sh');
  const run = (args: string[]) => spawnSync('bash', [script, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LAYERWISE_VULKAN_DEB: '' } });
  const hasDpkg = spawnSync('dpkg-deb', ['--version']).status === 0;

  /** A stand-in libvulkan1 package: the real file layout, an ELF header for a library. */
  function fakeDeb(name: string, withLoader: boolean): string {
    const root = join(dir, name);
    const lib = join(root, 'usr/lib/x86_64-linux-gnu');
    mkdirSync(join(root, 'DEBIAN'), { recursive: true });
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(root, 'DEBIAN/control'), `Package: ${withLoader ? 'libvulkan1' : 'libfoo1'}\nVersion: 1.3.239.0-1\nArchitecture: amd64\nMaintainer: test <t@example.org>\nDescription: stand-in\n`);
    if (withLoader) {
      writeFileSync(join(lib, 'libvulkan.so.1.3.239'), Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]));
      spawnSync('ln', ['-s', 'libvulkan.so.1.3.239', join(lib, 'libvulkan.so.1')]);
    } else {
      writeFileSync(join(lib, 'libfoo.so.1'), 'x');
    }
    chmodSync(join(root, 'DEBIAN'), 0o755);
    const deb = join(dir, `${name}.deb`);
    const built = spawnSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
    return deb;
  }

  it('--check unpacks the given libvulkan1 package and prints the plan', { skip: !hasDpkg }, () => {
    const r = run(['--check', '--vulkan-deb', fakeDeb('libvulkan1_test_amd64', true)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Vulkan loader: libvulkan1_test_amd64\.deb .*unpacked to .*usr\/lib\/x86_64-linux-gnu/);
    expect(r.stderr).toMatch(/--backends webgpu,wasm --models cnn,resnet --batch 256/);
    expect(r.stderr).toMatch(/goal >= 10x on cnn/);
  });

  it('fails with a clear message on a missing or wrong package', { skip: !hasDpkg }, () => {
    expect(run(['--check', '--vulkan-deb', join(dir, 'nope.deb')])).toMatchObject({ status: 2, stderr: expect.stringMatching(/'.*nope\.deb' does not exist/) });
    expect(run(['--check', '--vulkan-deb', fakeDeb('libfoo1', false)])).toMatchObject({ status: 2, stderr: expect.stringMatching(/holds no libvulkan\.so\.1: it must be the libvulkan1 package/) });
    expect(run(['--frob'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown option '--frob'/) });
  });

  it('says so when no hardware WebGPU adapter appears (or names the one it found)', { skip: !hasDpkg }, () => {
    const r = run(['--probe-only', '--no-nvidia-smi', '--vulkan-deb', fakeDeb('libvulkan1_probe_amd64', true)]);
    if (r.status === 0) expect(r.stderr).toMatch(/WebGPU adapter: /);
    else expect(r).toMatchObject({ status: 3, stderr: expect.stringMatching(/no (hardware )?WebGPU adapter appeared/) });
  });

  it('is valid bash', () => {
    expect(existsSync(script)).toBe(true);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
  });
});
