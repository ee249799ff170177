/**
 * The addon's built-in sgemm (native/builtin-sgemm.cc) against a float64 reference: every micro-kernel this CPU has,
 * shapes that cross the packing blocks' edges (k > 256, m > 144, n > 3072), all four transposes, alpha and beta,
 * padded leading dimensions and column-major order; then a fused kernel (loraLinear) running on it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Rng } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH, SGEMM_KERNELS } from './native-blas.ts';

interface TestAddon {
  builtinSgemm(buffer: ArrayBuffer, ...args: number[]): void;
  useBuiltinKernel(level: string): string | null;
}

const addon = existsSync(ADDON_PATH) ? (createRequire(import.meta.url)(ADDON_PATH) as TestAddon) : undefined;
const ROW_MAJOR = 101;
const COL_MAJOR = 102;
const NO_TRANS = 111;
const TRANS = 112;

interface Case {
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  alpha: number;
  beta: number;
  colMajor?: boolean;
  /** Extra leading-dimension padding of every operand. */
  pad?: number;
}

/** Runs one case on the built-in sgemm and on a float64 loop; returns [got, want]. */
function run(c: Case, rng: Rng): [Float32Array, Float64Array] {
  const { m, n, k, ta, tb, alpha, beta, colMajor = false, pad = 0 } = c;
  // Stored shapes in storage order: op(A) [m, k] is stored [k, m] when transposed (rows/cols swap for column-major).
  const [aRows, aCols] = ta ? [k, m] : [m, k];
  const [bRows, bCols] = tb ? [n, k] : [k, n];
  const outer = (rows: number, cols: number) => (colMajor ? cols : rows);
  const inner = (rows: number, cols: number) => Math.max(1, colMajor ? rows : cols); // BLAS: ld >= 1
  const lda = inner(aRows, aCols) + pad;
  const ldb = inner(bRows, bCols) + pad;
  const ldc = inner(m, n) + pad;
  const aSize = outer(aRows, aCols) * lda;
  const bSize = outer(bRows, bCols) * ldb;
  const cSize = outer(m, n) * ldc;
  const f = new Float32Array(aSize + bSize + cSize);
  for (let i = 0; i < f.length; i++) f[i] = rng.normal();
  // Element (r, col) of a stored matrix at offset `off` with leading dimension `ld`.
  const at = (off: number, ld: number, r: number, col: number) => off + (colMajor ? col * ld + r : r * ld + col);
  const opA = (i: number, p: number) => f[ta ? at(0, lda, p, i) : at(0, lda, i, p)] as number;
  const opB = (p: number, j: number) => f[tb ? at(aSize, ldb, j, p) : at(aSize, ldb, p, j)] as number;
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += opA(i, p) * opB(p, j);
      const cij = f[at(aSize + bSize, ldc, i, j)] as number;
      want[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * cij);
    }
  }
  if (beta === 0) f.fill(Number.NaN, aSize + bSize); // beta = 0: C is not read, so NaN there must not leak
  (addon as TestAddon).builtinSgemm(
    f.buffer,
    ...[colMajor ? COL_MAJOR : ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha],
    ...[0, lda, aSize, ldb, beta, aSize + bSize, ldc],
  );
  const got = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) got[i * n + j] = f[at(aSize + bSize, ldc, i, j)] as number;
  }
  return [got, want];
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [13, 17, 29],
  [37, 8, 300], // a LoRA factor's width; k over one 256-deep slice
  [150, 40, 20], // m over one 144-row block
  [8, 33, 257],
  [5, 3100, 3], // n over one 3072-column block
];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe.skipIf(addon === undefined)('built-in sgemm', () => {
  const levels = SGEMM_KERNELS.filter((level) => addon?.useBuiltinKernel(level) !== null);

  it('has the portable kernel everywhere, and the best one in use by default', () => {
    expect(levels.at(-1)).toBe('portable');
    expect(addon?.useBuiltinKernel(levels[0] as string)).toMatch(/AVX|portable/);
  });

  for (const level of SGEMM_KERNELS) {
    it.skipIf(!levels.includes(level))(`${level}: matches a float64 loop on odd shapes and every transpose`, () => {
      addon?.useBuiltinKernel(level);
      const rng = Rng.fromSeed(7);
      for (const [m, n, k] of SHAPES) {
        for (const [ta, tb] of TRANSPOSES) {
          const [got, want] = run({ m, n, k, ta, tb, alpha: 1, beta: 0 }, rng);
          expect(got, `${m}x${n}x${k} ta=${ta} tb=${tb}`).toBeAllClose(want, { atol: 1e-4, rtol: 1e-5 });
        }
      }
      addon?.useBuiltinKernel(levels[0] as string);
    });

    it.skipIf(!levels.includes(level))(`${level}: alpha, beta, padded leading dims and column-major`, () => {
      addon?.useBuiltinKernel(level);
      const rng = Rng.fromSeed(8);
      const cases: Case[] = [
        { m: 19, n: 23, k: 270, ta: false, tb: true, alpha: 0.5, beta: 2 },
        { m: 19, n: 23, k: 11, ta: true, tb: false, alpha: -1.5, beta: 1, pad: 3 },
        { m: 7, n: 40, k: 9, ta: true, tb: true, alpha: 2, beta: 0, pad: 5 },
        { m: 17, n: 6, k: 300, ta: false, tb: false, alpha: 1, beta: -0.25, colMajor: true, pad: 2 },
        { m: 9, n: 12, k: 5, ta: true, tb: false, alpha: 1, beta: 0, colMajor: true },
        { m: 4, n: 4, k: 0, ta: false, tb: false, alpha: 1, beta: 3 }, // k = 0: C = beta C
        { m: 6, n: 5, k: 4, ta: false, tb: false, alpha: 0, beta: 0.5 }, // alpha = 0: A and B not used
      ];
      for (const c of cases) {
        const [got, want] = run(c, rng);
        expect(got, JSON.stringify(c)).toBeAllClose(want, { atol: 1e-4, rtol: 1e-5 });
      }
      addon?.useBuiltinKernel(levels[0] as string);
    });
  }

  it('refuses operands outside the buffer and bad CBLAS enums', () => {
    const f = new Float32Array(16);
    const sgemm = (addon as TestAddon).builtinSgemm;
    expect(() => sgemm(f.buffer, ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, 0, 3, 4, 2, 0, 14, 2)).toThrow(/bounds/);
    expect(() => sgemm(f.buffer, 103, NO_TRANS, NO_TRANS, 1, 1, 1, 1, 0, 1, 1, 1, 0, 2, 1)).toThrow(/invalid/);
    expect(() => sgemm(f.buffer, ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 2, 1, 0, 1, 4, 2, 0, 8, 2)).toThrow(/invalid/);
  });

  it('runs a fused kernel (loraLinear) when no OpenBLAS is used (fresh process, META_LORA_OPENBLAS=none)', () => {
    // The addon keeps the first sgemm it gets for the life of the process, so this runs in a child.
    const [n, inF, out, r, scaling] = [37, 29, 41, 8, 2];
    const script = `
      const addon = require(${JSON.stringify(ADDON_PATH)});
      const info = addon.loadBuiltin();
      const f = new Float32Array(${n * inF + inF * out + r * inF + out * r + n * out + n * r});
      for (let i = 0; i < f.length; i++) f[i] = Math.sin(i * 0.37) + Math.cos(i * 0.11);
      const [x, wt, a, b] = [0, ${n * inF}, ${n * inF + inF * out}, ${n * inF + inF * out + r * inF}];
      const y = b + ${out * r}, h = y + ${n * out};
      addon.loraLinear(f.buffer, ${n}, ${inF}, ${out}, ${r}, x, wt, a, b, y, h, ${scaling});
      console.log(JSON.stringify({ library: info.library, config: info.config, f: Array.from(f) }));`;
    const child = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      library: string;
      config: string;
      f: number[];
    };
    expect([child.library, child.config]).toEqual(['built-in', expect.stringMatching(/^built-in sgemm, /)]);
    const f = Float32Array.from({ length: child.f.length }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.11));
    const [x, wt, a, b] = [0, n * inF, n * inF + inF * out, n * inF + inF * out + r * inF];
    const y = b + out * r;
    const want = new Float64Array(n * out);
    for (let i = 0; i < n; i++) {
      const hi = Array.from({ length: r }, (_, q) => {
        let s = 0;
        for (let p = 0; p < inF; p++) s += (f[x + i * inF + p] as number) * (f[a + q * inF + p] as number);
        return s;
      });
      for (let j = 0; j < out; j++) {
        let s = 0;
        for (let p = 0; p < inF; p++) s += (f[x + i * inF + p] as number) * (f[wt + p * out + j] as number);
        for (let q = 0; q < r; q++) s += scaling * (hi[q] as number) * (f[b + j * r + q] as number);
        want[i * out + j] = s;
      }
    }
    expect(Float32Array.from(child.f.slice(y, y + n * out))).toBeAllClose(want, { atol: 1e-4, rtol: 1e-5 });
  });
});
