export type { NativeBlas, NativeBlasStatus } from './native-blas.ts';
export { ADDON_PATH, loadNativeBlas, NATIVE_ENV, OPENBLAS_ENV, THREADS_ENV } from './native-blas.ts';
export { registerBlasKernels, unregisterBlasKernels } from './register-kernels.ts';
