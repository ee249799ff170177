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
import { type AdamStepAttrs, MetaLoraError, type SgdStepAttrs, showValue } from '@meta-lora/artifacts';

/** The addon's entry points; offsets and strides count float32 elements from the start of `buffer`. */
export interface NativeBlas {
  /** The shared library that was opened, e.g. `libopenblas.so.0`, or `built-in`. */
  readonly library: string;
  /**
   * `openblas_get_config()`, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX MAX_THREADS=64`, or the built-in sgemm's
   * micro-kernel, e.g. `built-in sgemm, AVX-512 12x32`.
   */
  readonly config: string;
  /** Which sgemm runs: OpenBLAS, or the built-in one and why (`no OpenBLAS found (...)`, `META_LORA_OPENBLAS=none`). */
  readonly gemm:
    | { readonly kind: 'openblas' }
    /** `chosen`: by the user's META_LORA_OPENBLAS=none, so nothing is missing. */
    | { readonly kind: 'built-in'; readonly why: string; readonly chosen: boolean };
  /** Sets the OpenBLAS thread count; returns the count now in use. */
  setThreads(threads: number): number;
  /** Threads OpenBLAS computes on now. */
  threads(): number;
  /**
   * For each of `batch` matrices: `C = op(A) op(B)`, row-major, `op(A)` [m, k], `op(B)` [k, n], C [m, n]. A stride of
   * 0 broadcasts one operand over the batch.
   */
  sgemm(
    buffer: ArrayBuffer,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aOffset: number,
    bOffset: number,
    cOffset: number,
    aStride: number,
    bStride: number,
  ): void;
  /** `out = transpose(x, perm)` for 4-byte elements; offsets in elements. */
  transpose(buffer: ArrayBuffer, xOffset: number, outOffset: number, shape: number[], perm: number[]): void;
  /** `out[i] = e^x[i]` for `n` float32 elements. */
  exp(buffer: ArrayBuffer, xOffset: number, outOffset: number, n: number): void;
  /**
   * `out[i] = a[i] (op) b[(i / inner) % nb]` for `n` float32 elements: b spans a contiguous block of a's axes (`nb`
   * elements, followed in a by `inner` elements) and repeats over the rest.
   */
  binary(
    buffer: ArrayBuffer,
    op: BinaryOp,
    aOffset: number,
    bOffset: number,
    outOffset: number,
    n: number,
    nb: number,
    inner: number,
  ): void;
  /** `out = silu(gate) ⊙ up` for `n` float32 elements. */
  swiglu(buffer: ArrayBuffer, gateOffset: number, upOffset: number, outOffset: number, n: number): void;
  /** The gradients of `swiglu` for upstream `dy`: `dGate`, `dUp`. */
  swigluGrad(
    buffer: ArrayBuffer,
    dyOffset: number,
    gateOffset: number,
    upOffset: number,
    dGateOffset: number,
    dUpOffset: number,
    n: number,
  ): void;
  /** Per row of `x` [rows, d]: `r = 1/√(mean(x²) + eps)` into `r` [rows], `y = x·r·w`. */
  rmsNorm(
    buffer: ArrayBuffer,
    xOffset: number,
    wOffset: number,
    yOffset: number,
    rOffset: number,
    rows: number,
    d: number,
    eps: number,
  ): void;
  /** The gradient of `rmsNorm` for `x`: `dx = r·w·dy − x·r³/d·Σ(dy·w·x)` per row. */
  rmsNormGrad(
    buffer: ArrayBuffer,
    dyOffset: number,
    xOffset: number,
    wOffset: number,
    rOffset: number,
    dxOffset: number,
    rows: number,
    d: number,
  ): void;
  /**
   * A projection with one LoRA branch on `x` [n, in] (PEFT layout: `a` [r, in], `b` [out, r]; the base weight as its
   * transpose `weightT` [in, out]): `h = x aᵀ` [n, r] and `y = x weightT + scaling · h bᵀ` [n, out].
   */
  loraLinear(buffer: ArrayBuffer, dims: LoraDims, at: LoraLinearOffsets, scaling: number): void;
  /** The gradients of `loraLinear` for upstream `dy` [n, out]: `dx` [n, in], `da` [r, in], `db` [out, r]. */
  loraLinearGrad(buffer: ArrayBuffer, dims: LoraDims, at: LoraLinearGradOffsets, scaling: number): void;
  /**
   * One AdamW update of `n` parameters into fresh outputs (float32, in the order of lora-core's op-by-op update):
   * `m' = β₁m + (1−β₁)g`, `v' = β₂v + (1−β₂)g²`, `p' = decay·p − (m' / (√v' / sqrtBc2 + ε))·stepSize`.
   */
  adamStep(buffer: ArrayBuffer, n: number, at: AdamOffsets, constants: AdamConstants): void;
  /** One SGD update (torch.optim.SGD) of `n` parameters into fresh outputs; `buf`/`bufOut` only with momentum. */
  sgdStep(buffer: ArrayBuffer, n: number, at: SgdOffsets, constants: SgdConstants): void;
  /** `Σ x²` over several float32 ranges (element offsets and sizes), accumulated in float64. */
  sumSquares(buffer: ArrayBuffer, offsets: readonly number[], sizes: readonly number[]): number;
  /**
   * Causal self-attention with grouped KV heads and RoPE (HF Llama, no KV cache) from the projections `q` [B·T, H·d],
   * `k`, `v` [B·T, KV·d]: `ctx` [B·T, H·d], and the gradient's operands `probs` [B, KV, rep·T, T], the rotated query
   * and key blocks `qr` [B, KV, rep·T, d], `kr` [B, KV, T, d] and the value blocks `vg` [B, KV, T, d].
   */
  attention(buffer: ArrayBuffer, dims: AttentionDims, at: AttentionOffsets, scale: number): void;
  /** The gradients of `attention` for upstream `dctx` [B·T, H·d]: `dq` [B·T, H·d], `dk`, `dv` [B·T, KV·d]. */
  attentionGrad(buffer: ArrayBuffer, dims: AttentionDims, at: AttentionGradOffsets, scale: number): void;
}

/** Sizes of an attention block: batch, time, heads, KV heads, head dim. */
export interface AttentionDims {
  readonly batch: number;
  readonly time: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
}

/** Element offsets of `attention`'s operands (`cos`, `sin`: RoPE tables [T, d] for positions 0 .. T−1). */
export interface AttentionOffsets {
  readonly q: number;
  readonly k: number;
  readonly v: number;
  readonly cos: number;
  readonly sin: number;
  readonly ctx: number;
  readonly probs: number;
  readonly qr: number;
  readonly kr: number;
  readonly vg: number;
}

/** Element offsets of `attentionGrad`'s operands. */
export interface AttentionGradOffsets {
  readonly dctx: number;
  readonly probs: number;
  readonly qr: number;
  readonly kr: number;
  readonly vg: number;
  readonly cos: number;
  readonly sin: number;
  readonly dq: number;
  readonly dk: number;
  readonly dv: number;
}

/** Element offsets of `adamStep`'s operands. */
export interface AdamOffsets {
  readonly p: number;
  readonly g: number;
  readonly m: number;
  readonly v: number;
  readonly pOut: number;
  readonly mOut: number;
  readonly vOut: number;
}

/** `adamStep`'s scalars: the attrs of the fused kernel (`decay = 1 − lr·weightDecay`, `sqrtBc2 = √(1 − β₂ᵗ)`,
 * `stepSize = lr / (1 − β₁ᵗ)`). */
export type AdamConstants = AdamStepAttrs;

/** Element offsets of `sgdStep`'s operands (`buf`, `bufOut`: the momentum buffer, -1 without momentum). */
export interface SgdOffsets {
  readonly p: number;
  readonly g: number;
  readonly buf: number;
  readonly pOut: number;
  readonly bufOut: number;
}

/** `sgdStep`'s scalars: the attrs of the fused kernel (`first`: the first step, when the momentum buffer starts as the
 * gradient). */
export type SgdConstants = SgdStepAttrs;

/** The sizes of a LoRA projection: rows, in and out features, rank. */
export interface LoraDims {
  readonly n: number;
  readonly in: number;
  readonly out: number;
  readonly r: number;
}

/** Element offsets of `loraLinear`'s operands in the buffer. */
export interface LoraLinearOffsets {
  readonly x: number;
  readonly weightT: number;
  readonly a: number;
  readonly b: number;
  readonly y: number;
  readonly h: number;
}

/** Element offsets of `loraLinearGrad`'s operands in the buffer (`h` is the forward's saved `x aᵀ`). */
export interface LoraLinearGradOffsets {
  readonly dy: number;
  readonly x: number;
  readonly h: number;
  readonly weight: number;
  readonly a: number;
  readonly b: number;
  readonly dx: number;
  readonly da: number;
  readonly db: number;
}

/** The elementwise ops `binary` runs. */
export const BINARY_OPS = { add: 0, sub: 1, mul: 2 } as const;
export type BinaryOp = (typeof BINARY_OPS)[keyof typeof BINARY_OPS];

export type NativeBlasStatus =
  | { readonly available: true; readonly blas: NativeBlas }
  /** `switchedOff`: by the user's META_LORA_NATIVE=0, so nothing is missing. */
  | { readonly available: false; readonly reason: string; readonly switchedOff: boolean };

export const NATIVE_ENV = 'META_LORA_NATIVE';
export const OPENBLAS_ENV = 'META_LORA_OPENBLAS';
export const THREADS_ENV = 'META_LORA_THREADS';
export const SGEMM_KERNEL_ENV = 'META_LORA_SGEMM_KERNEL';
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
  const switchedOff = env[NATIVE_ENV];
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
  const custom = env[OPENBLAS_ENV]?.trim();
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
  const raw = env[SGEMM_KERNEL_ENV];
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
  const raw = env[THREADS_ENV];
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
