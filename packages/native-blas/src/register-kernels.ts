/**
 * The one registration list, as TF.js's `register_all_kernels.ts`: the kernels under `kernels/` (one file each) on the
 * TF.js wasm backend. They read and write the backend's tensors in place in the wasm heap.
 *
 * - The fused kernels implement the contract declared in `@meta-lora/artifacts` (`kernel-contract.ts`), under the names
 *   lora-core's ops look up.
 * - The replacements take over wasm kernels that are slow on the shapes a LoRA training step runs (seen in a
 *   `tf.profile` of the bench step): `BatchMatMul` through sgemm; `Transpose`, `Exp`, and `Add`/`Sub`/`Multiply` with
 *   one operand broadcast as plain C++ loops; `Identity` and same-dtype `Cast` share the input's data; `GatherV2` on
 *   axis 0 copies whole rows. Every case a replacement does not cover goes to the original kernel.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { adamStepConfig } from './kernels/adam-step.ts';
import { attentionConfig } from './kernels/attention.ts';
import { attentionGradConfig } from './kernels/attention-grad.ts';
import { batchMatMulConfig } from './kernels/batch-mat-mul.ts';
import { addConfig, multiplyConfig, subConfig } from './kernels/binary.ts';
import { castConfig } from './kernels/cast.ts';
import { expConfig } from './kernels/exp.ts';
import { gatherV2Config } from './kernels/gather-v2.ts';
import { identityConfig } from './kernels/identity.ts';
import { loraLinearConfig } from './kernels/lora-linear.ts';
import { loraLinearGradConfig } from './kernels/lora-linear-grad.ts';
import { rmsNormConfig } from './kernels/rms-norm.ts';
import { rmsNormGradConfig } from './kernels/rms-norm-grad.ts';
import { sgdStepConfig } from './kernels/sgd-step.ts';
import { sumSquaresConfig } from './kernels/sum-squares.ts';
import { swigluConfig } from './kernels/swiglu.ts';
import { swigluGradConfig } from './kernels/swiglu-grad.ts';
import { transposeConfig } from './kernels/transpose.ts';
import type { FusedKernelConfig, ReplacementKernelConfig } from './kernels/wasm-heap.ts';
import type { NativeBlas } from './native-blas-api.ts';

/** The fused kernels, one per name of the contract. */
const FUSED_KERNEL_CONFIGS: readonly FusedKernelConfig[] = [
  swigluConfig,
  swigluGradConfig,
  rmsNormConfig,
  rmsNormGradConfig,
  loraLinearConfig,
  loraLinearGradConfig,
  adamStepConfig,
  sgdStepConfig,
  sumSquaresConfig,
  attentionConfig,
  attentionGradConfig,
];

/** The replacements of the wasm backend's own kernels. */
const REPLACEMENT_KERNEL_CONFIGS: readonly ReplacementKernelConfig[] = [
  batchMatMulConfig,
  transposeConfig,
  expConfig,
  addConfig,
  subConfig,
  multiplyConfig,
  identityConfig,
  castConfig,
  gatherV2Config,
];

/** The wasm backend's kernels that a replacement took over, by `name/backend`, to put back. */
const replaced = new Map<string, tfc.KernelConfig>();

/**
 * Registers the native kernels on the wasm backend of `tf` (meta-lora's tfjs-core instance); returns the kernel names
 * now served natively. Call after the wasm backend is initialised. Idempotent.
 *
 * @example
 * const status = loadNativeBlas();
 * if (status.available) registerBlasKernels(tf, status.blas); // ['MetaLoraSwiGlu', ..., 'BatchMatMul', ...]
 */
export function registerBlasKernels(tf: typeof tfc, blas: NativeBlas): string[] {
  const ctx = { tf, blas };
  const names: string[] = [];
  for (const { kernelName, kernelFunc } of FUSED_KERNEL_CONFIGS) {
    if (tf.getKernel(kernelName, 'wasm') === undefined)
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => kernelFunc(ctx, args) });
    names.push(kernelName);
  }
  for (const { kernelName, kernelFunc } of REPLACEMENT_KERNEL_CONFIGS) {
    const key = `${kernelName}/wasm`;
    if (!replaced.has(key)) {
      const original = tf.getKernel(kernelName, 'wasm');
      if (original === undefined) continue;
      tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: (args) => kernelFunc(ctx, args, original) });
      replaced.set(key, original);
    }
    names.push(kernelName);
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
  for (const { kernelName } of FUSED_KERNEL_CONFIGS) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  }
  for (const [key, original] of replaced) {
    const [name, backend] = key.split('/') as [string, string];
    tf.unregisterKernel(name, backend);
    tf.registerKernel(original);
    replaced.delete(key);
  }
}
