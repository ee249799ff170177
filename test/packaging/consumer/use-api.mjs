// What a user of the published packages writes, in plain Node: load a model directory, attach a LoRA adapter, train
// it for a step, save and reload it in PEFT's format, then one meta-iteration on a worker thread.
// usage: node use-api.mjs MODEL_DIR OUT_DIR   (prints one JSON line)
import { join } from 'node:path';
import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, encodeExample, loadModel, loadPeftAdapter, savePeftAdapter } from '@meta-lora/lora-core';
import { trainAdapter } from '@meta-lora/stage1-adapt';
import { metaTrain, parseMetaConfig } from '@meta-lora/stage2-meta';

const [modelDir, outDir] = process.argv.slice(2);
const { model, tokenizer, fingerprint } = await loadModel(modelDir);
const adapter = createLoraAdapter(model, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }, Rng.fromSeed(0));
const examples = [
  { input: 'Review: a fine film\nSentiment:', target: ' positive' },
  { input: 'Review: a dull film\nSentiment:', target: ' negative' },
].map((e) => encodeExample(tokenizer, e));
const trained = trainAdapter(
  model,
  adapter,
  examples,
  { optimizer: 'adam', lr: 1e-2, steps: 1, batchSize: 2, maxSeqLen: 32, clipGradNorm: 1 },
  Rng.fromSeed(0),
);

const dir = join(outDir, 'adapter');
await savePeftAdapter(adapter, dir);
const saved = adapter.namedTensors();
const reloaded = loadPeftAdapter(dir, model).namedTensors();
const reloadedEqual =
  reloaded.size === saved.size &&
  [...saved].every(([key, t]) => {
    const [a, b] = [t.dataSync(), reloaded.get(key)?.dataSync() ?? []];
    return a.length === b.length && a.every((x, i) => x === b[i]);
  });
const bMoved = [...saved].some(([key, t]) => key.endsWith('lora_B.weight') && t.dataSync().some((x) => x !== 0));

const task = (taskId) => ({ taskId, support: examples, query: examples });
const { shared } = await metaTrain({
  model,
  modelSource: { dir: modelDir },
  fingerprint,
  config: parseMetaConfig({ lora: { r: 4, loraAlpha: 8 }, workers: 1 }),
  episodes: [{ iteration: 0, tasks: [task('a'), task('b')] }],
  runDir: join(outDir, 'meta'),
});

console.log(
  JSON.stringify({ losses: trained.losses, reloadedEqual, bMoved, metaTrained: shared.variables().length > 0 }),
);
