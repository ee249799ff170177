export type { NativeBlasStatus } from './native-blas.ts';
export {
  ADDON_PATH,
  BUILTIN_LIBRARY,
  loadNativeBlas,
  NATIVE_ENV,
  OPENBLAS_ENV,
  OPENBLAS_NONE,
  SGEMM_KERNEL_ENV,
  SGEMM_KERNELS,
  THREADS_ENV,
} from './native-blas.ts';
export type {
  AdamConstants,
  AdamOffsets,
  AttentionDims,
  AttentionGradOffsets,
  AttentionOffsets,
  LoraDims,
  LoraLinearGradOffsets,
  LoraLinearOffsets,
  NativeBlas,
  SgdConstants,
  SgdOffsets,
} from './native-blas-api.ts';
export { registerBlasKernels, unregisterBlasKernels } from './register-kernels.ts';
