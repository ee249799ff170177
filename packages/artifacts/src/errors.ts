/**
 * The one error class of meta-lora, on the model of tRPC's `TRPCError`: a typed `code`, typed `details`, and a message
 * that names the parameter or file, shows the bad value and says the fix.
 */

/** Every failure meta-lora reports on purpose has one of these codes. */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'SHAPE_MISMATCH',
  'CHECKPOINT_INVALID',
  'MODEL_UNSUPPORTED',
  'DATA_INVALID',
  'EMPTY_TASK',
  'ARTIFACT_INVALID',
  'SCHEMA_VERSION_MISMATCH',
  'BACKEND_UNAVAILABLE',
  'TOKENIZER_INVALID',
  'NOT_FINITE',
  'IO_FAILED',
  'RUN_LOCKED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Structured context that tools (the CLI, the report) can show without parsing the message. */
export interface ErrorDetails {
  /** File the problem is in. */
  readonly path?: string;
  /** 1-based line (JSONL/CSV) or row (Arrow/Parquet) number. */
  readonly line?: number;
  /** Config parameter, data field or tensor name. */
  readonly field?: string;
  /** The offending value, as received. */
  readonly value?: unknown;
  /** What the user should do about it. */
  readonly fix?: string;
}

/**
 * Thrown for every expected failure. The CLI prints `message` (never a stack trace) and exits non-zero.
 *
 * @example
 * throw new MetaLoraError('CONFIG_INVALID', '`r` must be a positive integer, got 0', { field: 'r', value: 0, fix: 'use r >= 1' });
 */
export class MetaLoraError extends Error {
  override readonly name = 'MetaLoraError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(formatMessage(message, details), options);
    this.code = code;
    this.details = details;
  }
}

function formatMessage(message: string, details: ErrorDetails): string {
  const where = [details.path, details.line === undefined ? undefined : `line ${details.line}`]
    .filter((part) => part !== undefined)
    .join(':');
  const head = where ? `${where}: ${message}` : message;
  return details.fix ? `${head}\n  fix: ${details.fix}` : head;
}

/** True for errors meta-lora raised on purpose (as opposed to bugs). */
export function isMetaLoraError(error: unknown): error is MetaLoraError {
  return error instanceof MetaLoraError;
}

/**
 * Lazy assertion in the style of tfjs `util.assert`: the message is built only on failure.
 *
 * @example
 * assert(r > 0, () => new MetaLoraError('CONFIG_INVALID', `r must be > 0, got ${r}`));
 */
export function assert(condition: unknown, error: () => MetaLoraError): asserts condition {
  if (!condition) throw error();
}

/** Renders any value compactly for an error message (long strings and arrays are cut). */
export function showValue(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
