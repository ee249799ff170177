/**
 * Reading safetensors files (the format is `safetensors-header.ts`): a whole file with one read, or its header first
 * and then one tensor at a time, straight into the caller's buffer. Every header is checked before any tensor is
 * read, and open, read and format failures are errors that name the file. Float tensors load as float32, integer
 * tensors as int32. The writer is `safetensors-write.ts`.
 */

import { constants as bufferConstants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MetaLoraError } from '@meta-lora/artifacts';
import { decodeEntry, type SafetensorsTensor } from './safetensors-decode.ts';
import {
  DTYPES,
  LITTLE_ENDIAN,
  MAX_HEADER_BYTES,
  parseLayout,
  type SafetensorsEntry,
  type SafetensorsLayout,
} from './safetensors-header.ts';

/** A whole safetensors file, decoded. `tensors` is in data-offset order. */
export interface SafetensorsFile {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
}

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
