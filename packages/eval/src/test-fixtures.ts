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
  loadModel,
  parseModelConfig,
  randomWeights,
  savePeftAdapter,
  TINY_MODEL_CONFIG,
  writeSafetensors,
} from '@meta-lora/lora-core';
import { testExample, tinyTokenizerFiles } from '@meta-lora/vitest-config';
import type { EvalConditionInput } from './conditions.ts';
import { FINGERPRINT_KEY } from './evaluate.ts';

/**
 * Writes config.json and model.safetensors of the tiny model with `seed`; returns the directory. With `tokenizer`, also
 * a tiny byte-level BPE tokenizer.json (vocabulary 261, BOS 0, EOS 1), so the directory is a complete model that
 * worker threads can load on their own.
 */
export function writeTinyModelDir(dir: string, seed: number, options: { tokenizer?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const tokenizer = options.tokenizer ? tinyTokenizerFiles() : { files: {}, modelConfig: {} };
  const hf = { ...TINY_MODEL_CONFIG, ...tokenizer.modelConfig };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf));
  for (const [name, text] of Object.entries(tokenizer.files)) writeFileSync(join(dir, name), text);
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
) => {
  const exampleId = `${taskId}-${split}-${String(i).padStart(3, '0')}`;
  return testExample({ exampleId, taskId, split, input, target, ...(choices ? { choices } : {}) });
};

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
function writeTasks(path: string, examples: readonly Example[]): string {
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

/** The k-shot budget the fixture conditions report for each fixture task. */
export const FIXTURE_USAGE = { examplesUsed: { plural: 2, polarity: 2 }, tokensUsed: { plural: 30, polarity: 40 } };

/**
 * One condition of each kind the evaluation distinguishes — zero-shot, in-context with two demos, a shared adapter,
 * an adapter per task — with their adapters saved under `root` for `model`; also returns the shared adapter's dir.
 */
async function writeFixtureConditions(
  root: string,
  model: LlamaModel,
  fingerprint: string,
): Promise<{ conditions: EvalConditionInput[]; shared: string }> {
  const shared = await writeAdapter(join(root, 'shared'), model, 1, fingerprint);
  const plural = await writeAdapter(join(root, 'task-plural'), model, 2, fingerprint);
  const polarity = await writeAdapter(join(root, 'task-polarity'), model, 3, fingerprint);
  const demos = [
    { input: 'plural of cow is', target: ' cows' },
    { input: 'plural of bee is', target: ' bees' },
  ];
  const conditions: EvalConditionInput[] = [
    { method: 'base-zero-shot', seed: 0, k: null },
    { method: 'base-in-context', seed: 0, k: 2, supportByTask: { plural: demos, polarity: demos } },
    { method: 'meta-lora-shared', seed: 0, k: 2, adapterDir: shared, ...FIXTURE_USAGE },
    { method: 'meta-lora-adapted', seed: 0, k: 2, adapterDirByTask: { plural, polarity }, ...FIXTURE_USAGE },
  ];
  return { conditions, shared };
}

/**
 * The evaluation fixture under `root`: the tiny model with seed 1 in `model/` (with the tiny tokenizer when asked), the
 * fixture tasks, and `writeFixtureConditions` for that model.
 *
 * @example
 * const { modelDir, tasksPath, conditions } = await writeFixtureRun(root);
 */
export async function writeFixtureRun(
  root: string,
  options: { tokenizer?: boolean } = {},
): Promise<{ modelDir: string; tasksPath: string; conditions: EvalConditionInput[]; shared: string }> {
  const modelDir = writeTinyModelDir(join(root, 'model'), 1, options);
  const tasksPath = writeTasks(join(root, 'tasks.arrow'), fixtureExamples());
  const { model, fingerprint } = await loadModel(modelDir);
  try {
    return { modelDir, tasksPath, ...(await writeFixtureConditions(root, model, fingerprint)) };
  } finally {
    model.dispose();
  }
}
