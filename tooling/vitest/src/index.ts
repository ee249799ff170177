export type { AllCloseOptions, AllCloseReport } from './all-close.ts';
export { compareAllClose } from './all-close.ts';
export { expectNoTensorLeak } from './leak-guard.ts';
