/**
 * What a baseline run trains on and what it gives back, shared by the in-thread path (`baselines.ts`), the worker pool
 * (`baseline-pool.ts`) and the run cache (`baseline-runs.ts`).
 */
import type { IdExample, LoraAdapter } from '@meta-lora/lora-core';

/** One task's training examples, as token ids. */
export interface BaselineTask {
  readonly taskId: string;
  readonly examples: readonly IdExample[];
}

export interface LoraTrainResult {
  /** The trained adapter (at its best dev step); the caller disposes it. */
  readonly adapter: LoraAdapter;
  /** Training loss of each step taken. */
  readonly losses: number[];
  /** Dev loss before training and at each evaluation, by step (empty without dev sets). */
  readonly devCurve: { step: number; loss: number }[];
  /** The step the adapter is taken at (the best dev step; the last step without dev sets). */
  readonly bestStep: number;
  readonly bestDevLoss: number | null;
  /** Distinct examples the run had access to. */
  readonly examples: number;
  /** Prompt + target tokens of those examples (after truncation), each counted once. */
  readonly tokens: number;
  /** Distinct examples in the minibatches up to `bestStep`, and their tokens. */
  readonly examplesTrained: number;
  readonly tokensTrained: number;
}
