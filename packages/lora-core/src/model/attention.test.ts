import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, Rng } from '@meta-lora/artifacts';
import { expectNoTensorLeak } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { createLoraAdapter } from '../lora/lora-adapter.ts';
import { backendInfo, initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { causalLmLoss, IGNORE_INDEX, type TokenBatch } from '../train/loss.ts';
import { valueAndGradients } from '../train/train-step.ts';
import { hasFusedAttention } from './attention.ts';
import { createTinyModel } from './tiny-model.ts';

await initBackend({ quiet: true });

/** Runs `fn` with the fused attention kernels unregistered (the op-by-op block), then registers them again. */
function opByOp<T>(fn: () => T): T {
  const configs = [ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL].map((k) => tf.getKernel(k, tf.getBackend()));
  for (const c of configs) if (c) tf.unregisterKernel(c.kernelName, c.backendName);
  try {
    return fn();
  } finally {
    for (const c of configs) if (c) tf.registerKernel(c);
  }
}

// Grouped heads (4 query heads on 2 KV heads), two sequences of 7 with right padding on the second.
const batch: TokenBatch = {
  batchSize: 2,
  seqLen: 7,
  inputIds: Int32Array.from([3, 7, 1, 9, 4, 4, 2, 5, 0, 2, 8, 11, 0, 0]),
  labels: Int32Array.from([
    IGNORE_INDEX,
    7,
    1,
    9,
    4,
    4,
    2,
    IGNORE_INDEX,
    IGNORE_INDEX,
    2,
    8,
    11,
    IGNORE_INDEX,
    IGNORE_INDEX,
  ]),
};

describe.skipIf(!hasFusedAttention())('fused attention', () => {
  const model = createTinyModel(5); // 4 query heads on 2 KV heads
  const adapter = createLoraAdapter(
    model,
    { r: 2, targetModules: 'all-linear', initLoraWeights: false },
    Rng.fromSeed(6),
  );
  afterAll(() => {
    adapter.dispose();
    model.dispose();
  });
  const run = () => {
    const { loss, grads } = valueAndGradients(
      () => causalLmLoss(model, batch, { adapters: [adapter] }),
      adapter.variables(),
    );
    const values = grads.map((g) => Array.from(g.dataSync()));
    tf.dispose(grads);
    return { loss, values };
  };

  it('gives the loss and LoRA gradients of the op-by-op attention block', () => {
    const fused = run();
    const reference = opByOp(run);
    expect(Math.abs(fused.loss - reference.loss)).toBeLessThan(1e-5);
    for (const [i, g] of fused.values.entries()) {
      expect(Float32Array.from(g)).toBeAllClose(Float32Array.from(reference.values[i] as number[]), {
        atol: 1e-5,
        rtol: 1e-4,
      });
    }
  });

  it('gives the logits of the op-by-op block', () => {
    const ids = tf.tensor2d(batch.inputIds, [2, 7], 'int32');
    const fused = model.logits(ids, { adapters: [adapter] });
    const reference = opByOp(() => model.logits(ids, { adapters: [adapter] }));
    expect(fused).toBeAllClose(reference, { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([ids, fused, reference]);
  });

  it('leaks no tensors through a forward and backward pass', async () => {
    run(); // warm-up: first-call caches (RoPE tables' rotation matrices on the op-by-op path)
    await expectNoTensorLeak(tf, () => {
      run();
    });
  });
});

describe('fused attention kernels', () => {
  it('are there on wasm exactly when the native path is on', () => {
    const native = backendInfo()?.nativeKernels ?? false;
    expect(hasFusedAttention()).toBe(native);
  });
});
