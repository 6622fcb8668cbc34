// How many physical cores this machine gives us: the default thread count. SMT siblings (hyper-threads) share one
// core's SIMD units, so a second training thread on a sibling adds little; a thread per physical core is what scales.
//   Linux: sysfs topology (distinct package + core ids of the CPUs this process may run on), else /proc/cpuinfo
//     (distinct "physical id" + "core id" pairs), capped by the cgroup CPU quota (containers) and the affinity mask.
//   macOS: `sysctl -n hw.physicalcpu`.
//   Windows: Win32_Processor's NumberOfCores through PowerShell (once, ≤ 3 s); when that fails, os.cpus() halved
//     when there are 4 or more logical CPUs (SMT is the norm there), else all of them.
//   Anything else, or nothing readable: the logical CPUs (os.availableParallelism()).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, platform } from 'node:os';

/** Distinct cores in /proc/cpuinfo text (pairs of "physical id" and "core id"), or null when it names none. */
export function coresFromCpuinfo(text: string): number | null {
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(\\S+)`, 'm').exec(block)?.[1];
    const core = field('core id');
    if (core === undefined) continue;
    cores.add(`${field('physical id') ?? '0'}:${core}`);
  }
  return cores.size > 0 ? cores.size : null;
}

/** Distinct cores among sysfs topology entries (one per logical CPU: its package and core ids). */
export function coresFromTopology(cpusTopology: ReadonlyArray<{ packageId: string; coreId: string }>): number | null {
  const cores = new Set(cpusTopology.map((c) => `${c.packageId.trim()}:${c.coreId.trim()}`));
  return cores.size > 0 ? cores.size : null;
}

/** The CPUs a cgroup v2 `cpu.max` ("quota period" or "max period") allows, rounded up; null when unlimited. */
export function cpusFromCgroupMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === 'max' || !period) return null;
  const q = Number(quota);
  const p = Number(period);
  if (!(q > 0) || !(p > 0)) return null;
  return Math.max(1, Math.ceil(q / p));
}

/** A count as a command prints it (PowerShell's NumberOfCores sum "8\r\n", sysctl's "8\n"), or null. */
export function coresFromCommandOutput(text: string): number | null {
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Logical CPUs halved when SMT is likely (4 or more, even): the fallback where the core count cannot be read. */
export function smtHeuristic(logical: number): number {
  return logical >= 4 && logical % 2 === 0 ? logical / 2 : Math.max(1, logical);
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** CPU numbers in a Linux cpulist ("0-3,8-11"). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a!; i <= (Number.isInteger(b) ? b! : a!); i++) out.push(i);
  }
  return out;
}

function linuxCores(): number | null {
  const base = '/sys/devices/system/cpu';
  const online = read(`${base}/online`);
  const ids = online ? parseCpuList(online) : existsSync(base) ? readdirSync(base).filter((d) => /^cpu\d+$/.test(d)).map((d) => Number(d.slice(3))) : [];
  const topology: Array<{ packageId: string; coreId: string }> = [];
  for (const id of ids) {
    const packageId = read(`${base}/cpu${id}/topology/physical_package_id`);
    const coreId = read(`${base}/cpu${id}/topology/core_id`);
    if (packageId === null || coreId === null) {
      topology.length = 0;
      break;
    }
    topology.push({ packageId, coreId });
  }
  let cores = coresFromTopology(topology);
  if (cores === null) {
    const cpuinfo = read('/proc/cpuinfo');
    cores = cpuinfo === null ? null : coresFromCpuinfo(cpuinfo);
  }
  if (cores === null) return null;
  // A container's quota and this process's affinity mask limit what it can use, whatever the machine has.
  const quota = cpusFromCgroupMax(read('/sys/fs/cgroup/cpu.max') ?? '');
  return Math.max(1, Math.min(cores, quota ?? Infinity, availableParallelism()));
}

function macCores(): number | null {
  try {
    return coresFromCommandOutput(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 3000 }));
  } catch {
    return null;
  }
}

function windowsCores(): number | null {
  try {
    const out = execFileSync(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', '(Get-CimInstance Win32_Processor | Measure-Object -Property NumberOfCores -Sum).Sum'],
      { encoding: 'utf8', timeout: 3000, windowsHide: true },
    );
    return coresFromCommandOutput(out);
  } catch {
    return null;
  }
}

let cached: number | null = null;

/** Physical cores this process can use (at least 1); read once per process. */
export function physicalCores(): number {
  if (cached !== null) return cached;
  const logical = Math.max(1, availableParallelism?.() ?? cpus().length);
  const os = platform();
  const found = os === 'linux' ? linuxCores() : os === 'darwin' ? macCores() : os === 'win32' ? windowsCores() : null;
  cached = Math.max(1, Math.min(found ?? (os === 'win32' ? smtHeuristic(logical) : logical), logical));
  return cached;
}
