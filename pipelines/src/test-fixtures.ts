/** Test-only fixtures (not exported): one study's chosen hyper-parameters, and the check that a variant runs on them. */
import { expect } from 'vitest';
import type { LoadedExperiment } from './experiment.ts';
import type { StudyChoices } from './hyper-parameters.ts';

/** MeTA-LoRA's candidate and the multi-task-pool learning rate chosen at k = 16, and the full-data learning rates. */
export const CHOICES: StudyChoices = {
  fullData: { 'single-task:sentiment': 0.003, 'multi-task-full:*': 0.001 },
  byK: { '16': { meta: { innerLr: 0.03, innerSteps: 5, metaLr: 0.001 }, lrFor: { 'multi-task-pool:*': 0.0003 } } },
};

/**
 * `variant` searches no grid: it trains the one meta candidate of `CHOICES` and every baseline at its learning rate.
 *
 * @example
 * expectChoicesPinned(applyChoices(exp, CHOICES, 16));
 */
export function expectChoicesPinned(variant: LoadedExperiment): void {
  expect(variant.config.train.metaGrid).toEqual([{ innerLr: 0.03, innerSteps: 5, metaLr: 0.001 }]);
  expect(variant.config.train.baselines.lrFor).toEqual({
    'single-task:sentiment': 0.003,
    'multi-task-full:*': 0.001,
    'multi-task-pool:*': 0.0003,
  });
}
