export type { AllCloseOptions, AllCloseReport } from './all-close.ts';
export { compareAllClose } from './all-close.ts';
export { captureOutput } from './capture-output.ts';
export { expectNoTensorLeak } from './leak-guard.ts';
export { removeTempDirs, tempDir } from './temp-dir.ts';
export { expectCode, rejectionOf, thrownBy } from './thrown-by.ts';
export type { TinyTokenizer } from './tiny-tokenizer.ts';
export { tinyTokenizer } from './tiny-tokenizer.ts';
