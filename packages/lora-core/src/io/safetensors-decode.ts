/**
 * Decoding a safetensors tensor's bytes (little-endian, row-major): float dtypes to float32 (F64 rounds to nearest,
 * F16/BF16 convert exactly), integer dtypes to int32 (a value outside the int32 range is an error). An aligned F32 or
 * I32 tensor on a little-endian machine comes out as a view of the bytes, not a copy. The format is
 * `safetensors-header.ts`.
 */

import { MetaLoraError } from '@meta-lora/artifacts';
import { decodeBf16, decodeF16 } from './half-float.ts';
import {
  DTYPES,
  FLOAT_DTYPES,
  type FloatDtype,
  type IntDtype,
  LITTLE_ENDIAN,
  type SafetensorsEntry,
} from './safetensors-header.ts';

/**
 * One loaded tensor: its dtype in the file, its shape, and its row-major values. For an aligned F32 or I32 tensor
 * `data` is a view into the file's bytes (no copy): treat it as read-only.
 */
export type SafetensorsTensor =
  | { readonly dtype: FloatDtype; readonly shape: number[]; readonly data: Float32Array }
  | { readonly dtype: IntDtype; readonly shape: number[]; readonly data: Int32Array };

/**
 * Decodes one entry whose bytes start at `offset` of `bytes`: float dtypes as float32, integer dtypes as int32.
 *
 * @example
 * const t = decodeEntry(bytes, entry.begin, entry, path); // { dtype: 'F32', shape: entry.shape, data: Float32Array }
 */
export function decodeEntry(bytes: Uint8Array, offset: number, e: SafetensorsEntry, path: string): SafetensorsTensor {
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
