/**
 * `pnpm bench`: meta-lora's LoRA training-step and forward throughput on the bench configuration, side by side with
 * the PyTorch reference in the same run (see shared/bench/README.md), at each requested thread count.
 *
 * Then MeTA-LoRA meta-iterations per second in-thread, with 1 worker and with N workers, on the embedded model. First
 * of all, the start-up times of `meta-lora --help` and of a worker thread. `pnpm bench` builds the packages and the
 * bench itself first and runs them with plain node (no tsx, in this thread or the workers), as a user's install does.
 *
 *   pnpm bench                      # random bench model, 1 and 2 threads, table; then meta-iterations
 *   pnpm bench --json --steps 20    # one JSON object
 *   pnpm bench --model ../shared/models/stories260K
 *   pnpm bench --meta-only --meta-iterations 20 --meta-repeats 3
 *   pnpm bench --memory-steps 1000  # memory mode: RSS and numTensors at step 100 vs step 1000
 */
import { resolve } from 'node:path';
import { isMetaLoraError, tuneHeap } from '@meta-lora/artifacts';
import { initBackend } from '@meta-lora/lora-core';
import { buildBenchModel } from './bench-model.ts';
import { type BenchOptions, META_WARMUP_ITERATIONS, parseBenchArgs } from './bench-options.ts';
import { setEngineThreads } from './engine-threads.ts';
import { measureEngine, round } from './measure-engine.ts';
import { measureMeta, median } from './measure-meta.ts';
import { formatStartup, measureStartup, STARTUP_REPEATS } from './measure-startup.ts';
import { memoryCheck } from './memory-check.ts';
import { type BenchReport, formatReport, ratios, type ThreadResult } from './report.ts';
import { runTorchReference, torchAvailable } from './torch-reference.ts';

async function main(argv: readonly string[]): Promise<void> {
  tuneHeap(); // as the meta-lora CLI and the pipeline stages do
  const parsed = parseBenchArgs(argv);
  // `pnpm bench` runs in tooling/bench; resolve --model against the directory pnpm was invoked from.
  const base = process.env.INIT_CWD ?? process.cwd();
  const options = { ...parsed, model: parsed.model === null ? null : resolve(base, parsed.model) };
  const info = await initBackend({ quiet: options.json });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startup = options.memorySteps > 0 ? null : await measureStartup(metaModelDir(options), STARTUP_REPEATS);
  if (startup && !options.json) console.log(formatStartup(startup));

  if (options.metaOnly) {
    const meta = await runMeta(options, log);
    console.log(
      options.json ? JSON.stringify({ impl: 'meta-lora', mode: 'meta', startup, ...meta.json }) : `\n${meta.text}`,
    );
    process.exitCode = meta.identical ? 0 : 1;
    return;
  }
  const bench = await buildBenchModel(options);

  if (options.memorySteps > 0) {
    setEngineThreads(options.threads[0] as number);
    const report = memoryCheck(bench, options, (p) =>
      log(`step ${p.step}: RSS ${p.rssMiB} MiB, ${p.numTensors} tensors (${(p.numBytes / 2 ** 20).toFixed(1)} MiB)`),
    );
    bench.dispose();
    const text = `memory after ${report.first.step} vs ${report.last.step} steps: RSS ${report.first.rssMiB} -> ${report.last.rssMiB} MiB (x${report.rssRatio}), numTensors ${report.first.numTensors} -> ${report.last.numTensors} (x${report.tensorRatio}); ${report.flat ? 'flat (within 5%)' : 'NOT flat'}`;
    console.log(
      options.json ? JSON.stringify({ impl: 'meta-lora', mode: 'memory', backend: info.name, ...report }) : text,
    );
    process.exitCode = report.flat ? 0 : 1;
    return;
  }

  const torch = options.torch ? torchAvailable() : { ok: false as const, reason: 'skipped (--no-torch)' };
  const results: ThreadResult[] = [];
  for (const threads of options.threads) {
    const skipped = setEngineThreads(threads);
    if (!options.json) log(`measuring meta-lora at ${threads} thread${threads === 1 ? '' : 's'} ...`);
    const ours = skipped === null ? measureEngine(bench, options, threads) : null;
    let theirs = null;
    if (torch.ok) {
      if (!options.json) log(`measuring torch_lora_bench.py at ${threads} thread${threads === 1 ? '' : 's'} ...`);
      const run = runTorchReference(options, threads);
      if (run.ok) theirs = run.figures;
      else log(`torch reference failed: ${run.reason}`);
    }
    results.push({
      threads,
      metaLora: ours,
      ...(skipped === null ? {} : { metaLoraSkipped: skipped }),
      torch: theirs,
      ratios: ratios(ours, theirs),
    });
  }
  setEngineThreads(options.threads[0] as number);
  const report: BenchReport = {
    impl: 'meta-lora',
    model: options.model ?? 'random (shared/bench/README.md bench config)',
    backend: info.name,
    backendSource: info.source,
    matmul: info.matmul.startsWith('OpenBLAS')
      ? `${info.matmul.replace(/, \d+ threads?\)/, ')')}, on the threads of each row; the other kernels run on 1 thread`
      : info.matmul,
    config: {
      batch: options.batch,
      seq: options.seq,
      rank: options.rank,
      alpha: options.alpha,
      lr: options.lr,
      warmup: options.warmup,
      steps: options.steps,
    },
    paramsNonEmbedding: bench.paramsNonEmbedding,
    paramsLora: bench.paramsLora,
    trainFlopsPerTokenEst: 6 * bench.paramsNonEmbedding,
    torch: {
      available: torch.ok,
      note: torch.ok
        ? 'torch_lora_bench.py via /usr/bin/python3, MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 OMP_WAIT_POLICY=PASSIVE'
        : `not run: ${torch.reason}; meta-lora figures only`,
    },
    results,
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
  };
  bench.dispose();
  if (!options.json) console.log(formatReport(report));
  const meta = options.metaIterations > 0 ? await runMeta(options, log) : null;
  if (options.json) console.log(JSON.stringify({ ...report, startup, ...(meta ? { meta: meta.json } : {}) }));
  else if (meta) console.log(`\n${meta.text}`);
  process.exitCode = meta === null || meta.identical ? 0 : 1;
}

/** The model of the meta-iteration and start-up measurements: `--model`, else the embedded one. */
function metaModelDir(options: BenchOptions): string {
  return options.model ?? resolve(import.meta.dirname, '..', '..', '..', 'models', 'meta-lora-base');
}

/**
 * Meta-iterations per second in-thread, with 1 worker and with N workers (each thread count N > 1), on the embedded
 * model (or `--model`), with OpenBLAS on one thread per computing thread.
 */
async function runMeta(
  options: BenchOptions,
  log: (line: string) => void,
): Promise<{ text: string; json: Record<string, unknown>; identical: boolean }> {
  setEngineThreads(1);
  const modelDir = metaModelDir(options);
  const workerCounts = [0, 1, ...options.threads.filter((t) => t > 1)];
  const { runs, identical } = await measureMeta(
    modelDir,
    options.metaIterations,
    workerCounts,
    options.metaRepeats,
    log,
  );
  const inThread = runs[0]!;
  const oneWorker = runs[1]!;
  const x = (a: number, b: number) => `x${(a / b).toFixed(2)}`;
  const lines = runs.map(
    (r) =>
      `${r.workers === 0 ? 'in-thread' : `${r.workers} worker${r.workers === 1 ? '' : 's'}`}`.padEnd(10) +
      `  steady ${r.steadyIterationsPerSecond.toFixed(3)} it/s [${r.steadyRange[0].toFixed(3)}-${r.steadyRange[1].toFixed(3)}] (${x(r.steadyIterationsPerSecond, oneWorker.steadyIterationsPerSecond)} vs 1 worker, ${x(r.steadyIterationsPerSecond, inThread.steadyIterationsPerSecond)} vs in-thread)` +
      `  | end to end ${r.iterations} iterations in ${r.seconds} s = ${r.iterationsPerSecond.toFixed(3)} it/s (${x(r.iterationsPerSecond, inThread.iterationsPerSecond)} vs in-thread)`,
  );
  // Rounds are interleaved, so the speed-up within a round compares runs minutes apart at most: less exposed to the
  // machine's drift than the ratio of medians.
  const perRound = runs
    .filter((r) => r.workers > 1)
    .map((r) => {
      const ratios = r.steadyByRound.map((v, i) => v / (oneWorker.steadyByRound[i] as number));
      return `${r.workers} workers vs 1 worker, steady, per round: median x${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(', ')}]`;
    });
  const text = [
    `meta-iteration throughput on ${modelDir} (4 tasks x 8+8 examples per iteration; steady = after ${META_WARMUP_ITERATIONS} warm-up iterations; medians of ${options.metaRepeats} interleaved rounds, [slowest-fastest]):`,
    ...lines,
    ...perRound,
    `adapters identical across worker counts: ${identical}`,
  ].join('\n');
  return { text, json: { modelDir, runs, identical }, identical };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${isMetaLoraError(error) ? error.message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 1;
});
