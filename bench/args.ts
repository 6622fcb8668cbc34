// `npm run bench` flags (bench/run.ts). `--help` prints this header.
//   --json                 print the JSON report on stdout (the human tables then go to stderr)
//   --out FILE             also write the JSON report to FILE
//   --backends a,b         backends to run (default: every one present: tensorflow, webgpu on a hardware adapter, wasm, cpu)
//   --models a,b           mlp, cnn, bn-dropout (the mnist-cnn-bn-dropout preset), resnet (mini-resnet)
//                          (default mlp,cnn,bn-dropout)
//   --batch 64,256         batch sizes (default 64,256)
//   --repeats N            timed runs per measurement, median reported (default 3); ours and PyTorch alternate run by
//                          run, each run a fresh process with its own warm-up (the machine drifts by ±30%)
//   --quick                1 run, no warm-up (a smoke test)
//   --samples N            training digits per epoch (default 8000, all of the engine's training split)
//   --slow-samples N       digits per epoch on the slow backends: cpu and software WebGPU adapters (default 2048)
//   --no-pytorch           do not look for PyTorch (otherwise /usr/bin/python3 with torch, or $LAYERWISE_BENCH_PYTHON)
//   --torch-threads 1,2    torch.set_num_threads for PyTorch, one run set each (default 1,2), each with its ratios;
//                          1 thread matches the engine's single-threaded backends and suffers least from other load
//   --torch-blas DIR       put DIR first on PyTorch's LD_LIBRARY_PATH (also $LAYERWISE_BENCH_TORCH_BLAS): Debian's torch
//                          calls whatever libblas.so.3 it finds; with the reference BLAS (libblas3) its dense layers are
//                          ~30x slower and the bench prints no ratios. A libopenblas0-pthread .deb unpacked with
//                          dpkg-deb -x gives DIR = …/openblas-pthread
//   --no-tricks            skip the trick-cost table (each trick's epoch time ÷ the plain mnist-cnn's, ours and PyTorch's)
//   --trick-samples N      training digits per epoch in the trick-cost table (default 4096)
//   --no-real-size         skip the real-size workload (one epoch of 60,000 images, mnist-cnn-bn-dropout, batch 256)
//   --real-size-data DIR   Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist; without them the
//                          bundled digits repeated to 60,000)
//   --no-overhead          skip the studio-overhead section (trainer process vs headless)
//   --no-store             skip the store figures (bench/store.ts)
//   --probe                print which backends can start here, as JSON, and exit
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../core/engine/backends/index.js';
import { DEFAULT_MODELS, parseModels, type BenchModel } from './models.js';
import { FASHION_MNIST_DIR } from './idx.js';

export const ALL_BACKENDS: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface Options {
  json: boolean;
  out?: string;
  backends?: BackendName[];
  models: BenchModel[];
  batchSizes: number[];
  repeats: number;
  warmup: boolean;
  samples: number;
  slowSamples: number;
  pytorch: boolean;
  torchBlas?: string;
  torchThreads: number[];
  tricks: boolean;
  trickSamples: number;
  realSize: boolean;
  realSizeData: string;
  overhead: boolean;
  store: boolean;
  probe: boolean;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    json: false,
    models: [...DEFAULT_MODELS],
    batchSizes: [64, 256],
    repeats: 3,
    warmup: true,
    samples: 8000,
    slowSamples: 2048,
    pytorch: true,
    torchThreads: [1, 2],
    tricks: true,
    trickSamples: 4096,
    realSize: true,
    realSizeData: FASHION_MNIST_DIR,
    overhead: true,
    store: true,
    probe: false,
  };
  const positive = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer (got ${v ?? 'nothing'})`);
    return n;
  };
  let quick = false;
  let repeats: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case '--json': o.json = true; break;
      case '--out': o.out = next(); break;
      case '--backends': {
        const list = (next() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        for (const b of list) if (!ALL_BACKENDS.includes(b as BackendName)) throw new Error(`unknown backend '${b}' (known: ${ALL_BACKENDS.join(', ')})`);
        o.backends = list as BackendName[];
        break;
      }
      case '--models': o.models = parseModels(next() ?? ''); break;
      case '--batch': o.batchSizes = (next() ?? '').split(',').map((s) => positive('--batch', s)); break;
      case '--repeats': repeats = positive('--repeats', next()); break;
      case '--quick': quick = true; break;
      case '--samples': o.samples = positive('--samples', next()); break;
      case '--slow-samples': o.slowSamples = positive('--slow-samples', next()); break;
      case '--no-pytorch': o.pytorch = false; break;
      case '--torch-blas': o.torchBlas = next(); break;
      case '--torch-threads': o.torchThreads = (next() ?? '').split(',').map((t) => positive('--torch-threads', t)); break;
      case '--no-tricks': o.tricks = false; break;
      case '--trick-samples': o.trickSamples = positive('--trick-samples', next()); break;
      case '--no-real-size': o.realSize = false; break;
      case '--real-size-data': o.realSizeData = next() ?? ''; break;
      case '--no-overhead': o.overhead = false; break;
      case '--no-store': o.store = false; break;
      case '--probe': o.probe = true; break;
      case '--help':
      case '-h':
        process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0]!.replace(/^\/\/ ?/gm, '')}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag '${a}' (see bench/args.ts, or --help)`);
    }
  }
  if (quick) {
    o.repeats = 1;
    o.warmup = false;
  }
  if (repeats) o.repeats = repeats;
  return o;
}
