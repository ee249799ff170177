import { describe, expect, it } from 'vitest';
import { trainedCounts } from './eval.ts';

const access = { examplesUsed: { a: 100, b: 50 }, tokensUsed: { a: 1000, b: 500 } };
const row = (method: 'single-task' | 'multi-task-full' | 'multi-task-pool', taskId: string, examples: number) => ({
  method,
  taskId,
  examplesTrained: examples,
  tokensTrained: examples * 10,
});

describe('trainedCounts', () => {
  it('takes single-task LoRA’s per task from its runs', () => {
    const runs = [row('single-task', 'a', 40), row('single-task', 'b', 50)];
    expect(trainedCounts('single-task-lora', runs, access)).toEqual({
      examplesTrained: { a: 40, b: 50 },
      tokensTrained: { a: 400, b: 500 },
    });
  });

  it('gives multi-task LoRA one total when it trained on part of its data', () => {
    expect(trainedCounts('multi-task-lora-full', [row('multi-task-full', '*', 120)], access)).toEqual({
      examplesTrained: { '*': 120 },
      tokensTrained: { '*': 1200 },
    });
  });

  it('spreads a run that trained on every example it had over the tasks as their access', () => {
    expect(trainedCounts('multi-task-lora-k-shot', [row('multi-task-pool', '*', 150)], access)).toEqual({
      examplesTrained: access.examplesUsed,
      tokensTrained: access.tokensUsed,
    });
  });

  it('counts MeTA-LoRA’s whole pool, and nothing it cannot know', () => {
    expect(trainedCounts('meta-lora-adapted', [], access).examplesTrained).toEqual(access.examplesUsed);
    expect(trainedCounts('single-task-lora', [row('single-task', 'a', 40)], access)).toEqual({});
    expect(trainedCounts('base-zero-shot', [], access)).toEqual({});
  });
});
