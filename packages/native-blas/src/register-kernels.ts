/**
 * Kernels for the TF.js wasm backend that read and write the backend's tensors in place in the wasm heap, replacing
 * the backend's own where those are slow on the shapes a LoRA training step runs (PERF-NOTES.md, and a `tf.profile`
 * of the bench step):
 *
 * - `BatchMatMul` through OpenBLAS `cblas_sgemm`: the wasm kernel's transposed and batched cases fall off XNNPACK's
 *   fast path; sgemm takes `transposeA`/`transposeB` and each batch at full speed.
 * - `Transpose`, `Exp`, and `Add`/`Sub`/`Multiply` where one operand broadcasts over the other's leading axes (norm
 *   weights, RoPE tables, scalars): plain C++ loops, several times faster than the wasm kernels.
 * - `Identity` (what `customGrad` runs on every output) and `Cast` to the same dtype share the input's data instead
 *   of copying it, as the cpu backend does; `GatherV2` on axis 0 copies whole rows.
 *
 * Every case a replacement does not cover (other dtypes, empty tensors, other broadcasts) goes to the original kernel.
 *
 * Dimension letters: m rows of op(A), k inner, n columns of op(B).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import {
  type AdamConstants,
  type AttentionDims,
  BINARY_OPS,
  type BinaryOp,
  type LoraDims,
  type NativeBlas,
  type SgdConstants,
} from './native-blas.ts';

/** The parts of the wasm backend these kernels touch (BackendWasm in @tensorflow/tfjs-backend-wasm). */
interface WasmBackendLike {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  readonly wasm: { readonly HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tfc.DataType): tfc.TensorInfo;
  incRef(dataId: object): void;
}

type KernelArgs = Parameters<tfc.KernelFunc>[0];
type Kernel = (args: KernelArgs, original: tfc.KernelConfig) => tfc.TensorInfo | tfc.TensorInfo[];

const registered = new Map<string, tfc.KernelConfig>();

/** Fused SwiGLU, `silu(gate) ⊙ up` (inputs `gate`, `up`), and its gradient (inputs `dy`, `gate`, `up`; outputs
 * `dGate`, `dUp`). lora-core's `swiglu` runs them where the backend has them. */
export const SWIGLU_KERNEL = 'MetaLoraSwiGlu';
export const SWIGLU_GRAD_KERNEL = 'MetaLoraSwiGluGrad';
/** Fused RMSNorm over the last axis (inputs `x` [N, D], `weight` [D]; attr `eps`; outputs `y` [N, D] and the inverse
 * RMS `r` [N]) and its gradient for `x` (inputs `dy`, `x`, `weight`, `r`). */
export const RMS_NORM_KERNEL = 'MetaLoraRmsNorm';
export const RMS_NORM_GRAD_KERNEL = 'MetaLoraRmsNormGrad';

/** Fused LoRA projection (inputs `x` [N, I], `weightT` [I, O], `a` [r, I], `b` [O, r]; attr `scaling`; outputs `y`
 * [N, O] and `h = x aᵀ` [N, r]) and its gradient (inputs `dy`, `x`, `h`, `weight` [O, I], `a`, `b`; outputs `dx`,
 * `da`, `db`): three and five GEMMs in one kernel call each, where the op-by-op version runs some twenty kernels. */
export const LORA_LINEAR_KERNEL = 'MetaLoraLinear';
export const LORA_LINEAR_GRAD_KERNEL = 'MetaLoraLinearGrad';

/** Fused optimizer updates, one kernel per variable where the op-by-op update runs up to fourteen: AdamW (inputs `p`,
 * `g`, `m`, `v`; attrs `AdamConstants`; outputs `p'`, `m'`, `v'`) and SGD (inputs `p`, `g` and, with momentum, `buf`;
 * attrs `lr`, `weightDecay`, `momentum`, `first`; outputs `p'` and, with momentum, `buf'`). */
export const ADAM_STEP_KERNEL = 'MetaLoraAdamStep';
export const SGD_STEP_KERNEL = 'MetaLoraSgdStep';
/** Causal self-attention with grouped KV heads and RoPE, no KV cache (inputs `q` [B·T, H·d], `k`, `v` [B·T, KV·d],
 * `cos`, `sin` [T, d]; attrs `batch`, `heads`, `kvHeads`, `scale`; outputs `ctx` [B·T, H·d] and the gradient's
 * operands `probs`, `qr`, `kr`, `vg`) and its gradient (inputs `dctx`, `probs`, `qr`, `kr`, `vg`, `cos`, `sin`; same
 * attrs; outputs `dq`, `dk`, `dv`): one kernel each way where the op-by-op block runs about forty. */
export const ATTENTION_KERNEL = 'MetaLoraAttention';
export const ATTENTION_GRAD_KERNEL = 'MetaLoraAttentionGrad';
/** `Σ x²` over all its inputs (any names, float32), as a float32 scalar: the squared global norm of the gradients. */
export const SUM_SQUARES_KERNEL = 'MetaLoraSumSquares';

/**
 * Registers the native kernels on the wasm backend of `tf` (meta-lora's tfjs-core instance); returns the kernel names
 * now served natively. Call after the wasm backend is initialised. Idempotent.
 *
 * @example
 * const status = loadNativeBlas();
 * if (status.available) registerBlasKernels(tf, status.blas); // ['BatchMatMul', 'Transpose', ...]
 */
export function registerBlasKernels(tf: typeof tfc, blas: NativeBlas): string[] {
  const kernels: Record<string, Kernel> = {
    BatchMatMul: (args, original) => batchMatMul(tf, blas, original, args),
    Transpose: (args, original) => transpose(tf, blas, original, args),
    Exp: (args, original) => exp(tf, blas, original, args),
    Add: (args, original) => binary(tf, blas, original, args, BINARY_OPS.add, true),
    Sub: (args, original) => binary(tf, blas, original, args, BINARY_OPS.sub, false),
    Multiply: (args, original) => binary(tf, blas, original, args, BINARY_OPS.mul, true),
    Identity: (args) => identity(args),
    Cast: (args, original) => cast(args, original),
    GatherV2: (args, original) => gatherRows(tf, original, args),
  };
  const names: string[] = [];
  // Fused kernels with no TF.js counterpart, under the names lora-core's swiglu() looks up.
  const fused: Record<string, tfc.KernelFunc> = {
    [SWIGLU_KERNEL]: (args) => swiglu(tf, blas, args),
    [SWIGLU_GRAD_KERNEL]: (args) => swigluGrad(tf, blas, args),
    [RMS_NORM_KERNEL]: (args) => rmsNorm(tf, blas, args),
    [RMS_NORM_GRAD_KERNEL]: (args) => rmsNormGrad(tf, blas, args),
    [LORA_LINEAR_KERNEL]: (args) => loraLinear(tf, blas, args),
    [LORA_LINEAR_GRAD_KERNEL]: (args) => loraLinearGrad(tf, blas, args),
    [ADAM_STEP_KERNEL]: (args) => adamStep(tf, blas, args),
    [SGD_STEP_KERNEL]: (args) => sgdStep(tf, blas, args),
    [SUM_SQUARES_KERNEL]: (args) => sumSquares(tf, blas, args),
    [ATTENTION_KERNEL]: (args) => attention(tf, blas, args),
    [ATTENTION_GRAD_KERNEL]: (args) => attentionGrad(tf, blas, args),
  };
  for (const [name, kernelFunc] of Object.entries(fused)) {
    if (tf.getKernel(name, 'wasm') === undefined)
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    names.push(name);
  }
  for (const [name, kernel] of Object.entries(kernels)) {
    const key = `${name}/wasm`;
    if (!registered.has(key)) {
      const original = tf.getKernel(name, 'wasm');
      if (original === undefined) continue;
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => kernel(args, original) });
      registered.set(key, original);
    }
    names.push(name);
  }
  return names;
}

/**
 * Puts the backend's own kernels back (tests compare both paths in one process).
 *
 * @example
 * unregisterBlasKernels(tf);
 */
export function unregisterBlasKernels(tf: typeof tfc): void {
  for (const name of [
    SWIGLU_KERNEL,
    SWIGLU_GRAD_KERNEL,
    RMS_NORM_KERNEL,
    RMS_NORM_GRAD_KERNEL,
    LORA_LINEAR_KERNEL,
    LORA_LINEAR_GRAD_KERNEL,
    ADAM_STEP_KERNEL,
    SGD_STEP_KERNEL,
    SUM_SQUARES_KERNEL,
    ATTENTION_KERNEL,
    ATTENTION_GRAD_KERNEL,
  ]) {
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
  }
  for (const [key, original] of registered) {
    const [name, backend] = key.split('/') as [string, string];
    tf.unregisterKernel(name, backend);
    tf.registerKernel(original);
    registered.delete(key);
  }
}

/** Element offset of a tensor in the heap (4-byte elements). */
function offset(backend: WasmBackendLike, t: tfc.TensorInfo): number {
  return (backend.dataIdMap.get(t.dataId)?.memoryOffset as number) / 4;
}

/** The heap, read after every allocation: growing wasm memory replaces the buffer. */
function heap(backend: WasmBackendLike): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

function batchMatMul(tf: typeof tfc, blas: NativeBlas, original: tfc.KernelConfig, args: KernelArgs) {
  const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as unknown as WasmBackendLike;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return original.kernelFunc(args);
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (k !== kb || m * n * k === 0 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    return original.kernelFunc(args); // its error message for a shape mismatch; empty or odd broadcasts
  }
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outBatch, m, n], 'float32'); // [..., m, n]
  blas.sgemm(
    heap(backend),
    Math.max(batchA, batchB),
    m,
    n,
    k,
    transposeA,
    transposeB,
    offset(backend, a),
    offset(backend, b),
    offset(backend, out),
    batchA === 1 ? 0 : m * k,
    batchB === 1 ? 0 : k * n,
  );
  return out;
}

function transpose(tf: typeof tfc, blas: NativeBlas, original: tfc.KernelConfig, args: KernelArgs) {
  const { x } = args.inputs as { x: tfc.TensorInfo };
  const { perm } = args.attrs as { perm: number[] };
  const backend = args.backend as unknown as WasmBackendLike;
  const size = tf.util.sizeFromShape(x.shape);
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || size === 0 || x.shape.length > 8) {
    return original.kernelFunc(args);
  }
  const out = backend.makeOutput(
    perm.map((p) => x.shape[p] as number),
    x.dtype,
  );
  blas.transpose(heap(backend), offset(backend, x), offset(backend, out), [...x.shape], [...perm]);
  return out;
}

function exp(tf: typeof tfc, blas: NativeBlas, original: tfc.KernelConfig, args: KernelArgs) {
  const { x } = args.inputs as { x: tfc.TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  const size = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== 'float32' || size === 0) return original.kernelFunc(args);
  const out = backend.makeOutput([...x.shape], 'float32');
  blas.exp(heap(backend), offset(backend, x), offset(backend, out), size);
  return out;
}

/**
 * `a (op) b` where the smaller operand spans one contiguous block of the larger one's axes and repeats over the rest:
 * a scalar, a row vector, a [N, 1] column, a [..., T, d] table under heads. Other broadcasts go to the original kernel.
 */
function binary(
  tf: typeof tfc,
  blas: NativeBlas,
  original: tfc.KernelConfig,
  args: KernelArgs,
  op: BinaryOp,
  commutative: boolean,
) {
  const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
  const na = tf.util.sizeFromShape(a.shape);
  const nb = tf.util.sizeFromShape(b.shape);
  if (na === 0 || nb === 0) return original.kernelFunc(args);
  let big = a;
  let small = b;
  let block = broadcastBlock(b.shape, a.shape);
  if (block === null && commutative) {
    big = b;
    small = a;
    block = broadcastBlock(a.shape, b.shape);
  }
  if (block === null) return original.kernelFunc(args);
  const out = backend.makeOutput([...big.shape], 'float32');
  blas.binary(
    heap(backend),
    op,
    offset(backend, big),
    offset(backend, small),
    offset(backend, out),
    tf.util.sizeFromShape(big.shape),
    block.nb,
    block.inner,
  );
  return out;
}

/**
 * How `small` broadcasts against `big` (right-aligned, as NumPy), when the axes where it has `big`'s size form one
 * contiguous run and it is 1 elsewhere: `nb` elements in the run, `inner` elements of `big` after it. Null otherwise,
 * or when broadcasting would change `big`'s shape.
 */
export function broadcastBlock(small: readonly number[], big: readonly number[]): { nb: number; inner: number } | null {
  if (small.length > big.length) return null;
  const offset = big.length - small.length;
  let first = -1;
  let last = -1;
  for (let i = 0; i < big.length; i++) {
    const g = big[i] as number;
    const s = i < offset ? 1 : (small[i - offset] as number);
    if (g === 1) {
      if (s !== 1) return null;
      continue;
    }
    if (s === g) {
      if (first === -1) first = i;
      else if (last !== i - 1 && !big.slice(last + 1, i).every((d) => d === 1)) return null; // a gap of broadcast axes
      last = i;
    } else if (s !== 1) {
      return null;
    }
  }
  if (first === -1) return { nb: 1, inner: 1 };
  let nb = 1;
  for (let i = first; i <= last; i++) nb *= big[i] as number;
  let inner = 1;
  for (let i = last + 1; i < big.length; i++) inner *= big[i] as number;
  return { nb, inner };
}

function identity(args: KernelArgs): tfc.TensorInfo {
  const { x } = args.inputs as { x: tfc.TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function swiglu(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo {
  const { gate, up } = args.inputs as { gate: tfc.TensorInfo; up: tfc.TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  checkSameFloat32(tf, SWIGLU_KERNEL, [gate, up]);
  const out = backend.makeOutput([...gate.shape], 'float32');
  const n = tf.util.sizeFromShape(gate.shape);
  if (n > 0) blas.swiglu(heap(backend), offset(backend, gate), offset(backend, up), offset(backend, out), n);
  return out;
}

function swigluGrad(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { dy, gate, up } = args.inputs as { dy: tfc.TensorInfo; gate: tfc.TensorInfo; up: tfc.TensorInfo };
  const backend = args.backend as unknown as WasmBackendLike;
  checkSameFloat32(tf, SWIGLU_GRAD_KERNEL, [dy, gate, up]);
  const dGate = backend.makeOutput([...gate.shape], 'float32');
  const dUp = backend.makeOutput([...gate.shape], 'float32');
  const n = tf.util.sizeFromShape(gate.shape);
  if (n > 0) {
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    blas.swigluGrad(heap(backend), o(dy), o(gate), o(up), o(dGate), o(dUp), n);
  }
  return [dGate, dUp];
}

function rmsNorm(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { x, weight } = args.inputs as { x: tfc.TensorInfo; weight: tfc.TensorInfo };
  const { eps } = args.attrs as { eps: number };
  const backend = args.backend as unknown as WasmBackendLike;
  const d = x.shape[x.shape.length - 1] as number;
  checkNorm(tf, x, weight);
  const rows = tf.util.sizeFromShape(x.shape) / d;
  const y = backend.makeOutput([...x.shape], 'float32');
  const r = backend.makeOutput(x.shape.slice(0, -1), 'float32');
  if (rows > 0) {
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    blas.rmsNorm(heap(backend), o(x), o(weight), o(y), o(r), rows, d, eps);
  }
  return [y, r];
}

function rmsNormGrad(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo {
  const { dy, x, weight, r } = args.inputs as Record<'dy' | 'x' | 'weight' | 'r', tfc.TensorInfo>;
  const backend = args.backend as unknown as WasmBackendLike;
  const d = x.shape[x.shape.length - 1] as number;
  checkNorm(tf, x, weight);
  checkSameFloat32(tf, RMS_NORM_GRAD_KERNEL, [dy, x]);
  const rows = tf.util.sizeFromShape(x.shape) / d;
  const dx = backend.makeOutput([...x.shape], 'float32');
  if (rows > 0) {
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    blas.rmsNormGrad(heap(backend), o(dy), o(x), o(weight), o(r), o(dx), rows, d);
  }
  return dx;
}

function loraLinear(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { x, weightT, a, b } = args.inputs as Record<'x' | 'weightT' | 'a' | 'b', tfc.TensorInfo>;
  const { scaling } = args.attrs as { scaling: number };
  const backend = args.backend as unknown as WasmBackendLike;
  const dims = loraDims(tf, x, weightT, a, b, true);
  const y = backend.makeOutput([dims.n, dims.out], 'float32'); // [N, O]
  const h = backend.makeOutput([dims.n, dims.r], 'float32'); // [N, r]
  if (dims.n > 0) {
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    const at = { x: o(x), weightT: o(weightT), a: o(a), b: o(b), y: o(y), h: o(h) };
    blas.loraLinear(heap(backend), dims, at, scaling);
  }
  return [y, h];
}

function loraLinearGrad(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { dy, x, h, weight, a, b } = args.inputs as Record<'dy' | 'x' | 'h' | 'weight' | 'a' | 'b', tfc.TensorInfo>;
  const { scaling } = args.attrs as { scaling: number };
  const backend = args.backend as unknown as WasmBackendLike;
  const dims = loraDims(tf, x, weight, a, b, false);
  tf.util.assert(
    dy.dtype === 'float32' &&
      h.dtype === 'float32' &&
      sameShape(dy.shape, [dims.n, dims.out]) &&
      sameShape(h.shape, [dims.n, dims.r]),
    () =>
      `${LORA_LINEAR_GRAD_KERNEL}: dy must be float32 [${dims.n}, ${dims.out}] and h float32 [${dims.n}, ${dims.r}], got ${dy.dtype}[${dy.shape}] and ${h.dtype}[${h.shape}]`,
  );
  const dx = backend.makeOutput([dims.n, dims.in], 'float32'); // [N, I]
  const da = backend.makeOutput([dims.r, dims.in], 'float32'); // [r, I]
  const db = backend.makeOutput([dims.out, dims.r], 'float32'); // [O, r]
  if (dims.n > 0) {
    const o = (t: tfc.TensorInfo) => offset(backend, t);
    const at = { dy: o(dy), x: o(x), h: o(h), weight: o(weight), a: o(a), b: o(b), dx: o(dx), da: o(da), db: o(db) };
    blas.loraLinearGrad(heap(backend), dims, at, scaling);
  } else {
    // No rows: the factors' gradients are zero (sgemm with k = 0 would leave them unwritten).
    const zero = (t: tfc.TensorInfo) =>
      new Float32Array(heap(backend), offset(backend, t) * 4, tf.util.sizeFromShape(t.shape)).fill(0);
    zero(da);
    zero(db);
  }
  return [dx, da, db];
}

function adamStep(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { p, g, m, v } = args.inputs as Record<'p' | 'g' | 'm' | 'v', tfc.TensorInfo>;
  const constants = args.attrs as unknown as AdamConstants;
  const backend = args.backend as unknown as WasmBackendLike;
  checkSameFloat32(tf, ADAM_STEP_KERNEL, [p, g, m, v]);
  const [pOut, mOut, vOut] = [p, m, v].map((t) => backend.makeOutput([...t.shape], 'float32')) as tfc.TensorInfo[];
  const n = tf.util.sizeFromShape(p.shape);
  if (n > 0) {
    const o = (t: tfc.TensorInfo | undefined) => offset(backend, t as tfc.TensorInfo);
    const at = { p: o(p), g: o(g), m: o(m), v: o(v), pOut: o(pOut), mOut: o(mOut), vOut: o(vOut) };
    blas.adamStep(heap(backend), n, at, constants);
  }
  return [pOut, mOut, vOut] as tfc.TensorInfo[];
}

function sgdStep(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { p, g, buf } = args.inputs as { p: tfc.TensorInfo; g: tfc.TensorInfo; buf?: tfc.TensorInfo };
  const constants = args.attrs as unknown as SgdConstants;
  const backend = args.backend as unknown as WasmBackendLike;
  const momentum = constants.momentum > 0;
  tf.util.assert(momentum === (buf !== undefined), () => `${SGD_STEP_KERNEL}: pass \`buf\` exactly when momentum > 0`);
  checkSameFloat32(tf, SGD_STEP_KERNEL, buf ? [p, g, buf] : [p, g]);
  const pOut = backend.makeOutput([...p.shape], 'float32');
  const bufOut = momentum ? backend.makeOutput([...p.shape], 'float32') : undefined;
  const n = tf.util.sizeFromShape(p.shape);
  if (n > 0) {
    const o = (t: tfc.TensorInfo | undefined) => (t ? offset(backend, t) : -1);
    blas.sgdStep(heap(backend), n, { p: o(p), g: o(g), buf: o(buf), pOut: o(pOut), bufOut: o(bufOut) }, constants);
  }
  return bufOut ? [pOut, bufOut] : [pOut];
}

function sumSquares(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo {
  const xs = Object.values(args.inputs) as tfc.TensorInfo[];
  const backend = args.backend as unknown as WasmBackendLike;
  tf.util.assert(
    xs.every((x) => x.dtype === 'float32'),
    () => `${SUM_SQUARES_KERNEL}: operands must be float32, got ${xs.map((x) => x.dtype).join(', ')}`,
  );
  const sizes = xs.map((x) => tf.util.sizeFromShape(x.shape));
  const total = blas.sumSquares(
    heap(backend),
    xs.map((x, i) => ((sizes[i] as number) > 0 ? offset(backend, x) : 0)),
    sizes,
  );
  const out = backend.makeOutput([], 'float32');
  new Float32Array(heap(backend), offset(backend, out) * 4, 1)[0] = total;
  return out;
}

interface AttentionAttrs {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly scale: number;
}

function attention(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const { q, k, v, cos, sin } = args.inputs as Record<'q' | 'k' | 'v' | 'cos' | 'sin', tfc.TensorInfo>;
  const attrs = args.attrs as unknown as AttentionAttrs;
  const backend = args.backend as unknown as WasmBackendLike;
  const dims = attentionDims(tf, ATTENTION_KERNEL, attrs, q, k, cos, sin);
  tf.util.assert(
    v.dtype === 'float32' && tf.util.arraysEqual(v.shape, k.shape),
    () => `${ATTENTION_KERNEL}: v must be float32 of k's shape [${k.shape}], got ${v.dtype}[${v.shape}]`,
  );
  const { batch: B, time: T, kvHeads: KV, headDim: d } = dims;
  const m = (dims.heads / KV) * T;
  const ctx = backend.makeOutput([...q.shape], 'float32'); // [B·T, H·d]
  const probs = backend.makeOutput([B, KV, m, T], 'float32');
  const qr = backend.makeOutput([B, KV, m, d], 'float32');
  const kr = backend.makeOutput([B, KV, T, d], 'float32');
  const vg = backend.makeOutput([B, KV, T, d], 'float32');
  const o = (t: tfc.TensorInfo) => offset(backend, t);
  const at = {
    q: o(q),
    k: o(k),
    v: o(v),
    cos: o(cos),
    sin: o(sin),
    ctx: o(ctx),
    probs: o(probs),
    qr: o(qr),
    kr: o(kr),
    vg: o(vg),
  };
  blas.attention(heap(backend), dims, at, attrs.scale);
  return [ctx, probs, qr, kr, vg];
}

function attentionGrad(tf: typeof tfc, blas: NativeBlas, args: KernelArgs): tfc.TensorInfo[] {
  const names = ['dctx', 'probs', 'qr', 'kr', 'vg', 'cos', 'sin'] as const;
  const inputs = args.inputs as Record<(typeof names)[number], tfc.TensorInfo>;
  const attrs = args.attrs as unknown as AttentionAttrs;
  const backend = args.backend as unknown as WasmBackendLike;
  const { dctx, probs, qr, kr, vg, cos, sin } = inputs;
  const kvWidth = attrs.kvHeads * ((cos.shape[1] as number) ?? 0);
  const kShape = [dctx.shape[0] as number, kvWidth];
  const dims = attentionDims(tf, ATTENTION_GRAD_KERNEL, attrs, dctx, { dtype: 'float32', shape: kShape }, cos, sin);
  const { batch: B, time: T, kvHeads: KV, headDim: d } = dims;
  const m = (dims.heads / KV) * T;
  const want: Record<string, number[]> = {
    probs: [B, KV, m, T],
    qr: [B, KV, m, d],
    kr: [B, KV, T, d],
    vg: [B, KV, T, d],
  };
  for (const [name, shape] of Object.entries(want)) {
    const t = inputs[name as keyof typeof inputs];
    tf.util.assert(
      t.dtype === 'float32' && tf.util.arraysEqual(t.shape, shape),
      () => `${ATTENTION_GRAD_KERNEL}: ${name} must be float32 [${shape}], got ${t.dtype}[${t.shape}]`,
    );
  }
  const dq = backend.makeOutput([...dctx.shape], 'float32'); // [B·T, H·d]
  const dk = backend.makeOutput(kShape, 'float32'); // [B·T, KV·d]
  const dv = backend.makeOutput(kShape, 'float32'); // [B·T, KV·d]
  const o = (t: tfc.TensorInfo) => offset(backend, t);
  const at = {
    dctx: o(dctx),
    probs: o(probs),
    qr: o(qr),
    kr: o(kr),
    vg: o(vg),
    cos: o(cos),
    sin: o(sin),
    dq: o(dq),
    dk: o(dk),
    dv: o(dv),
  };
  blas.attentionGrad(heap(backend), dims, at, attrs.scale);
  return [dq, dk, dv];
}

/** The sizes of an attention block, after checking `q` [B·T, H·d], `k` [B·T, KV·d] and the tables [T, d] agree. */
function attentionDims(
  tf: typeof tfc,
  kernel: string,
  attrs: AttentionAttrs,
  q: Pick<tfc.TensorInfo, 'dtype' | 'shape'>,
  k: Pick<tfc.TensorInfo, 'dtype' | 'shape'>,
  cos: tfc.TensorInfo,
  sin: tfc.TensorInfo,
): AttentionDims {
  const { batch, heads, kvHeads } = attrs;
  const [T = 0, d = 0] = cos.shape;
  const rows = q.shape[0] as number;
  tf.util.assert(
    [q, k, cos, sin].every((t) => t.dtype === 'float32' && t.shape.length === 2) &&
      tf.util.arraysEqual(sin.shape, cos.shape) &&
      d % 2 === 0 &&
      heads % kvHeads === 0 &&
      rows === batch * T &&
      tf.util.arraysEqual(q.shape, [batch * T, heads * d]) &&
      tf.util.arraysEqual(k.shape, [batch * T, kvHeads * d]),
    () =>
      `${kernel}: expected float32 q [B·T, H·d], k [B·T, KV·d], cos and sin [T, d] (d even) with B = ${batch}, ` +
      `H = ${heads}, KV = ${kvHeads}; got ${[q, k, cos, sin].map((t) => `${t.dtype}[${t.shape}]`).join(', ')}`,
  );
  return { batch, time: T, heads, kvHeads, headDim: d };
}

/** The sizes of a LoRA projection, after checking its operands agree (float32, PEFT layout; the base weight [O, I],
 * or [I, O] when `transposed`). */
function loraDims(
  tf: typeof tfc,
  x: tfc.TensorInfo,
  weight: tfc.TensorInfo,
  a: tfc.TensorInfo,
  b: tfc.TensorInfo,
  transposed: boolean,
): LoraDims {
  const [n = -1, i = -1] = x.shape;
  const [o = -1] = b.shape;
  const [r = -1] = a.shape;
  tf.util.assert(
    [x, weight, a, b].every((t) => t.dtype === 'float32' && t.shape.length === 2) &&
      sameShape(weight.shape, transposed ? [i, o] : [o, i]) &&
      sameShape(a.shape, [r, i]) &&
      sameShape(b.shape, [o, r]),
    () =>
      `${LORA_LINEAR_KERNEL}: expected float32 x [N, I], ${transposed ? 'weightT [I, O]' : 'weight [O, I]'}, a [r, I], b [O, r], got ` +
      [x, weight, a, b].map((t) => `${t.dtype}[${t.shape}]`).join(', '),
  );
  return { n, in: i, out: o, r };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

function checkNorm(tf: typeof tfc, x: tfc.TensorInfo, weight: tfc.TensorInfo): void {
  tf.util.assert(
    x.dtype === 'float32' &&
      weight.dtype === 'float32' &&
      weight.shape.length === 1 &&
      weight.shape[0] === x.shape[x.shape.length - 1],
    () =>
      `${RMS_NORM_KERNEL}: wants float32 x [..., D] and weight [D], got ${x.dtype}[${x.shape}] and ${weight.dtype}[${weight.shape}]`,
  );
}

function checkSameFloat32(tf: typeof tfc, kernel: string, ts: tfc.TensorInfo[]): void {
  const first = ts[0] as tfc.TensorInfo;
  for (const t of ts) {
    tf.util.assert(
      t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape),
      () =>
        `${kernel}: operands must be float32 of one shape, got ${ts.map((x) => `${x.dtype}[${x.shape}]`).join(', ')}`,
    );
  }
}

/** `Cast` to the dtype it already has (TF.js's Multiply gradient casts every operand to float32) shares the data. */
function cast(args: KernelArgs, original: tfc.KernelConfig): tfc.TensorInfo | tfc.TensorInfo[] {
  const { x } = args.inputs as { x: tfc.TensorInfo };
  const { dtype } = args.attrs as { dtype: tfc.DataType };
  return x.dtype === dtype && dtype !== 'string' ? identity(args) : original.kernelFunc(args);
}

/** `GatherV2` on axis 0 with int32 indices: whole-row copies inside the heap. */
function gatherRows(tf: typeof tfc, original: tfc.KernelConfig, args: KernelArgs) {
  const { x, indices } = args.inputs as { x: tfc.TensorInfo; indices: tfc.TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
  const backend = args.backend as unknown as WasmBackendLike;
  const parsedAxis = axis < 0 ? axis + x.shape.length : axis;
  const rows = x.shape[0] ?? 0;
  const count = tf.util.sizeFromShape(indices.shape);
  if (
    parsedAxis !== 0 ||
    batchDims !== 0 ||
    (x.dtype !== 'float32' && x.dtype !== 'int32') ||
    indices.dtype !== 'int32' ||
    rows === 0 ||
    count === 0
  ) {
    return original.kernelFunc(args);
  }
  const width = tf.util.sizeFromShape(x.shape.slice(1));
  const idx = new Int32Array(heap(backend), offset(backend, indices) * 4, count).slice();
  for (const i of idx) {
    if (i < 0 || i >= rows) return original.kernelFunc(args); // its out-of-range error
  }
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  const words = new Uint32Array(heap(backend));
  const src = offset(backend, x);
  const dst = offset(backend, out);
  for (let m = 0; m < count; m++) {
    const from = src + (idx[m] as number) * width;
    words.copyWithin(dst + m * width, from, from + width);
  }
  return out;
}
