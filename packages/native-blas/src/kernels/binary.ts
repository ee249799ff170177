/**
 * `Add`, `Sub` and `Multiply` on float32 where one operand broadcasts over the other's leading axes (norm weights, RoPE
 * tables, scalars): one C++ loop, several times faster than the wasm kernels. The three share this file as TF.js's
 * wasm backend shares `binary_kernel.ts`. Other dtypes and other broadcasts go to the original kernel.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { BINARY_OPS, type BinaryOp } from '../native-blas-api.ts';
import { heap, offset, type ReplacementKernelConfig, wasmBackend } from './wasm-heap.ts';

/**
 * `a (op) b` where the smaller operand spans one contiguous block of the larger one's axes and repeats over the rest:
 * a scalar, a row vector, a [N, 1] column, a [..., T, d] table under heads. `commutative`: `b (op) a` may swap.
 */
function binaryConfig(kernelName: string, op: BinaryOp, commutative: boolean): ReplacementKernelConfig {
  return {
    kernelName,
    kernelFunc: ({ tf, blas }, args, original) => {
      const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
      const backend = wasmBackend(args);
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
    },
  };
}

export const addConfig = binaryConfig('Add', BINARY_OPS.add, true);
export const subConfig = binaryConfig('Sub', BINARY_OPS.sub, false);
export const multiplyConfig = binaryConfig('Multiply', BINARY_OPS.mul, true);

/**
 * How `small` broadcasts against `big` (right-aligned, as NumPy), when the axes where it has `big`'s size form one
 * contiguous run and it is 1 elsewhere: `nb` elements in the run, `inner` elements of `big` after it. Null otherwise,
 * or when broadcasting would change `big`'s shape.
 *
 * @example
 * broadcastBlock([1024, 1], [1024, 256]); // { nb: 1024, inner: 256 }
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
