// Relaxed SIMD (WebAssembly's f32x4.relaxed_madd: an FMA on x86 with FMA) makes the matrix product ~1.3–2× faster.
// Electron's V8 and Node ≥ 22 run it by default; Node 20 only with --experimental-wasm-relaxed-simd, so the processes
// that train (the forked trainer, trainer-client.ts; the bench's workers) get that flag when their runtime needs it.
// Detection: whether this runtime validates a tiny module using the instruction.

export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

// (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b];
const PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () → v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY, // code section
]);

/** Whether this runtime runs relaxed SIMD now. */
export function relaxedSimdSupported(): boolean {
  const wa = (globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly;
  try {
    return !!wa && wa.validate(PROBE);
  } catch {
    return false;
  }
}

/**
 * execArgv for a child Node process that trains: this process's own, plus the relaxed-SIMD flag unless relaxed SIMD
 * already runs here (then the child's Node runs it too) or the flag is already there.
 */
export function trainerExecArgv(base: readonly string[] = process.execArgv): string[] {
  if (relaxedSimdSupported() || base.includes(RELAXED_SIMD_FLAG)) return [...base];
  return [...base, RELAXED_SIMD_FLAG];
}
