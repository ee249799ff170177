/**
 * `toBeAllClose`: elementwise |actual - expected| <= atol + rtol * |expected|, in the style of numpy's `allclose`.
 * On failure it prints the shape, the max abs difference and the first mismatches (llm.c style).
 */
import type { Tensor } from '@tensorflow/tfjs-core';

export interface AllCloseOptions {
  readonly atol?: number;
  readonly rtol?: number;
}

type Numeric = Tensor | ArrayLike<number> | number;

function flatten(value: Numeric): { data: ArrayLike<number>; shape: readonly number[] } {
  if (typeof value === 'number') return { data: [value], shape: [] };
  if (typeof (value as Tensor).dataSync === 'function') {
    const t = value as Tensor;
    return { data: t.dataSync() as ArrayLike<number>, shape: t.shape };
  }
  const arr = value as ArrayLike<number>;
  return { data: arr, shape: [arr.length] };
}

export interface AllCloseReport {
  readonly pass: boolean;
  readonly message: string;
}

export function compareAllClose(actual: Numeric, expected: Numeric, options: AllCloseOptions = {}): AllCloseReport {
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-5;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.data.length !== e.data.length) {
    return {
      pass: false,
      message: `size mismatch: actual [${a.shape.join(', ')}] (${a.data.length}) vs expected [${e.shape.join(', ')}] (${e.data.length})`,
    };
  }
  let maxAbs = 0;
  let bad = 0;
  const first: string[] = [];
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] as number;
    const y = e.data[i] as number;
    const diff = Math.abs(x - y);
    const ok = diff <= atol + rtol * Math.abs(y) || (Number.isNaN(x) && Number.isNaN(y));
    if (!(diff <= maxAbs) && Number.isFinite(diff)) maxAbs = diff;
    if (!Number.isFinite(diff) && !ok) maxAbs = Number.POSITIVE_INFINITY;
    if (!ok) {
      bad++;
      if (first.length < 5) first.push(`  [${i}] actual ${x} expected ${y} (diff ${diff.toExponential(3)})`);
    }
  }
  const summary = `${bad}/${a.data.length} elements differ beyond atol=${atol} rtol=${rtol}; max abs diff ${maxAbs.toExponential(3)}`;
  return { pass: bad === 0, message: bad === 0 ? summary : `${summary}\nfirst mismatches:\n${first.join('\n')}` };
}
