import { describe, expect, it } from 'vitest';
import { headline } from './headline.ts';
import { summarizeResults } from './summarize.ts';
import { BASE_SCORE, syntheticRows } from './test-results.ts';

describe('headline', () => {
  it('says MeTA-LoRA does not match full-data LoRA at any k when it scores lower at every k, with the numbers', () => {
    // adapted: 60 (+5 at k = 8) vs full 75 on the synthetic rows
    const text = headline(summarizeResults(syntheticRows()));
    expect(text).toMatch(/^MeTA-LoRA shared \+ stage-1 adaptation does not match .* at any k ≤ 8 \(2 seeds\)/);
    expect(text).toContain('−10.0 points');
  });

  it('names the smallest k at which MeTA-LoRA reaches full-data LoRA', () => {
    const rows = syntheticRows().map((r) =>
      r.method === 'meta-lora-adapted' && r.k === 8 ? { ...r, score: r.score + BASE_SCORE['multi-task-lora-full'] } : r,
    );
    expect(headline(summarizeResults(rows))).toMatch(/first matches .* at k = 8 \(2 seeds\)/);
  });

  it('is absent without full-data multi-task LoRA', () => {
    const rows = syntheticRows().filter((r) => r.method !== 'multi-task-lora-full');
    expect(headline(summarizeResults(rows))).toBeNull();
  });
});
