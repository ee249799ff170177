import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowingPercent } from './heap-tuning.ts';

describe('heapGrowingPercent', () => {
  it('lets old space grow to twice its live size by default', () => {
    expect(heapGrowingPercent({}, [])).toBe(HEAP_GROWING_PERCENT);
    expect(HEAP_GROWING_PERCENT).toBe(100);
  });

  it('leaves V8 alone with META_LORA_HEAP_GROWING=0 or a node flag of the user’s own', () => {
    expect(heapGrowingPercent({ META_LORA_HEAP_GROWING: '0' }, [])).toBeNull();
    expect(heapGrowingPercent({}, ['--heap-growing-percent=30'])).toBeNull();
    expect(heapGrowingPercent({}, ['--heap_growing_percent=30'])).toBeNull();
  });
});
