import { createRequire } from 'node:module';
import { MetaLoraError } from '@meta-lora/artifacts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKEND_ENV, backendInfo, initBackend } from './backend.ts';
import { tf } from './tf.ts';

const installed = (pkg: string) => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

async function rejection(promise: Promise<unknown>): Promise<MetaLoraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetaLoraError);
  return error as MetaLoraError;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

// The cases share one TF.js engine and run in order: auto first, then the forced switches.
describe('initBackend', () => {
  it.skipIf(nativeInstalled)('auto picks single-threaded wasm when no native backend is installed', async () => {
    vi.stubEnv(BACKEND_ENV, '');
    const info = await initBackend({ quiet: true });
    expect(info).toMatchObject({ name: 'wasm', requested: 'auto', requestedBy: 'default', threads: 1 });
    expect(info.source).toContain('@tensorflow/tfjs-backend-wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(backendInfo()).toEqual(info);
  });

  it('is idempotent: a second auto call returns the same backend', async () => {
    const first = await initBackend({ quiet: true });
    expect(await initBackend({ quiet: true })).toBe(first);
  });

  it('reports the chosen backend in one line on stderr unless quiet', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await initBackend({ backend: 'cpu' });
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]?.[0])).toMatch(
      /^meta-lora: TensorFlow.js backend "cpu" .*forced by the backend option\)\n$/,
    );
  });

  it('forcing cpu through META_LORA_BACKEND works, and computes', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    vi.stubEnv(BACKEND_ENV, 'cpu');
    const info = await initBackend({ quiet: true });
    expect(info).toMatchObject({ name: 'cpu', requestedBy: BACKEND_ENV });
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync()))).toEqual([2, 3]);
  });

  it('the option wins over META_LORA_BACKEND', async () => {
    vi.stubEnv(BACKEND_ENV, 'cpu');
    expect((await initBackend({ backend: 'wasm', quiet: true })).name).toBe('wasm');
  });

  it.skipIf(nativeInstalled)(
    'forcing tensorflow without tfjs-node is BACKEND_UNAVAILABLE saying what to install',
    async () => {
      vi.stubEnv(BACKEND_ENV, 'tensorflow');
      const before = tf.getBackend();
      const error = await rejection(initBackend({ quiet: true }));
      expect(error.code).toBe('BACKEND_UNAVAILABLE');
      expect(error.message).toContain('META_LORA_BACKEND=tensorflow');
      expect(error.message).toContain('@tensorflow/tfjs-node: not installed');
      expect(error.message).toContain(`pnpm add @tensorflow/tfjs-node@${tf.version_core}`);
      expect(tf.getBackend()).toBe(before); // the running backend is left alone
    },
  );

  it('an unknown META_LORA_BACKEND value is CONFIG_INVALID naming the variable and the choices', async () => {
    vi.stubEnv(BACKEND_ENV, 'gpu');
    const error = await rejection(initBackend({ quiet: true }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('META_LORA_BACKEND must be one of auto, tensorflow, wasm, cpu, got "gpu"');
  });
});

describe('gradients', () => {
  it('are registered by importing tf.ts', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const x = tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    const { grads } = tf.variableGrads(() => tf.sum(tf.matMul(x, x)), [x]);
    // d/dX sum(X X) = 1 Xᵀ + Xᵀ 1 = [[7, 11], [9, 13]]
    expect(Array.from(grads[x.name]?.dataSync() ?? [])).toEqual([7, 11, 9, 13]);
    tf.dispose([x, grads]);
  });
});
