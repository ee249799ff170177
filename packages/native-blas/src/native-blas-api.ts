/**
 * The addon's entry points as TypeScript calls them: `NativeBlas`, and the sizes and element offsets each fused entry
 * point takes. Every offset and stride counts float32 elements from the start of the shared `buffer` (the wasm heap).
 */
import type { AdamStepAttrs, SgdStepAttrs } from '@meta-lora/artifacts';

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
