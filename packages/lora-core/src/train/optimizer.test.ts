import { ADAM_STEP_KERNEL, Rng, SGD_STEP_KERNEL } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/backend.ts';
import { tf } from '../runtime/tf.ts';
import { Optimizer, type OptimizerConfigInput } from './optimizer.ts';

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

/** Runs `fn` with `kernel` unregistered on the current backend (the op-by-op path), then registers it again. */
function withoutKernel<T>(kernel: string, fn: () => T): T {
  const config = tf.getKernel(kernel, tf.getBackend());
  if (config) tf.unregisterKernel(kernel, config.backendName);
  try {
    return fn();
  } finally {
    if (config) tf.registerKernel(config);
  }
}

const fusedOn = tf.getKernel(ADAM_STEP_KERNEL, tf.getBackend()) !== undefined;

describe.skipIf(!fusedOn)('Optimizer with the fused kernels', () => {
  const rng = Rng.fromSeed('fused optimizer');
  const values = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const init = [values(12), values(5)];
  const grads = [0, 1, 2].map(() => [values(12), values(5)]);

  /** Parameters and slots (flattened) after three steps of `config`. */
  const train = (config: OptimizerConfigInput) => {
    const vars = init.map((v) => tf.variable(tf.tensor1d(v)));
    const opt = new Optimizer(config);
    for (const step of grads) {
      const gs = step.map((g) => tf.tensor1d(g));
      opt.apply(vars, gs);
      tf.dispose(gs);
    }
    const out = [
      ...vars.map((v) => Array.from(v.dataSync())),
      ...opt
        .state()
        .slots.flat()
        .map((s) => Array.from(s)),
    ];
    opt.dispose();
    tf.dispose(vars);
    return out;
  };

  const configs: [string, OptimizerConfigInput][] = [
    ['adamw with weight decay', { type: 'adamw', lr: 0.01, weightDecay: 0.1 }],
    ['adam', { type: 'adam', lr: 0.003, beta2: 0.99 }],
    ['sgd', { type: 'sgd', lr: 0.1 }],
    ['sgd with momentum and weight decay', { type: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01 }],
  ];
  for (const [name, config] of configs) {
    it(`gives the op-by-op update's bits: ${name}`, () => {
      const kernel = config.type === 'sgd' ? SGD_STEP_KERNEL : ADAM_STEP_KERNEL;
      expect(train(config)).toEqual(withoutKernel(kernel, () => train(config)));
    });
  }
});
