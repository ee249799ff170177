export type {
  AdamConstants,
  AdamOffsets,
  LoraDims,
  LoraLinearGradOffsets,
  LoraLinearOffsets,
  NativeBlas,
  NativeBlasStatus,
  SgdConstants,
  SgdOffsets,
} from './native-blas.ts';
export { ADDON_PATH, loadNativeBlas, NATIVE_ENV, OPENBLAS_ENV, THREADS_ENV } from './native-blas.ts';
export {
  ADAM_STEP_KERNEL,
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  registerBlasKernels,
  SGD_STEP_KERNEL,
  SUM_SQUARES_KERNEL,
  SWIGLU_GRAD_KERNEL,
  SWIGLU_KERNEL,
  unregisterBlasKernels,
} from './register-kernels.ts';
