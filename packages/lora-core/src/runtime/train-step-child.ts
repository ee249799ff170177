/**
 * A few LoRA training steps in a process of their own, for tests that compare the matmul paths (OpenBLAS, the
 * built-in sgemm, the wasm kernels), which are chosen once per process from the environment:
 * `node --conditions=@meta-lora/source --import tsx train-step-child.ts` prints `{ matmul, nativeKernels, losses }` as
 * JSON on stdout; the backend line and any fast-path banner go to stderr.
 */
import { Rng } from '@meta-lora/artifacts';
import { createLoraAdapter } from '../lora/lora-adapter.ts';
import { createTinyModel } from '../model/tiny-model.ts';
import type { TokenBatch } from '../train/loss.ts';
import { Optimizer } from '../train/optimizer.ts';
import { trainStep } from '../train/train-step.ts';
import { initBackend } from './backend.ts';

const info = await initBackend();
// Wide enough that every projection is a real GEMM: hidden 64, intermediate 160, 4 heads of 16, 2 KV heads.
const model = createTinyModel(3, { hidden_size: 64, intermediate_size: 160, vocab_size: 97 });
const adapter = createLoraAdapter(model, { r: 8, loraAlpha: 16, targetModules: 'all-linear' }, Rng.fromSeed(4));
const rng = Rng.fromSeed(5);
const [batchSize, seqLen] = [2, 24];
const ids = Int32Array.from({ length: batchSize * seqLen }, () => rng.int(97));
const batch: TokenBatch = { batchSize, seqLen, inputIds: ids, labels: ids };
const optimizer = new Optimizer({ lr: 1e-2 });
const losses = Array.from({ length: 4 }, () => trainStep(model, adapter, batch, optimizer).loss);
console.log(JSON.stringify({ matmul: info.matmul, nativeKernels: info.nativeKernels, losses }));
optimizer.dispose();
adapter.dispose();
model.dispose();
