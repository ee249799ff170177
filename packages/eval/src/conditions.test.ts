import { MetaLoraError } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { parseCondition } from './conditions.ts';

const tasks = ['plural', 'polarity'];
const base = {
  method: 'multi-task-lora-full',
  seed: 0,
  k: null,
  adapterDir: 'runs/x/full',
  examplesUsed: { plural: 10, polarity: 10 },
  tokensUsed: { plural: 100, polarity: 100 },
};
const fieldOf = (input: object) => thrownBy(() => parseCondition(input, 0, tasks), MetaLoraError).details.field;

describe('parseCondition: data trained on', () => {
  it('takes trained counts per task or as one total under *', () => {
    const perTask = { examplesTrained: { plural: 4, polarity: 5 }, tokensTrained: { plural: 40, polarity: 50 } };
    expect(parseCondition({ ...base, ...perTask }, 0, tasks).examplesTrained).toEqual({ plural: 4, polarity: 5 });
    const total = { examplesTrained: { '*': 9 }, tokensTrained: { '*': 90 } };
    expect(parseCondition({ ...base, ...total }, 0, tasks).tokensTrained).toEqual({ '*': 90 });
  });

  it('refuses a task without a count, a total mixed with tasks, and examples without tokens', () => {
    expect(fieldOf({ ...base, examplesTrained: { plural: 4 }, tokensTrained: { plural: 4 } })).toBe(
      'conditions[0].examplesTrained',
    );
    expect(fieldOf({ ...base, examplesTrained: { '*': 9, plural: 4 }, tokensTrained: { '*': 9 } })).toBe(
      'conditions[0].examplesTrained',
    );
    expect(fieldOf({ ...base, examplesTrained: { '*': 9 } })).toBe('conditions[0].tokensTrained');
  });
});

describe('parseCondition: in-context demonstrations', () => {
  const demos = (n: number) => Array.from({ length: n }, (_, i) => ({ input: `w${i}`, target: 'x' }));
  const inContext = (plural: number, polarity: number) => ({
    method: 'base-in-context',
    seed: 0,
    k: 4,
    supportByTask: { plural: demos(plural), polarity: demos(polarity) },
  });

  it('takes fewer than k demonstrations for a task whose pool holds fewer (capK)', () => {
    expect(parseCondition(inContext(4, 3), 0, tasks).supportByTask?.polarity).toHaveLength(3);
  });

  it('refuses more than k demonstrations, and none', () => {
    expect(fieldOf(inContext(4, 5))).toBe('conditions[0].supportByTask.polarity');
    expect(fieldOf(inContext(0, 4))).toBe('conditions[0].supportByTask.plural');
  });
});
