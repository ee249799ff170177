/**
 * The additive attention masks of the op-by-op attention block (`LlamaModel`): 0 where a query may attend to a key,
 * -1e9 where it may not, added to the scores before the softmax. Queries come grouped as the model stacks them, the
 * `rep = H/KV` query heads of a key/value head along time, so query row i is position past + (i mod T).
 *
 * Dimension letters: B batch, T new positions, S key positions (past + T), rep query heads per key/value head.
 */
import { tf } from '../runtime/tf.ts';

/**
 * Additive causal mask [rep·T, S]: row i is query position past + (i mod T), which sees keys 0 .. past + (i mod T).
 *
 * @example
 * const mask = causalMask(2, 3, 0); // [6, 3]: rows 0 and 3 see key 0 only
 */
export function causalMask(rep: number, T: number, past: number): tf.Tensor2D {
  const S = past + T;
  const data = new Float32Array(rep * T * S);
  for (let i = 0; i < rep * T; i++) {
    const pos = past + (i % T);
    for (let s = pos + 1; s < S; s++) data[i * S + s] = -1e9;
  }
  return tf.tensor2d(data, [rep * T, S]);
}

/**
 * Additive mask [B, 1, rep·T, S] for left-padded rows: the causal mask of `causalMask`, and every key of row b before
 * `padding[b]` masked too. RoPE depends only on the distance between positions, so a row's real tokens attend as they
 * would unpadded.
 *
 * @example
 * const mask = paddedCausalMask([0, 2], 1, 4, 0); // [2, 1, 4, 4]: row 1 never attends to keys 0 and 1
 */
export function paddedCausalMask(padding: readonly number[], rep: number, T: number, past: number): tf.Tensor4D {
  const S = past + T;
  const data = new Float32Array(padding.length * rep * T * S);
  padding.forEach((pad, b) => {
    for (let i = 0; i < rep * T; i++) {
      const row = (b * rep * T + i) * S;
      const pos = past + (i % T);
      for (let s = 0; s < S; s++) if (s < pad || s > pos) data[row + s] = -1e9;
    }
  });
  return tf.tensor4d(data, [padding.length, 1, rep * T, S]);
}
