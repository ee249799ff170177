import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH, loadNativeBlas, openNativeBlas } from './native-blas.ts';

const native = loadNativeBlas();
const openblas = native.available && native.blas.gemm.kind === 'openblas';

describe('openNativeBlas', () => {
  it('is switched off by META_LORA_NATIVE=0, with the reason', () => {
    const status = openNativeBlas({ META_LORA_NATIVE: '0' });
    expect(status.available ? 'on' : status.reason).toMatch(/META_LORA_NATIVE=0/);
  });

  it.skipIf(!existsSync(ADDON_PATH))('names the library the addon could not open (fresh process)', () => {
    // The addon keeps the first library it opens for the life of the process, so probe in a child.
    const script = `try { require(${JSON.stringify(ADDON_PATH)}).load(['/nonexistent/libopenblas.so']); } catch (e) { console.log(e.message); }`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })).toMatch(
      /cannot open a BLAS with cblas_sgemm: .*nonexistent/,
    );
  });
});

describe.skipIf(!native.available)('sgemm', () => {
  const blas = native.available ? native.blas : (undefined as never);

  it('multiplies with transposed operands in place in a buffer', () => {
    const f = new Float32Array(64);
    f.set([1, 4, 2, 5, 3, 6], 0); // A stored [k=3, m=2], so op(A) = [[1, 2, 3], [4, 5, 6]]
    f.set([1, 0, 1, 0, 1, 1], 8); // B stored [n=2, k=3], so op(B) = [[1, 0], [0, 1], [1, 1]]
    blas.sgemm(f.buffer, 1, 2, 2, 3, true, true, 0, 8, 16, 0, 0);
    expect(Array.from(f.subarray(16, 20))).toEqual([4, 5, 10, 11]);
  });

  it('computes exp within 2 ulp and keeps the IEEE edge cases', () => {
    const xs = [0, -Infinity, Infinity, Number.NaN, 100, -100, 1, -20.5, 7.25];
    const f = new Float32Array(2 * xs.length);
    f.set(xs);
    blas.exp(f.buffer, 0, xs.length, xs.length);
    const got = Array.from(f.subarray(xs.length));
    expect(got.slice(0, 6)).toEqual([1, 0, Infinity, Number.NaN, Infinity, 0]);
    for (const [i, x] of xs.entries()) {
      if (i >= 6) expect(Math.abs((got[i] as number) / Math.exp(x) - 1)).toBeLessThan(2.5e-7);
    }
  });

  it('refuses operands outside the buffer', () => {
    const f = new Float32Array(8);
    expect(() => blas.sgemm(f.buffer, 1, 2, 2, 3, false, false, 0, 4, 6, 0, 0)).toThrow(/bounds/);
  });

  it.skipIf(!openblas)('keeps the thread count after a small product, which it runs on one thread', () => {
    const before = blas.threads();
    blas.setThreads(2);
    const f = new Float32Array(64);
    f.set([1, 2, 3, 4, 5, 6], 0); // A [2, 3]
    f.set([1, 0, 0, 1, 1, 1], 8); // B [3, 2]
    blas.sgemm(f.buffer, 1, 2, 2, 3, false, false, 0, 8, 16, 0, 0);
    expect([...f.subarray(16, 20), blas.setThreads(2)]).toEqual([4, 5, 10, 11, 2]);
    blas.setThreads(before);
  });

  it.skipIf(openblas)('runs the built-in sgemm on one thread, and says why it is in use', () => {
    expect([blas.library, blas.setThreads(2), blas.gemm.kind]).toEqual(['built-in', 1, 'built-in']);
    expect(blas.config).toMatch(/^built-in sgemm, (AVX|portable)/);
  });

  it('rejects a malformed META_LORA_THREADS or META_LORA_SGEMM_KERNEL', () => {
    expect(() => openNativeBlas({ META_LORA_SGEMM_KERNEL: 'sse9' })).toThrow(/META_LORA_SGEMM_KERNEL must be one/);
    expect(() => openNativeBlas({ META_LORA_THREADS: 'two' })).toThrow(/META_LORA_THREADS/);
  });

  it('sets the thread count it reports', () => {
    const before = blas.threads();
    expect(blas.setThreads(1)).toBe(1);
    blas.setThreads(before);
  });
});
