import { describe, expect, it } from 'vitest';
import {
  bf16BitsToFloat,
  decodeBf16,
  decodeF16,
  f16BitsToFloat,
  floatToBf16Bits,
  floatToF16Bits,
} from './half-float.ts';

describe('binary16', () => {
  it('decodes known bit patterns, subnormals and specials included', () => {
    expect(f16BitsToFloat(0x3c00)).toBe(1);
    expect(f16BitsToFloat(0xc000)).toBe(-2);
    expect(f16BitsToFloat(0x3555)).toBe(0.333251953125);
    expect(f16BitsToFloat(0x7bff)).toBe(65504);
    expect(f16BitsToFloat(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16BitsToFloat(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(f16BitsToFloat(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(f16BitsToFloat(0x8001)).toBe(-(2 ** -24));
    expect(Object.is(f16BitsToFloat(0x8000), -0)).toBe(true);
    expect(f16BitsToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(f16BitsToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(f16BitsToFloat(0x7e00)).toBeNaN();
    expect(f16BitsToFloat(0xfc01)).toBeNaN();
  });

  it('encodes every non-NaN pattern back to itself', () => {
    const bad: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const nanBits = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      if (!nanBits && floatToF16Bits(f16BitsToFloat(bits)) !== bits) bad.push(bits);
    }
    expect(bad).toEqual([]);
  });

  it('rounds to nearest, ties to even, in the normal and subnormal ranges', () => {
    expect(floatToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even mantissa 0
    expect(floatToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even mantissa 2
    expect(floatToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(floatToF16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal: tie -> 0
    expect(floatToF16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp -> 2
    expect(floatToF16Bits(2 ** -26)).toBe(0x0000);
    expect(floatToF16Bits(-(2 ** -30))).toBe(0x8000); // underflow keeps the sign
    expect(floatToF16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // rounds up into the smallest normal
  });

  it('overflows to infinity past 65504 and keeps NaN a NaN', () => {
    expect(floatToF16Bits(65519)).toBe(0x7bff);
    expect(floatToF16Bits(65520)).toBe(0x7c00);
    expect(floatToF16Bits(-1e10)).toBe(0xfc00);
    expect(floatToF16Bits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(f16BitsToFloat(floatToF16Bits(Number.NaN))).toBeNaN();
  });

  it('decodes little-endian bytes at an offset', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00]);
    expect(Array.from(decodeF16(bytes, 1, 3))).toEqual([1, -2, 2 ** -24]);
  });
});

describe('bfloat16', () => {
  it('decodes known bit patterns, subnormals and specials included', () => {
    expect(bf16BitsToFloat(0x3f80)).toBe(1);
    expect(bf16BitsToFloat(0x4049)).toBe(3.140625);
    expect(bf16BitsToFloat(0xc2f7)).toBe(-123.5);
    expect(bf16BitsToFloat(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(bf16BitsToFloat(0x7f7f)).toBe(3.3895313892515355e38); // largest finite
    expect(Object.is(bf16BitsToFloat(0x8000), -0)).toBe(true);
    expect(bf16BitsToFloat(0x7f80)).toBe(Number.POSITIVE_INFINITY);
    expect(bf16BitsToFloat(0xff80)).toBe(Number.NEGATIVE_INFINITY);
    expect(bf16BitsToFloat(0x7fc0)).toBeNaN();
  });

  it('rounds to nearest, ties to even', () => {
    expect(floatToBf16Bits(1)).toBe(0x3f80);
    expect(floatToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(floatToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie -> even
    expect(floatToBf16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(floatToBf16Bits(3.4e38)).toBe(0x7f80); // rounds past the largest finite bfloat16
    expect(bf16BitsToFloat(floatToBf16Bits(Number.NaN))).toBeNaN();
  });

  it('decodes little-endian bytes at an offset', () => {
    const bytes = new Uint8Array([0x00, 0x80, 0x3f, 0xf7, 0xc2]);
    expect(Array.from(decodeBf16(bytes, 1, 2))).toEqual([1, -123.5]);
  });
});
