#!/usr/bin/env bash
# WebGPU against wasm on a Linux x86-64 machine with an NVIDIA GPU and no internet: one command, < 8 minutes.
#
#   scripts/gpu-bench.sh [--vulkan-deb FILE] [--out FILE] [--repeats N]   run it
#   scripts/gpu-bench.sh --check [--vulkan-deb FILE]                      verify the inputs, print the plan, run nothing
#   scripts/gpu-bench.sh --probe-only [--vulkan-deb FILE]                 every check up to the WebGPU adapter, no bench
#
# What it needs (nothing is downloaded):
#   - this repository with its node_modules installed (npm ci) and Node >= 20.19;
#   - the Vulkan loader, libvulkan.so.1 (Dawn, inside the `webgpu` package, loads it to reach the GPU). Taken from,
#     in order: --vulkan-deb FILE; $LAYERWISE_VULKAN_DEB; a libvulkan1_*.deb (Debian/Ubuntu package `libvulkan1`,
#     amd64) or a bare libvulkan.so.1 in scripts/vulkan/ or next to this script; else the system's own, if
#     `ldconfig -p` lists one. A .deb is unpacked with `dpkg-deb -x` (or `ar` + `tar`) into a temp folder that goes
#     on LD_LIBRARY_PATH; nothing is installed;
#   - the NVIDIA driver: `nvidia-smi`, and its Vulkan ICD manifest (nvidia_icd.json in /usr/share/vulkan/icd.d or
#     /etc/vulkan/icd.d, installed with the driver). Where only the driver's libraries are present (containers), a
#     manifest pointing at libGLX_nvidia.so.0 is written to the temp folder and named in VK_ICD_FILENAMES.
#
# Then it checks that Dawn finds a hardware adapter (fails, saying why, when none appears), runs
#   npm run bench -- --backends webgpu,wasm --models cnn,resnet --batch 256 --no-pytorch --no-tricks --no-real-size --no-overhead --no-store
# (the bench CNN and the mini-resnet preset, batch 256, one epoch of 8,000 digits, median of 3 after a warm-up), and
# prints the webgpu/wasm ratios; the goal is >= 10x on the CNN at batch 256.
#
# Options: --no-nvidia-smi skips the nvidia-smi and ICD checks (to see the adapter check fail on a machine without
# NVIDIA); --repeats N timed runs per figure (default 3); --out FILE where the JSON report goes (default: a timestamped
# file in $TMPDIR).
# Exit codes: 0 ran (the verdict is printed), 2 bad inputs, 3 no GPU / no adapter, 4 the bench failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
check=0
probe_only=0
deb="${LAYERWISE_VULKAN_DEB:-}"
out=""  # default: a timestamped file in $TMPDIR, kept after the run
repeats=3
need_smi=1
goal=10

die() { local code=$1; shift; printf 'gpu-bench: %s\n' "$*" >&2; exit "$code"; }
say() { printf 'gpu-bench: %s\n' "$*" >&2; }

while (($#)); do
  case "$1" in
    --check) check=1 ;;
    --probe-only) probe_only=1 ;;
    --vulkan-deb) deb="${2:?--vulkan-deb needs a file}"; shift ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --repeats) repeats="${2:?--repeats needs a number}"; shift ;;
    --no-nvidia-smi) need_smi=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done

[[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || die 2 "this script is for Linux x86-64 (this is $(uname -s)/$(uname -m))"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/layerwise-gpu-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
out="${out:-${TMPDIR:-/tmp}/layerwise-gpu-bench-$(date -u +%Y%m%dT%H%M%SZ).json}"

# --- Node and the repository ---
command -v node >/dev/null || die 2 "node is not on PATH (Node >= 20.19 is needed)"
node_version="$(node -p 'process.versions.node')"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die 2 "Node $node_version is too old: >= 20.19 is needed"
for f in node_modules/webgpu/package.json node_modules/@tensorflow/tfjs-backend-webgpu/package.json \
  node_modules/@tensorflow/tfjs-backend-wasm/package.json bench/run.ts tests/store/support/register.mjs \
  resources/presets/mini-resnet.json; do
  [[ -e "$root/$f" ]] || die 2 "$root/$f is missing: run this from a checkout with its dependencies installed (npm ci)"
done
say "node $node_version, repository $root"

# --- the Vulkan loader ---
if [[ -z "$deb" ]]; then
  for d in "$here/vulkan" "$here"; do
    [[ -d "$d" ]] || continue
    found="$(find "$d" -maxdepth 1 \( -name 'libvulkan1_*amd64.deb' -o -name 'libvulkan1_*.deb' -o -name 'libvulkan.so.1*' \) 2>/dev/null | sort | head -n 1)"
    [[ -n "$found" ]] && { deb="$found"; break; }
  done
fi
libdir=""
loader_from=""
if [[ -n "$deb" ]]; then
  [[ -f "$deb" && -r "$deb" ]] || die 2 "the Vulkan loader package '$deb' does not exist or cannot be read"
  if [[ "$deb" == *.deb ]]; then
    mkdir -p "$tmp/vulkan"
    if command -v dpkg-deb >/dev/null; then
      dpkg-deb -x "$deb" "$tmp/vulkan" || die 2 "dpkg-deb could not unpack '$deb' (not a .deb?)"
    elif command -v ar >/dev/null; then
      (cd "$tmp/vulkan" && ar x "$deb" && tar -xf data.tar.* ) || die 2 "could not unpack '$deb' with ar and tar"
    else
      die 2 "neither dpkg-deb nor ar is available to unpack '$deb'"
    fi
    so="$(find "$tmp/vulkan" -name 'libvulkan.so.1*' \( -type f -o -type l \) | sort | head -n 1)"
    [[ -n "$so" ]] || die 2 "'$deb' holds no libvulkan.so.1: it must be the libvulkan1 package (amd64), not $(dpkg-deb -f "$deb" Package 2>/dev/null || echo 'something else')"
    libdir="$(dirname "$so")"
    [[ -e "$libdir/libvulkan.so.1" ]] || die 2 "'$deb' has $(basename "$so") but no libvulkan.so.1 link"
    loader_from="$(basename "$deb") ($(dpkg-deb -f "$deb" Package Version Architecture 2>/dev/null | tr '\n' ' ' || true))"
  else
    mkdir -p "$tmp/vulkan"
    cp "$deb" "$tmp/vulkan/libvulkan.so.1"
    libdir="$tmp/vulkan"
    loader_from="$deb"
  fi
  head -c 4 "$libdir/libvulkan.so.1" | grep -q 'ELF' || die 2 "$libdir/libvulkan.so.1 from '$deb' is not an ELF library"
  export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
elif ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  loader_from="the system's ($(ldconfig -p | grep -m1 'libvulkan\.so\.1 ' | sed 's/.*=> //'))"
else
  die 2 "no Vulkan loader: pass the Debian/Ubuntu libvulkan1 package with --vulkan-deb FILE, or put libvulkan1_*.deb in $here/vulkan/ (apt-get download libvulkan1 on a machine with internet)"
fi
say "Vulkan loader: $loader_from${libdir:+, unpacked to $libdir}"

# --- the NVIDIA Vulkan driver manifest (ICD) ---
icd=""
if [[ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]]; then
  icd="${VK_DRIVER_FILES:-$VK_ICD_FILENAMES} (from the environment)"
else
  for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/local/share/vulkan/icd.d/nvidia_icd*.json; do
    [[ -f "$f" ]] && { icd="$f"; break; }
  done
  if [[ -z "$icd" ]]; then
    glx="$(ldconfig -p 2>/dev/null | grep -m1 'libGLX_nvidia\.so\.0 ' | sed 's/.*=> //' || true)"
    if [[ -n "$glx" ]]; then
      printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.3.0" } }\n' "$glx" > "$tmp/nvidia_icd.json"
      export VK_ICD_FILENAMES="$tmp/nvidia_icd.json" VK_DRIVER_FILES="$tmp/nvidia_icd.json"
      icd="$tmp/nvidia_icd.json (written: the driver's $glx has no manifest installed)"
    fi
  fi
fi
say "NVIDIA Vulkan ICD: ${icd:-none found (needed for the real run: it comes with the NVIDIA driver)}"

# --- the GPU ---
smi=""
if command -v nvidia-smi >/dev/null && smi="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"; then
  say "nvidia-smi: $smi"
else
  smi=""
  say "nvidia-smi: ${smi:-not found or failing} (needed for the real run)"
fi

bench=(node --import ./tests/store/support/register.mjs bench/run.ts)
args=(--backends webgpu,wasm --models cnn,resnet --batch 256 --repeats "$repeats" --no-pytorch --no-tricks --no-real-size --no-overhead --no-store --json --out "$out")

if ((check)); then
  cat >&2 <<EOF
gpu-bench: --check: the inputs are in order. The run would:
  1. export LD_LIBRARY_PATH=${libdir:-<unchanged: the system loader>}${VK_ICD_FILENAMES:+ VK_ICD_FILENAMES=$VK_ICD_FILENAMES}
  2. nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader   (must list a GPU)
  3. ${bench[*]} --probe   (must show webgpu on a hardware adapter)
  4. (cd $root && timeout 450 ${bench[*]} ${args[*]})
  5. print webgpu/wasm samples/s for cnn and resnet at batch 256 (goal >= ${goal}x on cnn)
EOF
  exit 0
fi

[[ -n "$smi" ]] || ((need_smi == 0)) || die 3 "nvidia-smi finds no NVIDIA GPU (is the driver installed and the GPU visible in this container? --gpus all)"
[[ -n "$icd" ]] || ((need_smi == 0)) || die 3 "no NVIDIA Vulkan ICD manifest (nvidia_icd.json) and no libGLX_nvidia.so.0: the driver's Vulkan part is missing (in a container: NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics)"

cd "$root"
probe="$("${bench[@]}" --probe 2>"$tmp/probe.err")" || { cat "$tmp/probe.err" >&2; die 4 "the backend probe failed"; }
dawn_said() {
  grep -E '^Warning: (vk|Couldn.t load Vulkan|.*[Vv]ulkan)' "$tmp/probe.err" | sed 's/^Warning: //' | sort -u | paste -sd ';' - | sed 's/;/; /g' || true
}
verdict="$(node -e '
  const p = JSON.parse(process.argv[1]).backends.find((b) => b.name === "webgpu");
  if (!p || !p.available) { console.log("none\t" + (p ? p.reason : "no webgpu entry")); process.exit(0); }
  if (p.reason) { console.log("software\t" + p.device + ": " + p.reason); process.exit(0); }
  console.log("ok\t" + p.device);
' "$probe")"
case "${verdict%%$'\t'*}" in
  ok) say "WebGPU adapter: ${verdict#*$'\t'}" ;;
  software) die 3 "no hardware WebGPU adapter appeared, only a software one (${verdict#*$'\t'}). Dawn said: $(dawn_said)" ;;
  *) die 3 "no WebGPU adapter appeared (${verdict#*$'\t'}). Dawn said: $(dawn_said)" ;;
esac
((probe_only == 0)) || exit 0

say "running the bench (about 3-5 minutes): ${bench[*]} ${args[*]}"
start=$SECONDS
status=0
timeout 450 "${bench[@]}" "${args[@]}" >/dev/null || status=$?
((status == 0)) || die 4 "the bench exited with status $status$( ((status == 124)) && echo ' (timed out after 450 s)')"
say "bench done in $((SECONDS - start)) s; report: $out"

node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const goal = Number(process.argv[2]);
  const get = (b, m) => r.results.find((x) => x.backend === b && x.model === m && x.batchSize === 256);
  const lines = [];
  let verdict = "";
  for (const m of ["cnn", "resnet"]) {
    const g = get("webgpu", m), w = get("wasm", m);
    if (!g || !w) { lines.push(`${m}: missing a result (${r.skipped.join("; ")})`); continue; }
    const ratio = g.samplesPerSecond / w.samplesPerSecond;
    lines.push(`${m.padEnd(6)} b256  webgpu ${Math.round(g.samplesPerSecond).toLocaleString("en-US").padStart(8)} samples/s (${g.msPerStep.toFixed(2)} ms/step)  wasm ${Math.round(w.samplesPerSecond).toLocaleString("en-US").padStart(7)} samples/s  webgpu/wasm ${ratio.toFixed(2)}x`);
    if (m === "cnn") verdict = ratio >= goal ? `goal met: ${ratio.toFixed(1)}x >= ${goal}x on the CNN at batch 256` : `goal NOT met: ${ratio.toFixed(1)}x < ${goal}x on the CNN at batch 256`;
  }
  const dev = (r.results.find((x) => x.backend === "webgpu") || {}).device;
  console.log(`\nWebGPU vs wasm (${r.date}, ${dev || "?"}; ${r.machine.cpus} CPUs ${r.machine.cpuModel})`);
  console.log(lines.join("\n"));
  console.log(verdict);
' "$out" "$goal"
