/**
 * Row gather with a scatter gradient: `out[m] = table[rows[m]]`, and `d table = scatter_add(rows, d out)`.
 *
 * TF.js differentiates `gather` through `UnsortedSegmentSum`, which the wasm backend does not implement; `scatterND`
 * accumulates duplicate indices the same way and exists on every backend. Used for the embedding lookup (its gradient
 * matters only when the embedding trains) and for picking the rows that carry a loss target.
 *
 * Dimension letters: R table rows, M gathered rows, D row width.
 */
import { tf } from '../runtime/tf.ts';

/**
 * Gathers `rows` of `table` ([R, D] -> [M, D]).
 *
 * @example
 * const picked = gatherRows(hidden, Int32Array.from([0, 5, 5])); // [3, D]
 */
export function gatherRows(table: tf.Tensor2D, rows: Int32Array | tf.Tensor1D): tf.Tensor2D {
  const [R, D] = table.shape;
  const op = tf.customGrad((...args: unknown[]) => {
    const t = args[0] as tf.Tensor2D;
    const idx = rows instanceof Int32Array ? tf.tensor1d(rows, 'int32') : rows; // [M]
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([idx]);
    return {
      value: tf.gather(t, idx) as tf.Tensor2D, // [M, D]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const i = saved[0] as tf.Tensor1D;
        return tf.scatterND(tf.reshape(i, [i.shape[0], 1]), dy, [R, D]); // [R, D]
      },
    };
  });
  return op(table) as tf.Tensor2D;
}
