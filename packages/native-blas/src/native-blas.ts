/**
 * Loads the N-API addon (built by `scripts/install.mjs` into `build/Release/native_blas.node`) and, through it,
 * OpenBLAS. Where OpenBLAS cannot be opened, the addon's built-in sgemm (native/builtin-sgemm.cc) takes its place, so
 * the fused kernels run either way; where the addon itself is missing, `loadNativeBlas` says why, and never throws.
 *
 * `META_LORA_NATIVE=0` switches the native path off; `META_LORA_OPENBLAS=/path/libopenblas.so` picks the library, and
 * `META_LORA_OPENBLAS=none` skips OpenBLAS for the built-in sgemm; `META_LORA_SGEMM_KERNEL=avx512|avx2|portable` picks
 * the built-in sgemm's micro-kernel (default: the best the CPU has; for tests and measurements); `META_LORA_THREADS=N`
 * sets the OpenBLAS threads (default 1, the thread count the wasm backend computes on; the built-in sgemm runs on 1).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EnvVar, MetaLoraError, readEnv, showValue } from '@meta-lora/artifacts';
import type { NativeBlas } from './native-blas-api.ts';

export type NativeBlasStatus =
  | { readonly available: true; readonly blas: NativeBlas }
  /** `switchedOff`: by the user's META_LORA_NATIVE=0, so nothing is missing. */
  | { readonly available: false; readonly reason: string; readonly switchedOff: boolean };

export const NATIVE_ENV = 'META_LORA_NATIVE' satisfies EnvVar;
export const OPENBLAS_ENV = 'META_LORA_OPENBLAS' satisfies EnvVar;
export const THREADS_ENV = 'META_LORA_THREADS' satisfies EnvVar;
export const SGEMM_KERNEL_ENV = 'META_LORA_SGEMM_KERNEL' satisfies EnvVar;
/** The built-in sgemm's micro-kernel levels, best first (each CPU has a suffix of this list). */
export const SGEMM_KERNELS = ['avx512', 'avx2', 'portable'] as const;
/** `NativeBlas.library` when the built-in sgemm runs. */
export const BUILTIN_LIBRARY = 'built-in';
/** Where the install script puts the addon. */
export const ADDON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'native_blas.node');
/** The value of `META_LORA_OPENBLAS` that skips OpenBLAS for the built-in sgemm. */
export const OPENBLAS_NONE = 'none';
/**
 * Where OpenBLAS is looked for: on the loader's path (Debian's and Ubuntu's libopenblas0-pthread, Fedora's
 * openblas-serial; Fedora's openblas-threads names it libopenblasp), on macOS in Homebrew's keg-only prefixes.
 */
const LIBRARIES =
  process.platform === 'darwin'
    ? [
        '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
        '/usr/local/opt/openblas/lib/libopenblas.dylib',
        'libopenblas.dylib',
      ]
    : ['libopenblas.so.0', 'libopenblasp.so.0', 'libopenblas.so'];

interface Addon {
  load(paths: string[]): { library: string; config: string; threads: number };
  loadBuiltin(): { library: string; config: string; threads: number };
  useBuiltinKernel(level: string): string | null;
  setThreads(n: number): number;
  sgemm(...args: (ArrayBuffer | number)[]): void;
  transpose(buffer: ArrayBuffer, xOffset: number, outOffset: number, shape: number[], perm: number[]): void;
  exp(buffer: ArrayBuffer, xOffset: number, outOffset: number, n: number): void;
  binary(...args: (ArrayBuffer | number)[]): void;
  swiglu(...args: (ArrayBuffer | number)[]): void;
  swigluGrad(...args: (ArrayBuffer | number)[]): void;
  rmsNorm(...args: (ArrayBuffer | number)[]): void;
  rmsNormGrad(...args: (ArrayBuffer | number)[]): void;
  loraLinear(...args: (ArrayBuffer | number)[]): void;
  loraLinearGrad(...args: (ArrayBuffer | number)[]): void;
  adamStep(...args: (ArrayBuffer | number)[]): void;
  sgdStep(...args: (ArrayBuffer | number)[]): void;
  sumSquares(buffer: ArrayBuffer, offsets: readonly number[], sizes: readonly number[]): number;
  attention(...args: (ArrayBuffer | number)[]): void;
  attentionGrad(...args: (ArrayBuffer | number)[]): void;
}

let cached: NativeBlasStatus | undefined;

/**
 * Opens the addon and OpenBLAS once per process (later calls return the same answer).
 *
 * @example
 * const status = loadNativeBlas();
 * if (status.available) status.blas.setThreads(2);
 * else console.log(status.reason); // 'the addon was not built (...)'
 */
export function loadNativeBlas(): NativeBlasStatus {
  cached ??= openNativeBlas(process.env);
  return cached;
}

/** `loadNativeBlas` without the cache, reading settings from `env` (tests pass their own). */
export function openNativeBlas(env: NodeJS.ProcessEnv): NativeBlasStatus {
  const switchedOff = readEnv(NATIVE_ENV, env);
  if (switchedOff !== undefined && ['0', 'false', 'off', 'no'].includes(switchedOff.trim().toLowerCase())) {
    return { available: false, reason: `switched off by ${NATIVE_ENV}=${switchedOff}`, switchedOff: true };
  }
  if (!existsSync(ADDON_PATH)) {
    return {
      available: false,
      reason: `the addon was not built (no ${ADDON_PATH}; no C++ compiler when \`pnpm install\` ran?)`,
      switchedOff: false,
    };
  }
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (cause) {
    return { available: false, reason: `the addon failed to load: ${firstLine(cause)}`, switchedOff: false };
  }
  // An OpenMP build of OpenBLAS (libopenblas0-openmp) reads this when it loads; spinning idle threads would take the
  // cores the compute threads need. Node's process.env writes through to the C environment.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  pickKernel(addon, env);
  const custom = readEnv(OPENBLAS_ENV, env)?.trim();
  let info: { library: string; config: string; threads: number };
  let gemm: NativeBlas['gemm'] = { kind: 'openblas' };
  if (custom?.toLowerCase() === OPENBLAS_NONE) {
    info = addon.loadBuiltin();
    gemm = { kind: 'built-in', why: `${OPENBLAS_ENV}=${custom}`, chosen: true };
  } else {
    try {
      info = addon.load(custom ? [custom] : LIBRARIES);
    } catch (cause) {
      info = addon.loadBuiltin();
      gemm = {
        kind: 'built-in',
        why: `no OpenBLAS found (${firstLine(cause).replace(/^cannot open a BLAS with cblas_sgemm: /, '')})`,
        chosen: false,
      };
    }
  }
  // The addon keeps the first sgemm it got for the life of the process; report the one it has.
  if (info.library !== BUILTIN_LIBRARY) gemm = { kind: 'openblas' };
  else if (gemm.kind === 'openblas')
    gemm = { kind: 'built-in', why: 'the built-in sgemm was loaded first', chosen: true };
  let threads = addon.setThreads(threadsFromEnv(env));
  const blas: NativeBlas = {
    library: info.library,
    config: info.config,
    gemm,
    setThreads: (n: number) => {
      threads = addon.setThreads(n);
      return threads;
    },
    threads: () => threads,
    sgemm: (buffer, batch, m, n, k, transposeA, transposeB, aOffset, bOffset, cOffset, aStride, bStride) =>
      addon.sgemm(
        buffer,
        batch,
        m,
        n,
        k,
        transposeA ? 1 : 0,
        transposeB ? 1 : 0,
        aOffset,
        bOffset,
        cOffset,
        aStride,
        bStride,
      ),
    transpose: (buffer, xOffset, outOffset, shape, perm) => addon.transpose(buffer, xOffset, outOffset, shape, perm),
    exp: (buffer, xOffset, outOffset, n) => addon.exp(buffer, xOffset, outOffset, n),
    binary: (buffer, op, aOffset, bOffset, outOffset, n, nb, inner) =>
      addon.binary(buffer, op, aOffset, bOffset, outOffset, n, nb, inner),
    swiglu: (buffer, gateOffset, upOffset, outOffset, n) => addon.swiglu(buffer, gateOffset, upOffset, outOffset, n),
    swigluGrad: (buffer, dyOffset, gateOffset, upOffset, dGateOffset, dUpOffset, n) =>
      addon.swigluGrad(buffer, dyOffset, gateOffset, upOffset, dGateOffset, dUpOffset, n),
    rmsNorm: (buffer, xOffset, wOffset, yOffset, rOffset, rows, d, eps) =>
      addon.rmsNorm(buffer, xOffset, wOffset, yOffset, rOffset, rows, d, eps),
    rmsNormGrad: (buffer, dyOffset, xOffset, wOffset, rOffset, dxOffset, rows, d) =>
      addon.rmsNormGrad(buffer, dyOffset, xOffset, wOffset, rOffset, dxOffset, rows, d),
    loraLinear: (buffer, { n, in: i, out, r }, at, scaling) =>
      addon.loraLinear(buffer, n, i, out, r, at.x, at.weightT, at.a, at.b, at.y, at.h, scaling),
    loraLinearGrad: (buffer, { n, in: i, out, r }, at, scaling) =>
      addon.loraLinearGrad(
        buffer,
        ...[n, i, out, r, at.dy, at.x, at.h, at.weight, at.a, at.b, at.dx, at.da, at.db, scaling],
      ),
    adamStep: (buffer, n, at, c) =>
      addon.adamStep(
        buffer,
        ...[n, at.p, at.g, at.m, at.v, at.pOut, at.mOut, at.vOut],
        ...[c.beta1, c.beta2, c.eps, c.decay, c.sqrtBc2, c.stepSize],
      ),
    sgdStep: (buffer, n, at, c) =>
      addon.sgdStep(
        buffer,
        ...[n, at.p, at.g, at.buf, at.pOut, at.bufOut],
        ...[c.lr, c.weightDecay, c.momentum, c.first ? 1 : 0],
      ),
    sumSquares: (buffer, offsets, sizes) => addon.sumSquares(buffer, offsets, sizes),
    attention: (buffer, dm, at, scale) =>
      addon.attention(
        buffer,
        ...[dm.batch, dm.time, dm.heads, dm.kvHeads, dm.headDim],
        ...[at.q, at.k, at.v, at.cos, at.sin, at.ctx, at.probs, at.qr, at.kr, at.vg, scale],
      ),
    attentionGrad: (buffer, dm, at, scale) =>
      addon.attentionGrad(
        buffer,
        ...[dm.batch, dm.time, dm.heads, dm.kvHeads, dm.headDim],
        ...[at.dctx, at.probs, at.qr, at.kr, at.vg, at.cos, at.sin, at.dq, at.dk, at.dv, scale],
      ),
  };
  return { available: true, blas };
}

/** Applies `META_LORA_SGEMM_KERNEL` (a level the CPU lacks, or an unknown one, is a `CONFIG_INVALID` error). */
function pickKernel(addon: Addon, env: NodeJS.ProcessEnv): void {
  const raw = readEnv(SGEMM_KERNEL_ENV, env);
  if (raw === undefined || raw.trim() === '') return;
  const level = raw.trim().toLowerCase();
  const supported = SGEMM_KERNELS.filter((k) => addon.useBuiltinKernel(k) !== null);
  const best = supported[0] ?? 'portable';
  addon.useBuiltinKernel((supported as string[]).includes(level) ? level : best);
  if (!(supported as string[]).includes(level)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `${SGEMM_KERNEL_ENV} must be one this CPU supports (${supported.join(', ')}), got ${showValue(raw)}`,
      {
        field: SGEMM_KERNEL_ENV,
        value: raw,
        fix: `unset ${SGEMM_KERNEL_ENV} (the best: ${best}) or set it to one of ${supported.join(', ')}`,
      },
    );
  }
}

function threadsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = readEnv(THREADS_ENV, env);
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new MetaLoraError('CONFIG_INVALID', `${THREADS_ENV} must be an integer >= 1, got ${showValue(raw)}`, {
      field: THREADS_ENV,
      value: raw,
      fix: `unset ${THREADS_ENV} (1 thread) or set it to e.g. 2`,
    });
  }
  return n;
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
}
