/**
 * Test-only fixtures (not exported): a tiny random model directory on disk, a `tasks` artifact of lowercase text the
 * `charCodec` can encode, and PEFT adapters stamped with a base-model fingerprint.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, writeArtifact } from '@meta-lora/artifacts';
import { type Example, TasksArtifact } from '@meta-lora/data-sampling';
import {
  createLoraAdapter,
  type LlamaModel,
  parseModelConfig,
  randomWeights,
  savePeftAdapter,
  TINY_MODEL_CONFIG,
  writeSafetensors,
} from '@meta-lora/lora-core';
import { tinyTokenizer } from '@meta-lora/vitest-config';
import { FINGERPRINT_KEY } from './evaluate.ts';

/**
 * Writes config.json and model.safetensors of the tiny model with `seed`; returns the directory. With `tokenizer`, also
 * a tiny byte-level BPE tokenizer.json (vocabulary 261, BOS 0, EOS 1), so the directory is a complete model that
 * worker threads can load on their own.
 */
export function writeTinyModelDir(dir: string, seed: number, options: { tokenizer?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const hf = options.tokenizer
    ? { ...TINY_MODEL_CONFIG, vocab_size: 261, bos_token_id: 0, eos_token_id: 1 }
    : TINY_MODEL_CONFIG;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf));
  if (options.tokenizer) {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizer('<s>', '</s>').json));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>' }));
  }
  const config = parseModelConfig({ ...hf }, dir);
  const weights = randomWeights(config, Rng.fromSeed(seed), { std: 0.2, normJitter: 0.1, biasStd: 0.1 });
  const tensors = new Map(
    [...weights].map(([name, t]) => [name, { dtype: 'F32' as const, shape: [...t.shape], data: t.data }]),
  );
  writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return dir;
}

const example = (
  taskId: string,
  split: Example['split'],
  i: number,
  input: string,
  target: string,
  choices?: string[],
) => ({
  exampleId: `${taskId}-${split}-${String(i).padStart(3, '0')}`,
  taskId,
  family: taskId,
  language: 'en',
  split,
  input,
  target,
  ...(choices ? { choices } : {}),
});

/** Two tasks: `polarity` (classification, choices ' yes' / ' no') and `plural` (generation). */
export function fixtureExamples(): Example[] {
  const words = ['cat', 'dog', 'map', 'cup', 'hat', 'pen'];
  const out: Example[] = [];
  words.forEach((w, i) => {
    const split: Example['split'] = i < 2 ? 'train' : 'test';
    out.push(example('polarity', split, i, `is ${w} good\nanswer is`, i % 2 ? ' no' : ' yes', [' yes', ' no']));
    out.push(example('plural', split, i, `plural of ${w} is`, ` ${w}s`));
  });
  return out;
}

/** Writes a `tasks` artifact of `examples`; returns its path. */
export function writeTasks(path: string, examples: readonly Example[]): string {
  writeArtifact(path, TasksArtifact, examples, { configHash: 'fixture', seed: 0, parents: [], createdBy: 'test' });
  return path;
}

/** Saves a random (non-zero) LoRA adapter for `model` with `fingerprint` in its metadata (none when null). */
export async function writeAdapter(
  dir: string,
  model: LlamaModel,
  seed: number,
  fingerprint: string | null,
): Promise<string> {
  const adapter = createLoraAdapter(
    model,
    { r: 2, loraAlpha: 4, targetModules: ['q_proj', 'v_proj'], initLoraWeights: false },
    Rng.fromSeed(seed),
  );
  await savePeftAdapter(adapter, dir, {
    metadata: fingerprint === null ? {} : { [FINGERPRINT_KEY]: fingerprint },
  });
  adapter.dispose();
  return dir;
}
