/**
 * Kernel-time breakdown of one LoRA training step on the bench configuration (`pnpm --filter @meta-lora/bench run
 * profile`): where the time goes, by kernel name, from `tf.profile`.
 */
import { initBackend, Optimizer, tf, trainStep } from '@meta-lora/lora-core';
import { buildBenchModel } from './bench-model.ts';
import { parseBenchArgs } from './bench-options.ts';

const options = parseBenchArgs(process.argv.slice(2));
await initBackend();
const bench = await buildBenchModel(options);
const optimizer = new Optimizer({ type: 'adamw', lr: options.lr, weightDecay: 0 });
for (let i = 0; i < options.warmup; i++) trainStep(bench.model, bench.adapter, bench.batch, optimizer);
const t0 = performance.now();
const info = await tf.profile(() => {
  trainStep(bench.model, bench.adapter, bench.batch, optimizer);
});
const wall = performance.now() - t0;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  byKernel.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 });
}
const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
console.log(`profiled step: ${wall.toFixed(0)} ms wall (profiling adds overhead), ${total.toFixed(0)} ms in kernels`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(`${name.padEnd(24)}${e.ms.toFixed(1).padStart(9)} ms ${String(e.calls).padStart(6)} calls`);
}
optimizer.dispose();
bench.dispose();
