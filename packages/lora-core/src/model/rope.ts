/**
 * Rotary position embeddings, HF `LlamaRotaryEmbedding` semantics: `inv_freq[j] = 1 / theta^(2j / d)`, the angle of
 * position p is `p * inv_freq`, and `cos`/`sin` tables repeat the `d/2` angles twice (`cat(freqs, freqs)`), to be used
 * with `rotate_half`. Scaling: `linear` divides every frequency by `factor`; `llama3` follows HF's
 * `_compute_llama3_parameters` (long wavelengths scaled, short kept, a smooth blend between).
 *
 * Dimension letters: T sequence length, d head dimension.
 */

import { tf } from '../runtime/tf.ts';
import type { RopeScalingSpec } from './model-config.ts';

/** The `d/2` inverse frequencies, scaled as the config says. */
export function ropeInvFreq(headDim: number, theta: number, scaling: RopeScalingSpec): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let j = 0; j < half; j++) {
    // HF computes this in float32; round the same way so tables match to the last bit.
    inv[j] = Math.fround(1 / Math.fround(theta ** Math.fround((2 * j) / headDim)));
  }
  if (scaling.type === 'linear') {
    for (let j = 0; j < half; j++) inv[j] = (inv[j] as number) / scaling.factor;
  } else if (scaling.type === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions } = scaling;
    const lowFreqWavelen = originalMaxPositions / lowFreqFactor;
    const highFreqWavelen = originalMaxPositions / highFreqFactor;
    for (let j = 0; j < half; j++) {
      const f = inv[j] as number;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowFreqWavelen) {
        inv[j] = f / factor;
      } else if (wavelen >= highFreqWavelen) {
        const smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inv[j] = (1 - smooth) * (f / factor) + smooth * f;
      }
    }
  }
  return inv;
}

/**
 * `cos` and `sin` tables for positions `offset .. offset + T - 1`.
 *
 * @example
 * const { cos, sin } = ropeTables(ropeInvFreq(8, 1e4, { type: 'default' }), 0, 16); // each [16, 8]
 */
export function ropeTables(
  invFreq: Float64Array,
  offset: number,
  length: number,
): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = invFreq.length;
  const d = 2 * half;
  const cos = new Float32Array(length * d);
  const sin = new Float32Array(length * d);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround((offset + t) * (invFreq[j] as number));
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * d + j] = c;
      cos[t * d + j + half] = c;
      sin[t * d + j] = s;
      sin[t * d + j + half] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [length, d]), sin: tf.tensor2d(sin, [length, d]) };
}

const rotations = new Map<number, { r: tf.Tensor2D; rT: tf.Tensor2D }>();

/**
 * `rotate_half` as a [d, d] signed permutation R, so that `rotate_half(x) = x R` for row vectors: R[j + d/2, j] = -1
 * and R[j, j + d/2] = 1. A plain matmul replaces `split` + `concat` (SplitV is very slow on the wasm backend).
 */
function rotation(d: number): { r: tf.Tensor2D; rT: tf.Tensor2D } {
  let rot = rotations.get(d);
  if (!rot) {
    const half = d / 2;
    const data = new Float32Array(d * d);
    for (let j = 0; j < half; j++) {
      data[(j + half) * d + j] = -1;
      data[j * d + j + half] = 1;
    }
    const r = tf.keep(tf.tensor2d(data, [d, d]));
    rot = { r, rT: tf.keep(tf.transpose(r)) };
    rotations.set(d, rot);
  }
  return rot;
}

/**
 * `x * cos + rotate_half(x) * sin` on the last axis; `cos`/`sin` are [T, d] and broadcast over leading axes (the
 * second-to-last axis of `x` is T). Gradient: `dx = dy * cos + (dy * sin) Rᵀ`.
 */
export function applyRope<T extends tf.Tensor>(x: T, cos: tf.Tensor2D, sin: tf.Tensor2D): T {
  const shape = x.shape;
  const d = shape[shape.length - 1] as number;
  const { r, rT } = rotation(d);
  const op = tf.customGrad((...args: unknown[]) => {
    const xIn = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([cos, sin]); // the tables die with the forward's tidy scope; saved tensors live until the backward
    const rotated = tf.reshape(tf.matMul(tf.reshape(xIn, [-1, d]), r), shape); // [..., T, d]
    return {
      value: tf.add(tf.mul(xIn, cos), tf.mul(rotated, sin)) as T,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, s] = saved as [tf.Tensor2D, tf.Tensor2D];
        const back = tf.reshape(tf.matMul(tf.reshape(tf.mul(dy, s), [-1, d]), rT), shape); // [..., T, d]
        return tf.add(tf.mul(dy, c), back);
      },
    };
  });
  return op(x) as T;
}
