/**
 * Golden parity against the float64 PyTorch reference (llm.c style): logits, loss, LoRA gradients and greedy decoding
 * of a real pretrained checkpoint (stories260K) and a random Qwen2-style model with q/k/v biases and rsLoRA.
 */
import { join } from 'node:path';
import {
  causalLmLoss,
  generate,
  initBackend,
  loadModel,
  loadPeftAdapter,
  savePeftAdapter,
  type TokenBatch,
  tf,
  valueAndGradients,
} from '@meta-lora/lora-core';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { golden, loadFixture } from './fixtures.ts';

await initBackend({ quiet: true });

const LOGITS = { atol: 1e-4, rtol: 0 };
const GRADS = { atol: 1e-5, rtol: 1e-3 };

for (const name of ['stories260k', 'qwen2-tiny']) {
  describe(`parity: ${name}`, async () => {
    const fx = loadFixture(name);
    const { model } = await loadModel(fx.modelDir);
    const adapter = loadPeftAdapter(fx.adapterDir, model, 'fixture');
    const ids = golden(fx, 'input_ids');
    const inputIds = tf.tensor2d(ids.data, ids.shape as [number, number], 'int32');
    const batch: TokenBatch = {
      batchSize: ids.shape[0]!,
      seqLen: ids.shape[1]!,
      inputIds: Int32Array.from(ids.data),
      labels: Int32Array.from(golden(fx, 'labels').data),
    };

    it('base logits match', () => {
      expect(model.logits(inputIds)).toBeAllClose(golden(fx, 'logits_base').data, LOGITS);
    });

    it('LoRA logits match', () => {
      expect(model.logits(inputIds, { adapters: [adapter] })).toBeAllClose(golden(fx, 'logits_lora').data, LOGITS);
    });

    it('masked next-token losses match', () => {
      expect(causalLmLoss(model, batch)).toBeAllClose(golden(fx, 'loss_base').data, { atol: 0, rtol: 1e-5 });
      expect(causalLmLoss(model, batch, { adapters: [adapter] })).toBeAllClose(golden(fx, 'loss_lora').data, {
        atol: 0,
        rtol: 1e-5,
      });
    });

    it('LoRA gradients match for every lora_A and lora_B', () => {
      const vars = adapter.variables();
      const { grads } = valueAndGradients(() => causalLmLoss(model, batch, { adapters: [adapter] }), vars);
      const keys = [...adapter.namedTensors().keys()];
      keys.forEach((key, i) => {
        expect(grads[i], key).toBeAllClose(golden(fx, `grad.base_model.model.${key}`).data, GRADS);
      });
      for (const g of grads) g.dispose();
    });

    it('greedy decoding with the KV cache reproduces the reference tokens', () => {
      const ref = Array.from(golden(fx, 'greedy_ids').data);
      const promptLength = (fx.meta.greedy as { promptLength: number }).promptLength;
      const out = generate(model, ref.slice(0, promptLength), {
        maxNewTokens: ref.length - promptLength,
        greedy: true,
        eosTokenIds: [],
      });
      expect(out).toEqual(ref.slice(promptLength));
    });

    it('a PEFT adapter saved here reloads to the same logits', async () => {
      const dir = join(tempDir(`parity-${name}`), 'adapter');
      await savePeftAdapter(adapter, dir);
      const again = loadPeftAdapter(dir, model, 'again');
      expect(model.logits(inputIds, { adapters: [again] })).toBeAllClose(golden(fx, 'logits_lora').data, LOGITS);
      again.dispose();
    });
  });
}

describe('parity: sharded checkpoint and F16 weights', () => {
  it('a two-shard Llama with tied embeddings matches', async () => {
    const fx = loadFixture('llama-tiny-sharded');
    const { model } = await loadModel(fx.modelDir);
    const ids = golden(fx, 'input_ids');
    const logits = model.logits(tf.tensor2d(ids.data, ids.shape as [number, number], 'int32'));
    expect(logits).toBeAllClose(golden(fx, 'logits_base').data, LOGITS);
  });

  it('F16 weights load (upcast) within F16 rounding of the F32 model', async () => {
    const fx = loadFixture('qwen2-tiny');
    const f32 = await loadModel(fx.modelDir);
    const f16 = await loadModel(join(fx.dir, 'model-f16'));
    const ids = golden(fx, 'input_ids');
    const x = tf.tensor2d(ids.data, ids.shape as [number, number], 'int32');
    expect(f16.model.logits(x)).toBeAllClose(f32.model.logits(x), { atol: 5e-3, rtol: 0 });
  });
});
