export type {
  LoraDims,
  LoraLinearGradOffsets,
  LoraLinearOffsets,
  NativeBlas,
  NativeBlasStatus,
} from './native-blas.ts';
export { ADDON_PATH, loadNativeBlas, NATIVE_ENV, OPENBLAS_ENV, THREADS_ENV } from './native-blas.ts';
export {
  LORA_LINEAR_GRAD_KERNEL,
  LORA_LINEAR_KERNEL,
  RMS_NORM_GRAD_KERNEL,
  RMS_NORM_KERNEL,
  registerBlasKernels,
  SWIGLU_GRAD_KERNEL,
  SWIGLU_KERNEL,
  unregisterBlasKernels,
} from './register-kernels.ts';
