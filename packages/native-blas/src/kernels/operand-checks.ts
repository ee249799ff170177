/**
 * The operand checks the fused kernels share: dtypes and shapes agree with the contract, else a TF.js assert error
 * that names the kernel and shows what it got. The addon checks bounds again (native/args.h).
 *
 * Dimension letters: N rows, I in features, O out features, r LoRA rank, B batch, T time, H query heads, KV key/value
 * heads, d head dim.
 */
import { type AttentionAttrs, LORA_LINEAR_KERNEL, RMS_NORM_KERNEL } from '@meta-lora/artifacts';
import type * as tfc from '@tensorflow/tfjs-core';
import type { AttentionDims, LoraDims } from '../native-blas-api.ts';

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** All of `ts` are float32 of one shape. */
export function checkSameFloat32(tf: typeof tfc, kernel: string, ts: tfc.TensorInfo[]): void {
  const first = ts[0] as tfc.TensorInfo;
  for (const t of ts) {
    tf.util.assert(
      t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape),
      () =>
        `${kernel}: operands must be float32 of one shape, got ${ts.map((x) => `${x.dtype}[${x.shape}]`).join(', ')}`,
    );
  }
}

/** RMSNorm's operands: float32 `x` [..., D] and `weight` [D]. */
export function checkNorm(tf: typeof tfc, x: tfc.TensorInfo, weight: tfc.TensorInfo): void {
  tf.util.assert(
    x.dtype === 'float32' &&
      weight.dtype === 'float32' &&
      weight.shape.length === 1 &&
      weight.shape[0] === x.shape[x.shape.length - 1],
    () =>
      `${RMS_NORM_KERNEL}: wants float32 x [..., D] and weight [D], got ${x.dtype}[${x.shape}] and ${weight.dtype}[${weight.shape}]`,
  );
}

/** The sizes of a LoRA projection, after checking its operands agree (float32, PEFT layout; the base weight [O, I],
 * or [I, O] when `transposed`). */
export function loraDims(
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

/** The sizes of an attention block, after checking `q` [B·T, H·d], `k` [B·T, KV·d] and the tables [T, d] agree. */
export function attentionDims(
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
