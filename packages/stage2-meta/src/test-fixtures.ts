/** Test-only fixtures (not exported). */
import type { MetaTrainState } from './meta-checkpoint.ts';

/**
 * The state of a meta-training run before its first iteration (no dev loss yet), with `overrides`.
 *
 * @example
 * const state = metaTrainState({ nextIteration: 2, bestDevLoss: 1.5, bestIteration: 1 });
 */
export function metaTrainState(overrides: Partial<MetaTrainState> = {}): MetaTrainState {
  return {
    nextIteration: 0,
    rngState: [1, 2, 3, 4],
    runHash: 'h',
    optimizerType: 'adam',
    optimizerStep: 0,
    bestDevLoss: null,
    bestIteration: null,
    evalsWithoutImprovement: 0,
    stoppedEarly: false,
    ...overrides,
  };
}
