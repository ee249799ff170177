/**
 * The fused kernels lora-core's ops run where the backend has them, declared in one place as TF.js's `kernel_names.ts`
 * declares its own. `@meta-lora/native-blas` registers them on the wasm backend under these names; without them each
 * op runs the same formulas as TF.js ops (`hasKernels` decides). Each forward kernel's gradient kernel follows it.
 *
 * Dimension letters: N rows, D width, F intermediate, I in features, O out features, r LoRA rank, B batch, T time,
 * H query heads, KV key/value heads, d head dim.
 */

/** RMSNorm over the last axis: inputs `x` [N, D], `weight` [D]; attr `eps`; outputs `y` [N, D] and the inverse RMS
 * `r` [N]. Used by `fusedRmsNorm`. */
export const RMS_NORM_KERNEL = 'MetaLoraRmsNorm';
/** The gradient of RMSNorm for `x`: inputs `dy`, `x`, `weight`, `r`; output `dx`. */
export const RMS_NORM_GRAD_KERNEL = 'MetaLoraRmsNormGrad';

/** SwiGLU, `silu(gate) ⊙ up`: inputs `gate`, `up` (one shape). Used by `swiglu`. */
export const SWIGLU_KERNEL = 'MetaLoraSwiGlu';
/** The gradient of SwiGLU: inputs `dy`, `gate`, `up`; outputs `dGate`, `dUp`. */
export const SWIGLU_GRAD_KERNEL = 'MetaLoraSwiGluGrad';

/** A projection with one LoRA branch: inputs `x` [N, I], `weightT` [I, O], `a` [r, I], `b` [O, r]; attr `scaling`;
 * outputs `y` [N, O] and `h = x aᵀ` [N, r]. Used by `linear`. */
export const LORA_LINEAR_KERNEL = 'MetaLoraLinear';
/** The gradient of the LoRA projection: inputs `dy`, `x`, `h`, `weight` [O, I], `a`, `b`; outputs `dx`, `da`, `db`. */
export const LORA_LINEAR_GRAD_KERNEL = 'MetaLoraLinearGrad';

/** Causal self-attention with grouped KV heads and RoPE, no KV cache: inputs `q` [B·T, H·d], `k`, `v` [B·T, KV·d],
 * `cos`, `sin` [T, d]; attrs `batch`, `heads`, `kvHeads`, `scale`; outputs `ctx` [B·T, H·d] and the gradient's
 * operands `probs`, `qr`, `kr`, `vg`. Used by `fusedAttention`. */
export const ATTENTION_KERNEL = 'MetaLoraAttention';
/** The gradient of attention: inputs `dctx`, `probs`, `qr`, `kr`, `vg`, `cos`, `sin`; the same attrs; outputs `dq`,
 * `dk`, `dv`. */
export const ATTENTION_GRAD_KERNEL = 'MetaLoraAttentionGrad';

/** One AdamW update of a variable: inputs `p`, `g`, `m`, `v`; attrs `beta1`, `beta2`, `eps`, `decay`, `sqrtBc2`,
 * `stepSize`; outputs `p'`, `m'`, `v'`. Used by `Optimizer`. */
export const ADAM_STEP_KERNEL = 'MetaLoraAdamStep';
/** One SGD update: inputs `p`, `g` and, with momentum, `buf`; attrs `lr`, `weightDecay`, `momentum`, `first`; outputs
 * `p'` and, with momentum, `buf'`. Used by `Optimizer`. */
export const SGD_STEP_KERNEL = 'MetaLoraSgdStep';

/** `Σ x²` over all its inputs (any names, float32), as a float32 scalar: the squared global norm of the gradients.
 * Used by `globalNorm`. */
export const SUM_SQUARES_KERNEL = 'MetaLoraSumSquares';
