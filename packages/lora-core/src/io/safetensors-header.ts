/**
 * The safetensors format (huggingface/safetensors, `safetensors/src/tensor.rs`): an 8-byte little-endian u64 header
 * length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}`,
 * then the data section, to which the offsets are relative.
 *
 * This file holds the dtypes and the header's parsing. The header is hostile: every number in it is checked before it
 * is used, the tensors' byte ranges must tile the data section exactly (no gap, no overlap, nothing after the last
 * one), and every failure is a `CHECKPOINT_INVALID` error naming the file and the tensor. The reader is
 * `safetensors.ts`, the decoding of a tensor's bytes `safetensors-decode.ts`, the writer `safetensors-write.ts`.
 */

import { MetaLoraError } from '@meta-lora/artifacts';

/** Float dtypes; they load as `Float32Array` (F64 rounds to nearest float32, F16/BF16 convert exactly). */
export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';
/** Integer dtypes; they load as `Int32Array`, and a value outside the int32 range is an error. */
export type IntDtype = 'I64' | 'U64' | 'I32' | 'U32' | 'I16' | 'U16' | 'I8' | 'U8' | 'BOOL';
/** Every dtype `readSafetensors` loads. The FP8 dtypes (F8_E4M3, F8_E5M2) and any other are rejected. */
export type SafetensorsDtype = FloatDtype | IntDtype;
/** The dtypes `writeSafetensors` writes. */
export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';

/** Bytes per element, and the reference's dtype order (ascending alignment), for every dtype the format defines. */
export const DTYPES: Readonly<Record<string, { size: number; rank: number }>> = {
  BOOL: { size: 1, rank: 0 },
  U8: { size: 1, rank: 1 },
  I8: { size: 1, rank: 2 },
  F8_E5M2: { size: 1, rank: 3 },
  F8_E4M3: { size: 1, rank: 4 },
  I16: { size: 2, rank: 5 },
  U16: { size: 2, rank: 6 },
  F16: { size: 2, rank: 7 },
  BF16: { size: 2, rank: 8 },
  I32: { size: 4, rank: 9 },
  U32: { size: 4, rank: 10 },
  F32: { size: 4, rank: 11 },
  F64: { size: 8, rank: 12 },
  I64: { size: 8, rank: 13 },
  U64: { size: 8, rank: 14 },
};
export const FLOAT_DTYPES: readonly string[] = ['F64', 'F32', 'F16', 'BF16'];
const INT_DTYPES: readonly string[] = ['I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL'];
export const WRITABLE_DTYPES: readonly string[] = ['F32', 'F16', 'BF16', 'I32', 'I64'];
/** The reference implementation's limit; real headers are a few MB at most. */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor of a safetensors file: its dtype, shape and byte range in the file (absolute offsets). */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Where the tensors of a safetensors file lie, checked as `parseSafetensors` checks them, before any is read. */
export interface SafetensorsLayout {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** In data-offset order. */
  readonly entries: readonly SafetensorsEntry[];
}

/**
 * The header of a safetensors file of `fileLength` bytes, checked: `bytes` holds its first 8 + header-length bytes
 * (or the whole file). Entries come out in data-offset order with absolute byte offsets.
 *
 * @example
 * const layout = parseLayout(bytes, bytes.length, 'model.safetensors'); // layout.entries[0].begin >= 8
 */
export function parseLayout(bytes: Uint8Array, fileLength: number, path: string): SafetensorsLayout {
  const invalid = (message: string, fix: string, field?: string): MetaLoraError =>
    new MetaLoraError('CHECKPOINT_INVALID', message, field === undefined ? { path, fix } : { path, field, fix });
  const refetch = 'the file is truncated or is not a safetensors file; download or export it again';

  if (fileLength < 8) {
    throw invalid(`file is ${fileLength} bytes, too short for the 8-byte safetensors header length`, refetch);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(fileLength - 8)) {
    throw invalid(`header length ${headerLength} runs past the end of the file (${fileLength} bytes)`, refetch);
  }
  const n = Number(headerLength);
  if (n > MAX_HEADER_BYTES) {
    throw invalid(`header is ${n} bytes, more than the ${MAX_HEADER_BYTES} the format allows`, refetch);
  }

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (cause) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `header is not valid UTF-8 JSON: ${(cause as Error).message}`,
      { path, fix: refetch },
      { cause },
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw invalid(`header must be a JSON object, got ${Array.isArray(header) ? 'an array' : String(header)}`, refetch);
  }

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) {
        throw invalid(`"${METADATA_KEY}" must be an object of strings, got ${JSON.stringify(info)}`, refetch);
      }
      for (const [key, value] of Object.entries(info)) {
        if (typeof value !== 'string') {
          throw invalid(`"${METADATA_KEY}.${key}" must be a string, got ${JSON.stringify(value)}`, refetch, key);
        }
        metadata[key] = value;
      }
      continue;
    }
    const fieldError = (what: string) =>
      invalid(`tensor "${name}": ${what}, in header entry ${JSON.stringify(info)}`, refetch, name);
    if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fieldError('entry is not an object');
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') throw fieldError('"dtype" is missing or not a string');
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw fieldError('"shape" is missing or not an array of non-negative integers');
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw fieldError('"data_offsets" is missing or not a pair [begin, end] of non-negative integers');
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw fieldError(`"data_offsets" end ${end} is before begin ${begin}`);
    if (!FLOAT_DTYPES.includes(dtype) && !INT_DTYPES.includes(dtype)) {
      throw invalid(
        `tensor "${name}" has dtype ${JSON.stringify(dtype)}, which meta-lora cannot load`,
        `supported dtypes are ${[...FLOAT_DTYPES, ...INT_DTYPES].join(', ')}; convert the checkpoint in Python ` +
          '(e.g. model.to(torch.float32).save_pretrained(dir)) and load it again',
        name,
      );
    }
    const size = (DTYPES[dtype] as { size: number }).size;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (!Number.isSafeInteger(count * size)) throw fieldError(`shape [${shape.join(', ')}] is too large`);
    if (end - begin !== count * size) {
      throw invalid(
        `tensor "${name}": shape [${shape.join(', ')}] of ${dtype} needs ${count * size} bytes, ` +
          `but data_offsets [${begin}, ${end}] span ${end - begin}`,
        refetch,
        name,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }

  // The byte ranges must tile the data section: sorted by offset, each starts where the previous one ended.
  const dataStart = 8 + n;
  const dataLength = fileLength - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const e of entries) {
    if (e.begin < covered) {
      throw invalid(
        `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous}", which ends at ${covered}`,
        refetch,
        e.name,
      );
    }
    if (e.begin > covered) {
      throw invalid(
        `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] leave bytes ${covered}..${e.begin} of the data ` +
          'section unused; offsets must be contiguous',
        refetch,
        e.name,
      );
    }
    if (e.end > dataLength) {
      throw invalid(
        `tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] run past the end of the data section ` +
          `(${dataLength} bytes): the file is truncated`,
        refetch,
        e.name,
      );
    }
    covered = e.end;
    previous = e.name;
  }
  if (covered !== dataLength) {
    throw invalid(
      `the data section is ${dataLength} bytes but the tensors cover only ${covered}; ` +
        `${dataLength - covered} trailing bytes belong to no tensor`,
      refetch,
    );
  }

  return {
    path,
    metadata,
    entries: entries.map((e) => ({ ...e, begin: dataStart + e.begin, end: dataStart + e.end })),
  };
}

/**
 * True for a non-negative safe integer: what a shape dimension or a byte offset must be.
 *
 * @example
 * isCount(3); // true; isCount(-1), isCount(1.5), isCount('3') are false
 */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
