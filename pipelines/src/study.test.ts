import { describe, expect, it } from 'vitest';
import { loadExperiment } from './experiment.ts';
import { studyVariant } from './study.ts';

describe('study variants', () => {
  const exp = loadExperiment('multitask');

  it('sets k and seed and keeps support + query within k', () => {
    const v = studyVariant(exp, 4, 2, true);
    expect(v.config.data.k).toBe(4);
    expect(v.config.data.seed).toBe(2);
    expect(v.config.train.seed).toBe(2);
    expect(v.config.data.episodes.supportSize + v.config.data.episodes.querySize).toBeLessThanOrEqual(4);
    expect(v.runDir).toMatch(/study\/k4-seed2$/);
  });

  it('trains and scores the k-independent references only at the first k', () => {
    const later = studyVariant(exp, 32, 0, false);
    expect(later.config.train.baselineMethods).toEqual(['multi-task-pool']);
    expect(later.config.eval.methods).not.toContain('single-task-lora');
    expect(later.config.eval.methods).toContain('meta-lora-adapted');
    expect(studyVariant(exp, 4, 0, true).config.eval.methods).toContain('multi-task-lora-full');
  });
});
