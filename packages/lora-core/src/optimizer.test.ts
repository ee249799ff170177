import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { Optimizer } from './optimizer.ts';
import { tf } from './tf.ts';

await initBackend({ quiet: true });

describe('Optimizer', () => {
  it('adamw takes the PyTorch AdamW step', () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Optimizer({ type: 'adamw', lr: 0.1, weightDecay: 0.01 });
    opt.apply([p], [tf.tensor1d([0.5, -0.25])]);
    // step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g|+ε) = ±lr, after decay p·(1 − lr·wd).
    expect(p).toBeAllClose([1 * (1 - 0.001) - 0.1, -2 * (1 - 0.001) + 0.1], { atol: 1e-6, rtol: 0 });
  });

  it('sgd with momentum accumulates the velocity', () => {
    const p = tf.variable(tf.tensor1d([0]));
    const opt = new Optimizer({ type: 'sgd', lr: 1, momentum: 0.5 });
    opt.apply([p], [tf.tensor1d([1])]); // buf 1 -> p -1
    opt.apply([p], [tf.tensor1d([1])]); // buf 1.5 -> p -2.5
    expect(p).toBeAllClose([-2.5], { atol: 1e-7, rtol: 0 });
  });

  it('continues identically after a state round trip', () => {
    const run = (resume: boolean) => {
      const p = tf.variable(tf.tensor1d([1, 2, 3]));
      let opt = new Optimizer({ lr: 0.05 });
      opt.apply([p], [tf.tensor1d([0.1, -0.2, 0.3])]);
      if (resume) {
        const state = opt.state();
        opt.dispose();
        opt = new Optimizer({ lr: 0.05 });
        opt.loadState(state, [p]);
      }
      opt.apply([p], [tf.tensor1d([0.3, 0.1, -0.1])]);
      return Float32Array.from(p.dataSync());
    };
    expect(run(true)).toBeAllClose(run(false), { atol: 0, rtol: 0 });
  });

  it('rejects a non-positive learning rate with the field named', () => {
    expect(() => new Optimizer({ lr: 0 })).toThrow(/`lr`/);
  });
});

describe('Optimizer memory', () => {
  it('holds exactly its slot variables: two per variable for Adam, none leaked by a state round trip', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.memory().numTensors;
    const opt = new Optimizer({ lr: 0.1 });
    const g = tf.tensor1d([0.1, 0.1]);
    opt.apply([p], [g]);
    g.dispose();
    expect(tf.memory().numTensors - before).toBe(2);
    const again = new Optimizer({ lr: 0.1 });
    again.loadState(opt.state(), [p]);
    expect(tf.memory().numTensors - before).toBe(4);
    opt.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
