/**
 * Whether the current TF.js backend has kernels registered under some names: how lora-core's ops choose between the
 * fused kernels `@meta-lora/native-blas` registers on wasm and their op-by-op versions. The kernels' names, inputs and
 * attrs are declared once, in `kernel-contract.ts` of `@meta-lora/artifacts`.
 */
import { tf } from '../runtime/tf.ts';

/**
 * True when the current backend has every one of `kernels`.
 *
 * @example
 * hasKernels('MetaLoraSwiGlu', 'MetaLoraSwiGluGrad'); // true on wasm with the native addon
 */
export function hasKernels(...kernels: readonly string[]): boolean {
  const backend = tf.getBackend();
  return kernels.every((name) => tf.getKernel(name, backend) !== undefined);
}
