/**
 * IEEE 754 binary16 (`F16`) and bfloat16 (`BF16`) bit patterns <-> float32, as safetensors stores them.
 *
 * binary16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals are m · 2⁻²⁴. bfloat16 is the top half of a
 * float32. Decoding is exact (every binary16 and bfloat16 value is a float32). Encoding rounds to nearest, ties to
 * even, as `torch.Tensor.half()` / `.bfloat16()` do; NaN stays NaN (quiet), overflow becomes ±Infinity.
 */

// One scratch word, viewed both ways, for bit casts.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

let f16Table: Float32Array | undefined;

/** All 65,536 binary16 values as float32, built on first use (256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = decodeF16Bits(bits);
  f16Table = table;
  return table;
}

function decodeF16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * The float value of one binary16 bit pattern.
 *
 * @example
 * f16BitsToFloat(0x3c00); // 1
 * f16BitsToFloat(0x0001); // 5.960464477539063e-8, the smallest subnormal
 */
export function f16BitsToFloat(bits: number): number {
  return halfTable()[bits & 0xffff] as number;
}

/**
 * The binary16 bit pattern nearest to `value` (ties to even).
 *
 * @example
 * floatToF16Bits(1); // 0x3c00
 * floatToF16Bits(65520); // 0x7c00 (+Infinity: rounds past the largest finite half, 65504)
 */
export function floatToF16Bits(value: number): number {
  scratchF32[0] = value;
  const b = scratchU32[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13); // ±Inf, quiet NaN
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    // Subnormal half: m = full · 2^(e - 14) with the implicit bit restored. Below 2⁻²⁵ everything rounds to zero.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && m & 1)) m++; // a carry into 0x400 is the smallest normal: correct
    return sign | m;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent (even to 0x7c00) is correct
  return sign | h;
}

/**
 * The float value of one bfloat16 bit pattern.
 *
 * @example
 * bf16BitsToFloat(0x3f80); // 1
 */
export function bf16BitsToFloat(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0] as number;
}

/**
 * The bfloat16 bit pattern nearest to `value` (ties to even).
 *
 * @example
 * floatToBf16Bits(1); // 0x3f80
 */
export function floatToBf16Bits(value: number): number {
  scratchF32[0] = value;
  const b = scratchU32[0] as number;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b >>> 16) | 0x40; // keep NaN a (quiet) NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Decodes `count` little-endian binary16 values starting at `byteOffset` of `bytes`.
 *
 * @example
 * decodeF16(new Uint8Array([0x00, 0x3c]), 0, 1); // Float32Array [1]
 */
export function decodeF16(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const table = halfTable();
  const out = new Float32Array(count);
  let p = bytes.byteOffset + byteOffset;
  const src = new Uint8Array(bytes.buffer);
  for (let i = 0; i < count; i++, p += 2) out[i] = table[(src[p] as number) | ((src[p + 1] as number) << 8)] as number;
  return out;
}

/**
 * Decodes `count` little-endian bfloat16 values starting at `byteOffset` of `bytes`.
 *
 * @example
 * decodeBf16(new Uint8Array([0x80, 0x3f]), 0, 1); // Float32Array [1]
 */
export function decodeBf16(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  let p = bytes.byteOffset + byteOffset;
  const src = new Uint8Array(bytes.buffer);
  for (let i = 0; i < count; i++, p += 2)
    outBits[i] = (((src[p] as number) | ((src[p + 1] as number) << 8)) << 16) >>> 0;
  return out;
}
