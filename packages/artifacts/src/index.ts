export { writeDirAtomic, writeFileAtomic } from './atomic-write.ts';
export type { ErrorCode, ErrorDetails } from './errors.ts';
export { assert, ERROR_CODES, isMetaLoraError, MetaLoraError, showValue } from './errors.ts';
export type { RngState } from './rng.ts';
export { hashString, Rng } from './rng.ts';
