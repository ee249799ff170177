/**
 * One baseline run: a LoRA adapter trained on the mixed examples of some tasks at one learning rate, selected on the
 * dev sets (the `trainAdapter` loop of stage1-adapt). Run in this thread or in a baseline worker (`baseline-worker.ts`).
 */
import { MetaLoraError, type Rng } from '@meta-lora/artifacts';
import { createLoraAdapter, type LlamaModel, type LoraConfig } from '@meta-lora/lora-core';
import { countTokens, type DevSelection, type DevSet, trainAdapter } from '@meta-lora/stage1-adapt';
import type { BaselineTask, LoraTrainResult } from './baseline-task.ts';
import { type BaselineConfig, baselineSteps } from './config.ts';

/** Dev examples per forward pass when scoring (forward only, so twice a training batch). */
const devBatchSize = (config: BaselineConfig) => config.batchSize * 2;

/**
 * The dev selection of a run with `steps` budget: 20 evaluations unless `evalEvery` is set.
 *
 * @example
 * devSelection(config.baselines, sets, 500); // { evalEvery: 25, patience: 5, … }
 */
export function devSelection(config: BaselineConfig, sets: readonly DevSet[], steps: number): DevSelection {
  return {
    sets,
    evalEvery: config.evalEvery ?? Math.max(1, Math.ceil(steps / 20)),
    patience: config.patience,
    batchSize: devBatchSize(config),
  };
}

/**
 * Trains one LoRA adapter on the mixed examples of `tasks` at learning rate `lr` (plain supervised fine-tuning, loss
 * on targets only), selected on `devSets` when given.
 *
 * @example
 * const { adapter, bestStep } = trainLora(model, tasks, config.lora, config.baselines, 1e-3, devSets, Rng.fromSeed(0), 'multi-task');
 */
export function trainLora(
  model: LlamaModel,
  tasks: readonly BaselineTask[],
  lora: LoraConfig,
  config: BaselineConfig,
  lr: number,
  devSets: readonly DevSet[],
  rng: Rng,
  name: string,
  init: Rng = rng.fork('init'),
  onStep?: (step: number, loss: number) => void,
): LoraTrainResult {
  const examples = tasks.flatMap((t) => t.examples);
  if (examples.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', `baseline \`${name}\` has no training examples`, {
      field: name,
      fix: 'give every task at least one train example',
    });
  }
  const steps = baselineSteps(config, examples.length);
  const adapter = createLoraAdapter(model, lora, init, name);
  try {
    const result = trainAdapter(
      model,
      adapter,
      examples,
      {
        optimizer: config.optimizer,
        lr,
        steps,
        batchSize: config.batchSize,
        maxSeqLen: config.maxSeqLen,
        clipGradNorm: config.clipGradNorm,
        ...(devSets.length > 0 ? { dev: devSelection(config, devSets, steps) } : {}),
        ...(onStep ? { onStep } : {}),
      },
      rng,
    );
    return {
      adapter,
      losses: result.losses,
      devCurve: result.devCurve,
      bestStep: result.bestStep,
      bestDevLoss: result.bestDevLoss,
      examples: examples.length,
      tokens: countTokens(examples, config.maxSeqLen),
      examplesTrained: result.examplesTrained,
      tokensTrained: result.tokensTrained,
    };
  } catch (error) {
    adapter.dispose();
    throw error;
  }
}
