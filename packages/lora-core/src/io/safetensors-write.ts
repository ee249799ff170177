/**
 * Writing the safetensors format (`safetensors-header.ts`), byte for byte as the reference serializer does: tensors
 * ordered by descending dtype alignment, then by name; compact JSON with `__metadata__` first; the header padded with
 * spaces to a multiple of 8 bytes.
 */
import { type ErrorCode, MetaLoraError, writeFileAtomic } from '@meta-lora/artifacts';
import { floatToBf16Bits, floatToF16Bits } from './half-float.ts';
import {
  DTYPES,
  isCount,
  LITTLE_ENDIAN,
  METADATA_KEY,
  WRITABLE_DTYPES,
  type WritableDtype,
} from './safetensors-header.ts';

/** A tensor to write. `data` holds `product(shape)` values, row-major; integer dtypes need integer values. */
export interface TensorToWrite {
  readonly dtype: WritableDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Float64Array | ArrayLike<number>;
}

/**
 * Serializes tensors to safetensors bytes, byte-identical to the reference implementation's `serialize` (with
 * metadata keys sorted, where the reference leaves them in hash order).
 *
 * @example
 * const bytes = serializeSafetensors({ 'lora_A.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) } }, { format: 'pt' });
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as [string, TensorToWrite][];
  for (const [name, t] of list) checkWritable(name, t);
  list.sort(
    ([an, a], [bn, b]) =>
      (DTYPES[b.dtype] as { rank: number }).rank - (DTYPES[a.dtype] as { rank: number }).rank ||
      compareCodePoints(an, bn),
  );

  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const fields = keys.map((key) => {
      const value = metadata[key];
      if (typeof value !== 'string') {
        throw new MetaLoraError('CONFIG_INVALID', `metadata "${key}" must be a string, got ${JSON.stringify(value)}`, {
          field: key,
          value,
          fix: 'safetensors metadata maps strings to strings; JSON.stringify other values',
        });
      }
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${fields.join(',')}}`);
  }
  let offset = 0;
  const placed = list.map(([name, t]) => {
    const begin = offset;
    offset += t.data.length * (DTYPES[t.dtype] as { size: number }).size;
    parts.push(
      `${JSON.stringify(name)}:${JSON.stringify({ dtype: t.dtype, shape: [...t.shape], data_offsets: [begin, offset] })}`,
    );
    return { t, begin };
  });
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces, as the reference pads
  const dataStart = 8 + headerLength;
  for (const { t, begin } of placed) encodeInto(out, view, dataStart + begin, t);
  return out;
}

/**
 * Writes tensors as a safetensors file, atomically (see `serializeSafetensors` for the byte layout).
 *
 * @example
 * writeSafetensors('runs/x/adapter_model.safetensors', { 'base_model.model.lm_head.lora_A.weight': { dtype: 'F32', shape: [8, 64], data } });
 */
export function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

function checkWritable(name: string, t: TensorToWrite): void {
  const bad = (code: ErrorCode, message: string, fix: string, value?: unknown): MetaLoraError =>
    new MetaLoraError(code, `tensor "${name}": ${message}`, { field: name, value, fix });
  if (name === METADATA_KEY) throw bad('CONFIG_INVALID', 'this name is reserved for metadata', 'rename the tensor');
  if (!WRITABLE_DTYPES.includes(t.dtype)) {
    throw bad(
      'CONFIG_INVALID',
      `cannot write dtype ${JSON.stringify(t.dtype)}`,
      `use one of ${WRITABLE_DTYPES.join(', ')}`,
    );
  }
  if (!Array.isArray(t.shape) || !t.shape.every(isCount)) {
    throw bad('SHAPE_MISMATCH', `shape must be non-negative integers, got ${JSON.stringify(t.shape)}`, 'fix the shape');
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw bad(
      'SHAPE_MISMATCH',
      `shape [${t.shape.join(', ')}] holds ${count} values but data has ${t.data.length}`,
      'pass data with product(shape) values, row-major',
    );
  }
  if (t.dtype === 'I32' || t.dtype === 'I64') {
    const [lo, hi] = t.dtype === 'I32' ? [-0x80000000, 0x7fffffff] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < count; i++) {
      const v = t.data[i] as number;
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw bad(
          'CONFIG_INVALID',
          `value ${v} at flat index ${i} is not an integer in the ${t.dtype} range meta-lora writes`,
          'round the values, or write the tensor as F32',
          v,
        );
      }
    }
  }
}

interface Encoder {
  readonly put: (view: DataView, at: number, v: number) => void;
  readonly native?: Float32ArrayConstructor | Int32ArrayConstructor;
}

/** How each writable dtype stores one value, little-endian, and the typed array whose bytes already are that encoding. */
const ENCODERS: Readonly<Record<WritableDtype, Encoder>> = {
  F32: { put: (view, at, v) => view.setFloat32(at, v, true), native: Float32Array },
  I32: { put: (view, at, v) => view.setInt32(at, v, true), native: Int32Array },
  F16: { put: (view, at, v) => view.setUint16(at, floatToF16Bits(v), true) },
  BF16: { put: (view, at, v) => view.setUint16(at, floatToBf16Bits(v), true) },
  I64: { put: (view, at, v) => view.setBigInt64(at, BigInt(v), true) },
};

function encodeInto(out: Uint8Array, view: DataView, at: number, t: TensorToWrite): void {
  const { data } = t;
  const { put, native } = ENCODERS[t.dtype];
  if (LITTLE_ENDIAN && native !== undefined && data instanceof native) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at); // already the file's bytes
    return;
  }
  const size = (DTYPES[t.dtype] as { size: number }).size;
  for (let i = 0; i < data.length; i++) put(view, at + i * size, data[i] as number);
}

/** Orders strings by Unicode code point, as Rust orders `String`s (UTF-16 order differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = (x.value.codePointAt(0) as number) - (y.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}
