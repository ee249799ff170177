import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { tf } from './tf.ts';

const coreDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json'));

describe('tfjs.cjs', () => {
  it('registers what was bundled from the installed tfjs-core (else run scripts/bundle-tfjs-registrations.mjs)', () => {
    const header = readFileSync(new URL('./tfjs-registrations.cjs', import.meta.url), 'utf8').split('\n', 1)[0];
    expect(header).toContain(`@tensorflow/tfjs-core ${tf.version_core}:`);
  });

  it('has a gradient for every kernel tfjs-core writes one for', () => {
    const kernels = readdirSync(join(coreDir, 'dist', 'gradients'))
      .filter((f) => f.endsWith('_grad.js'))
      .map((f) => f.slice(0, -'_grad.js'.length));
    expect(kernels.length).toBeGreaterThan(90);
    expect(kernels.filter((k) => tf.getGradient(k) === undefined)).toEqual([]);
  });

  it('has the chained ops tfjs-core writes (tensor.add(b))', () => {
    const dir = join(coreDir, 'dist', 'public', 'chained_ops');
    const ops = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/getGlobalTensorClass\(\)\.prototype\.(\w+) =/g)])
      .map((m) => m[1] as string);
    expect(ops.length).toBeGreaterThan(100);
    const methods = tf.Tensor.prototype as unknown as Record<string, unknown>;
    expect(ops.filter((op) => typeof methods[op] !== 'function')).toEqual([]);
  });

  it('takes gradients through the registered ops', async () => {
    await initBackend({ quiet: true });
    const [dx] = tf.tidy(() => tf.grads((x: tf.Tensor) => tf.sum(tf.mul(tf.square(x), 3)))([tf.tensor1d([1, -2])]));
    expect(Array.from(dx!.dataSync())).toEqual([6, -12]); // d(3x²)/dx = 6x
    dx!.dispose();
  });
});
