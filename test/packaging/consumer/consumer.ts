// A TypeScript user of the published types, type-checked (never run) against the installed packages' .d.ts files.
// Each package's types are also used wrongly once under @ts-expect-error: had a declaration failed to resolve and
// turned into `any`, that line would compile and the directive would be reported as unused.
import { type ErrorCode, isMetaLoraError, MetaLoraError, Rng, WorkerPool } from '@meta-lora/artifacts';
import { main } from '@meta-lora/cli';
import { TasksArtifact } from '@meta-lora/data-sampling';
import { type Method, writeReport } from '@meta-lora/eval';
import {
  createLoraAdapter,
  encodeExample,
  type IdExample,
  type LoraAdapter,
  type LoraConfigInput,
  loadModel,
  savePeftAdapter,
} from '@meta-lora/lora-core';
import { loadNativeBlas } from '@meta-lora/native-blas';
import { type TrainAdapterOptions, trainAdapter } from '@meta-lora/stage1-adapt';
import { type MetaConfig, metaTrain, parseMetaConfig } from '@meta-lora/stage2-meta';

export async function train(dir: string, texts: readonly { input: string; target: string }[]): Promise<LoraAdapter> {
  const { model, tokenizer } = await loadModel(dir);
  if (!tokenizer) throw new MetaLoraError('CONFIG_INVALID', 'the model has no tokenizer.json', { path: dir });
  const lora: LoraConfigInput = { r: 8, loraAlpha: 16, targetModules: 'all-linear' };
  const adapter = createLoraAdapter(model, lora, Rng.fromSeed(0));
  const examples: IdExample[] = texts.map((t) => encodeExample(tokenizer, t));
  const options: TrainAdapterOptions = {
    optimizer: 'adam',
    lr: 1e-3,
    steps: 10,
    batchSize: 4,
    maxSeqLen: 64,
    clipGradNorm: 1,
  };
  const { losses } = trainAdapter(model, adapter, examples, options, Rng.fromSeed(0));
  const last: number | undefined = losses.at(-1);
  if (last === undefined) throw new MetaLoraError('EMPTY_TASK', 'no training step ran', { fix: 'pass examples' });
  await savePeftAdapter(adapter, 'my-adapter');
  return adapter;
}

export const config: MetaConfig = parseMetaConfig({ workers: 0 });
export const method: Method = 'meta-lora-adapted';
export const uses = [isMetaLoraError, metaTrain, writeReport, WorkerPool.start, TasksArtifact.kind] as const;
export const native: boolean = loadNativeBlas().available;
export const exitCode: Promise<number> = main(['--help']);

// @ts-expect-error: not an error code
export const badCode: ErrorCode = 'NOT_A_CODE';
// @ts-expect-error: not a method
export const badMethod: Method = 'not-a-method';
// @ts-expect-error: a meta config is an object
export const badConfig: MetaConfig = 1;
// @ts-expect-error: the rank is a number
export const badLora: LoraConfigInput = { r: 'eight' };
// @ts-expect-error: steps, batch size and the rest are required
export const badOptions: TrainAdapterOptions = { optimizer: 'adam' };
// @ts-expect-error: argv is a list of strings
main([1]);
// @ts-expect-error: the status says whether the addon is available, nothing else
loadNativeBlas().nonsense;
// @ts-expect-error: an artifact kind names its kind with a string
export const badKind: number = TasksArtifact.kind;
