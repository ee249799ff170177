/**
 * The safetensors format (huggingface/safetensors, `safetensors/src/tensor.rs`): an 8-byte little-endian u64 header
 * length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}`,
 * then the data section, to which the offsets are relative.
 *
 * The reader treats the file as hostile: every number in the header is checked before it is used, the tensors' byte
 * ranges must tile the data section exactly (no gap, no overlap, nothing after the last one), and every failure is a
 * `CHECKPOINT_INVALID` error naming the file and the tensor. Float tensors load as float32, integer tensors as int32.
 * The writer is `safetensors-write.ts`.
 */

import { constants as bufferConstants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MetaLoraError } from '@meta-lora/artifacts';
import { decodeBf16, decodeF16 } from './half-float.ts';

/** Float dtypes; they load as `Float32Array` (F64 rounds to nearest float32, F16/BF16 convert exactly). */
export type FloatDtype = 'F64' | 'F32' | 'F16' | 'BF16';
/** Integer dtypes; they load as `Int32Array`, and a value outside the int32 range is an error. */
export type IntDtype = 'I64' | 'U64' | 'I32' | 'U32' | 'I16' | 'U16' | 'I8' | 'U8' | 'BOOL';
/** Every dtype `readSafetensors` loads. The FP8 dtypes (F8_E4M3, F8_E5M2) and any other are rejected. */
export type SafetensorsDtype = FloatDtype | IntDtype;
/** The dtypes `writeSafetensors` writes. */
export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';

/**
 * One loaded tensor: its dtype in the file, its shape, and its row-major values. For an aligned F32 or I32 tensor
 * `data` is a view into the file's bytes (no copy): treat it as read-only.
 */
export type SafetensorsTensor =
  | { readonly dtype: FloatDtype; readonly shape: number[]; readonly data: Float32Array }
  | { readonly dtype: IntDtype; readonly shape: number[]; readonly data: Int32Array };

/** A whole safetensors file, decoded. `tensors` is in data-offset order. */
export interface SafetensorsFile {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
}

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
const FLOAT_DTYPES: readonly string[] = ['F64', 'F32', 'F16', 'BF16'];
const INT_DTYPES: readonly string[] = ['I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL'];
export const WRITABLE_DTYPES: readonly string[] = ['F32', 'F16', 'BF16', 'I32', 'I64'];
/** The reference implementation's limit; real headers are a few MB at most. */
const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads and decodes a whole safetensors file with one read.
 *
 * @example
 * const file = readSafetensors('models/stories260K/model.safetensors');
 * const emb = file.tensors.get('model.embed_tokens.weight'); // { dtype: 'F32', shape: [512, 64], data: Float32Array }
 */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readWholeFile(path), path);
}

/**
 * Decodes safetensors bytes already in memory. `path` only names the source in error messages.
 *
 * @example
 * const file = parseSafetensors(serializeSafetensors({ w: { dtype: 'F32', shape: [2], data: [1, 2] } }), 'mem');
 */
export function parseSafetensors(bytes: Uint8Array, path = '<in-memory safetensors>'): SafetensorsFile {
  const layout = parseLayout(bytes, bytes.length, path);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of layout.entries) tensors.set(e.name, decodeEntry(bytes, e.begin, e, path));
  return { path, metadata: layout.metadata, tensors };
}

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
 * Reads a safetensors file's header only and checks it against the file's length (the same checks, and errors, as
 * `readSafetensors`); `readSafetensorsEntry` then reads a tensor's values where the caller wants them.
 *
 * @example
 * const layout = readSafetensorsLayout('models/stories260K/model.safetensors');
 * layout.entries[0]; // { name: 'model.embed_tokens.weight', dtype: 'F32', shape: [512, 64], begin: 8 + n, end: … }
 */
export function readSafetensorsLayout(path: string): SafetensorsLayout {
  return withFile(path, (fd, size) => {
    const prefix = readExactly(fd, path, Buffer.alloc(Math.min(size, 8)), 0);
    const n = size >= 8 ? prefix.readBigUInt64LE(0) : 0n;
    // Only a header that the checks will accept is read; otherwise the prefix is enough for them to fail on.
    if (size < 8 || n > BigInt(size - 8) || n > BigInt(MAX_HEADER_BYTES)) return parseLayout(prefix, size, path);
    return parseLayout(readExactly(fd, path, Buffer.alloc(8 + Number(n)), 0), size, path);
  });
}

/**
 * Reads one tensor of a file into `out` as float32 (the file's F32 bytes straight into `out`'s memory on a
 * little-endian machine; other dtypes decoded as `readSafetensors` decodes them, integers converted). `out` holds
 * exactly the tensor's elements.
 *
 * @example
 * const out = new Float32Array(entry.shape.reduce((a, b) => a * b, 1));
 * readSafetensorsEntry(layout.path, entry, out);
 */
export function readSafetensorsEntry(path: string, entry: SafetensorsEntry, out: Float32Array): void {
  const bytes = entry.end - entry.begin;
  const inPlace = entry.dtype === 'F32' && LITTLE_ENDIAN;
  if (out.length * (DTYPES[entry.dtype] as { size: number }).size !== bytes) {
    throw new MetaLoraError(
      'SHAPE_MISMATCH',
      `tensor "${entry.name}" is ${bytes} bytes of ${entry.dtype}; the buffer to read it into has ${out.length} values`,
      { path, field: entry.name, fix: "size the buffer from the entry's shape" },
    );
  }
  withFile(path, (fd) => {
    if (inPlace) {
      readExactly(fd, path, new Uint8Array(out.buffer, out.byteOffset, bytes), entry.begin);
      return;
    }
    // Unpooled, so its bytes start at byte 0 of their ArrayBuffer, as `decodeEntry` expects for an in-place view.
    const raw = readExactly(fd, path, Buffer.allocUnsafeSlow(bytes), entry.begin);
    out.set(decodeEntry(raw, 0, entry, path).data);
  });
}

/**
 * The header of a safetensors file of `fileLength` bytes, checked: `bytes` holds its first 8 + header-length bytes
 * (or the whole file). Entries come out in data-offset order with absolute byte offsets.
 */
function parseLayout(bytes: Uint8Array, fileLength: number, path: string): SafetensorsLayout {
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

/** Decodes one entry whose bytes start at `offset` of `bytes`: float dtypes as float32, integer dtypes as int32. */
function decodeEntry(bytes: Uint8Array, offset: number, e: SafetensorsEntry, path: string): SafetensorsTensor {
  const count = (e.end - e.begin) / (DTYPES[e.dtype] as { size: number }).size;
  if (FLOAT_DTYPES.includes(e.dtype)) {
    return {
      dtype: e.dtype as FloatDtype,
      shape: e.shape,
      data: decodeFloat(bytes, offset, count, e.dtype as FloatDtype),
    };
  }
  const outOfRange = (index: number, value: string) =>
    new MetaLoraError(
      'CHECKPOINT_INVALID',
      `tensor "${e.name}" (${e.dtype}) holds ${value} at flat index ${index}, outside the int32 range ` +
        'that integer tensors load into',
      { path, field: e.name, fix: 'store the tensor as I32 (values within ±2^31) or as F32' },
    );
  return {
    dtype: e.dtype as IntDtype,
    shape: e.shape,
    data: decodeInt(bytes, offset, count, e.dtype as IntDtype, outOfRange),
  };
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function decodeFloat(bytes: Uint8Array, offset: number, count: number, dtype: FloatDtype): Float32Array {
  if (dtype === 'F16') return decodeF16(bytes, offset, count);
  if (dtype === 'BF16') return decodeBf16(bytes, offset, count);
  const at = bytes.byteOffset + offset;
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(bytes.buffer, at, count);
    const view = new DataView(bytes.buffer, at, count * 4);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  // F64: round each value to the nearest float32.
  if (LITTLE_ENDIAN && at % 8 === 0) return new Float32Array(new Float64Array(bytes.buffer, at, count));
  const view = new DataView(bytes.buffer, at, count * 8);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function decodeInt(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: IntDtype,
  outOfRange: (index: number, value: string) => MetaLoraError,
): Int32Array {
  const at = bytes.byteOffset + offset;
  const size = (DTYPES[dtype] as { size: number }).size;
  if (dtype === 'I32' && LITTLE_ENDIAN && at % 4 === 0) return new Int32Array(bytes.buffer, at, count);
  const view = new DataView(bytes.buffer, at, count * size);
  const out = new Int32Array(count);
  switch (dtype) {
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) === 0 ? 0 : 1;
      break;
    case 'U8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'U32':
      for (let i = 0; i < count; i++) {
        const v = view.getUint32(i * 4, true);
        if (v > 0x7fffffff) throw outOfRange(i, String(v));
        out[i] = v;
      }
      break;
    case 'I64':
    case 'U64':
      for (let i = 0; i < count; i++) {
        // A 64-bit value fits int32 iff its high word is the sign extension of its low word.
        const lo = view.getInt32(i * 8, true);
        const hi = view.getInt32(i * 8 + 4, true);
        if (hi !== (lo < 0 ? -1 : 0) || (dtype === 'U64' && hi !== 0)) {
          const value = dtype === 'I64' ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
          throw outOfRange(i, String(value));
        }
        out[i] = lo;
      }
      break;
  }
  return out;
}

function readWholeFile(path: string): Uint8Array {
  return withFile(path, (fd, size) => {
    if (size > bufferConstants.MAX_LENGTH) {
      throw new MetaLoraError('MODEL_UNSUPPORTED', `file is ${size} bytes, more than one buffer can hold`, {
        path,
        fix: "re-shard the checkpoint into smaller files: model.save_pretrained(dir, max_shard_size='2GB')",
      });
    }
    // Unpooled, so the buffer starts at byte 0 of its ArrayBuffer and F32 data can be viewed in place.
    const bytes = Buffer.allocUnsafeSlow(size);
    const done = readFully(fd, bytes, 0);
    return done === size ? bytes : bytes.subarray(0, done);
  });
}

/** Runs `use` on the open file and its size; open and read failures become errors that name the file. */
function withFile<T>(path: string, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new MetaLoraError(
      code === 'ENOENT' || code === 'EISDIR' ? 'CHECKPOINT_INVALID' : 'IO_FAILED',
      `cannot open safetensors file: ${(cause as Error).message}`,
      { path, fix: 'check the path; a Hugging Face model directory holds model.safetensors' },
      { cause },
    );
  }
  try {
    return use(fd, fstatSync(fd).size);
  } catch (cause) {
    if (cause instanceof MetaLoraError) throw cause;
    throw new MetaLoraError(
      'IO_FAILED',
      `cannot read safetensors file: ${(cause as Error).message}`,
      { path, fix: 'check that the file is readable' },
      { cause },
    );
  } finally {
    closeSync(fd);
  }
}

/** Reads into `into` from file position `position` until it is full or the file ends; returns the bytes read. */
function readFully(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/** `readFully`, where a short read means the file shrank after its header was checked. */
function readExactly<T extends Uint8Array>(fd: number, path: string, into: T, position: number): T {
  const done = readFully(fd, into, position);
  if (done !== into.length) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `file ended at byte ${position + done}, inside bytes ${position}..${position + into.length}: it changed`,
      { path, fix: 'the file is truncated or was being written; download or export it again' },
    );
  }
  return into;
}
