export type { BenchModel } from './bench-model.ts';
export { BENCH_MODEL_CONFIG, batchIds, buildBenchModel } from './bench-model.ts';
export type { BenchOptions } from './bench-options.ts';
export { BENCH_USAGE, parseBenchArgs } from './bench-options.ts';
export { setEngineThreads } from './engine-threads.ts';
export type { Throughput, Timing } from './measure-engine.ts';
export { measureEngine, median, timeMs } from './measure-engine.ts';
export type { MemoryPoint, MemoryReport } from './memory-check.ts';
export { MEMORY_BASELINE_STEP, memoryCheck } from './memory-check.ts';
export type { BenchReport, Ratios, ThreadResult } from './report.ts';
export { formatReport, ratios } from './report.ts';
export type { TorchResult } from './torch-reference.ts';
export {
  parseTorchReport,
  runTorchReference,
  TORCH_ENV,
  TORCH_SCRIPT,
  torchArgs,
  torchAvailable,
} from './torch-reference.ts';
