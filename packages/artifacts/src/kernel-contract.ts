/**
 * The fused kernels' contract, declared once as TF.js's `kernel_names.ts` declares its own: for each kernel its name,
 * its inputs, its attrs, its outputs in order, and the kernel that computes its gradient. `@meta-lora/lora-core`'s ops
 * run these kernels where the backend has them, and `@meta-lora/native-blas` implements them on the wasm backend, one
 * file per kernel.
 *
 * It lives here because this is the one package both sides depend on: lora-core depends (optionally) on native-blas,
 * so native-blas cannot import lora-core without a package cycle. It holds declarations only, no code.
 *
 * The tensor type is a parameter: lora-core's ops pass `tf.Tensor`, native-blas's kernels read `TensorInfo`.
 *
 * Dimension letters: N rows, D width, I in features, O out features, r LoRA rank, B batch, T time, H query heads,
 * KV key/value heads, d head dim, rep = H / KV.
 */

/** Inputs named `Names`, each a tensor `T` (TF.js writes `Pick<NamedTensorInfoMap, ...>`). */
type Operands<Names extends string, T> = { readonly [name in Names]: T };

/** RMSNorm over the last axis. Used by lora-core's `fusedRmsNorm`. */
export const RMS_NORM_KERNEL = 'MetaLoraRmsNorm';
export type RmsNormInputs<T> = Operands<'x' | 'weight', T>; // [N, D], [D]
export type RmsNormAttrs = { readonly eps: number };
/** `y` [N, D], and the inverse RMS `r` [N] the gradient reads. */
export type RmsNormOutputs<T> = [y: T, r: T];
/** The gradient of RMSNorm for `x` (the weight is a constant here). */
export const RMS_NORM_GRAD_KERNEL = 'MetaLoraRmsNormGrad';
export type RmsNormGradInputs<T> = Operands<'dy' | 'x' | 'weight' | 'r', T>;
export type RmsNormGradOutputs<T> = T; // dx [N, D]

/** SwiGLU, `silu(gate) ⊙ up`, on two tensors of one shape. Used by lora-core's `swiglu`. */
export const SWIGLU_KERNEL = 'MetaLoraSwiGlu';
export type SwiGluInputs<T> = Operands<'gate' | 'up', T>;
export type SwiGluOutputs<T> = T;
/** The gradient of SwiGLU. */
export const SWIGLU_GRAD_KERNEL = 'MetaLoraSwiGluGrad';
export type SwiGluGradInputs<T> = Operands<'dy' | 'gate' | 'up', T>;
export type SwiGluGradOutputs<T> = [dGate: T, dUp: T];

/** A projection with one LoRA branch, `y = x Wᵀ + scaling · (x aᵀ) bᵀ` (PEFT layout). Used by lora-core's `linear`. */
export const LORA_LINEAR_KERNEL = 'MetaLoraLinear';
export type LoraLinearInputs<T> = Operands<'x' | 'weightT' | 'a' | 'b', T>; // [N, I], [I, O], [r, I], [O, r]
export type LoraLinearAttrs = { readonly scaling: number };
/** `y` [N, O], and `h = x aᵀ` [N, r] the gradient reads. */
export type LoraLinearOutputs<T> = [y: T, h: T];
/** The gradient of the LoRA projection; `weight` is the base weight [O, I]. Same attrs. */
export const LORA_LINEAR_GRAD_KERNEL = 'MetaLoraLinearGrad';
export type LoraLinearGradInputs<T> = Operands<'dy' | 'x' | 'h' | 'weight' | 'a' | 'b', T>;
export type LoraLinearGradOutputs<T> = [dx: T, da: T, db: T]; // [N, I], [r, I], [O, r]

/** Causal self-attention with grouped KV heads and RoPE, no KV cache. Used by lora-core's `fusedAttention`. */
export const ATTENTION_KERNEL = 'MetaLoraAttention';
/** `q` [B·T, H·d], `k` and `v` [B·T, KV·d], the RoPE tables `cos` and `sin` [T, d]. */
export type AttentionInputs<T> = Operands<'q' | 'k' | 'v' | 'cos' | 'sin', T>;
/** `scale` multiplies the scores: `1 / √d`. */
export type AttentionAttrs = {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly scale: number;
};
/** `ctx` [B·T, H·d], and the gradient's operands: `probs` [B, KV, rep·T, T], the rotated query and key blocks `qr`
 * [B, KV, rep·T, d] and `kr` [B, KV, T, d], the value blocks `vg` [B, KV, T, d]. */
export type AttentionOutputs<T> = [ctx: T, probs: T, qr: T, kr: T, vg: T];
/** The gradient of attention, from the forward's saved operands. Same attrs. */
export const ATTENTION_GRAD_KERNEL = 'MetaLoraAttentionGrad';
export type AttentionGradInputs<T> = Operands<'dctx' | 'probs' | 'qr' | 'kr' | 'vg' | 'cos' | 'sin', T>;
export type AttentionGradOutputs<T> = [dq: T, dk: T, dv: T]; // [B·T, H·d], [B·T, KV·d] ×2

/** One AdamW update of a variable into fresh outputs. Used by lora-core's `Optimizer`. No gradient. */
export const ADAM_STEP_KERNEL = 'MetaLoraAdamStep';
export type AdamStepInputs<T> = Operands<'p' | 'g' | 'm' | 'v', T>;
/** `decay = 1 − lr·weightDecay` (1 for Adam), `sqrtBc2 = √(1 − β₂ᵗ)`, `stepSize = lr / (1 − β₁ᵗ)`. */
export type AdamStepAttrs = {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly decay: number;
  readonly sqrtBc2: number;
  readonly stepSize: number;
};
export type AdamStepOutputs<T> = [p: T, m: T, v: T];

/** One SGD update (torch.optim.SGD) into fresh outputs; `buf`, the momentum buffer, exactly when momentum > 0. Used by
 * lora-core's `Optimizer`. No gradient. */
export const SGD_STEP_KERNEL = 'MetaLoraSgdStep';
export type SgdStepInputs<T> = Operands<'p' | 'g', T> & { readonly buf?: T };
/** `first`: the first step, when the momentum buffer starts as the gradient. */
export type SgdStepAttrs = {
  readonly lr: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly first: boolean;
};
export type SgdStepOutputs<T> = [p: T] | [p: T, buf: T];

/** `Σ x²` over all its inputs (any names, float32): the squared global norm of the gradients. Used by lora-core's
 * `globalNorm`. No gradient. */
export const SUM_SQUARES_KERNEL = 'MetaLoraSumSquares';
export type SumSquaresInputs<T> = { readonly [name: string]: T };
export type SumSquaresOutputs<T> = T; // a float32 scalar

/** Each forward kernel's gradient kernel. */
export const FUSED_KERNEL_GRADIENTS = {
  [RMS_NORM_KERNEL]: RMS_NORM_GRAD_KERNEL,
  [SWIGLU_KERNEL]: SWIGLU_GRAD_KERNEL,
  [LORA_LINEAR_KERNEL]: LORA_LINEAR_GRAD_KERNEL,
  [ATTENTION_KERNEL]: ATTENTION_GRAD_KERNEL,
} as const;

/** Every fused kernel, in the order native-blas registers them. */
export const FUSED_KERNELS = [
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
] as const;
export type FusedKernelName = (typeof FUSED_KERNELS)[number];
