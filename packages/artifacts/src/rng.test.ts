import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng', () => {
  it('gives equal streams for equal seeds', () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(Array.from({ length: 5 }, () => b.nextUint32()));
  });
  it('gives different streams for different seeds', () => {
    expect(Rng.fromSeed(1).nextUint32()).not.toBe(Rng.fromSeed(2).nextUint32());
  });
  it('continues the same stream after a state round trip', () => {
    const a = Rng.fromSeed('x');
    a.next();
    const b = Rng.fromState(a.state());
    expect(a.next()).toBe(b.next());
  });
  it('shuffles to a permutation', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(Rng.fromSeed(3).shuffle(items).sort()).toEqual(items);
  });
  it('draws uniforms in [0, 1)', () => {
    const rng = Rng.fromSeed(9);
    for (let i = 0; i < 1000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});
