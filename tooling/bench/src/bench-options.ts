/**
 * Command-line options of `pnpm bench`. The defaults are the bench configuration of `shared/bench/README.md`: the
 * random Llama (hidden 256, 4 layers, 4 heads, 2 KV heads, intermediate 688, vocab 2048, tied), batch 8 × seq 128,
 * LoRA r 8 / alpha 16 on all seven projections, AdamW lr 1e-3.
 */
import { parseArgs } from 'node:util';
import { MetaLoraError, showValue } from '@meta-lora/artifacts';

/**
 * Meta-iterations left out of the steady meta-iteration rate: worker start-up, and the JIT warm-up of fresh worker
 * isolates, which compile while they compute (with 2 workers, iterations 2–10 of a run averaged 10–25 % slower than
 * iterations 20–50, with 1 worker 8–12 %; later 10-iteration windows differ by noise only).
 */
export const META_WARMUP_ITERATIONS = 8;

export interface BenchOptions {
  /** HF checkpoint directory (e.g. shared/models/stories260K); null: the random bench model. */
  readonly model: string | null;
  readonly batch: number;
  readonly seq: number;
  readonly rank: number;
  readonly alpha: number;
  readonly lr: number;
  readonly warmup: number;
  readonly steps: number;
  /** Thread counts to measure at; each one the engine cannot use is reported and skipped. */
  readonly threads: readonly number[];
  readonly seed: number;
  /** Print one JSON object instead of the table. */
  readonly json: boolean;
  /** Skip the PyTorch reference. */
  readonly torch: boolean;
  /** Memory mode: train this many steps, compare RSS and numTensors at step 100 and at the end (0: off). */
  readonly memorySteps: number;
  /** MeTA-LoRA iterations per meta-iteration measurement, in-thread and with 1 and N workers (0: skip it). */
  readonly metaIterations: number;
  /** Rounds of the meta-iteration measurement (every worker count once per round); medians are reported. */
  readonly metaRepeats: number;
  /** Only the meta-iteration measurement (no training-step table). */
  readonly metaOnly: boolean;
}

/**
 * Default meta-iterations and rounds of a plain `pnpm bench` (about four minutes on 2 cores): single rounds drift by
 * ±10 % on a shared VM, so three rounds of 18 steady iterations each give a median worth reading.
 */
export const META_DEFAULTS = { iterations: 26, repeats: 3 } as const;

export const BENCH_USAGE = `usage: pnpm bench [options]
  --model DIR          HF checkpoint dir (config.json + model.safetensors); default: the random bench model
  --steps N            timed steps per measurement (default 10)
  --warmup N           untimed steps before them (default 2)
  --threads LIST       thread counts, comma-separated (default 1,2; counts the engine cannot use are skipped)
  --batch N --seq N    batch size and sequence length (default 8, 128)
  --rank N --alpha X   LoRA rank and alpha (default 8, 16)
  --lr X               AdamW learning rate (default 1e-3)
  --seed N             seed of the random model and the token ids (default 0)
  --memory-steps N     memory mode (only that): train N steps (>= 200), compare RSS and numTensors at step 100 and N
  --meta-iterations N  N MeTA-LoRA iterations on models/meta-lora-base (or --model), in-thread, with 1 worker and
                       with N workers per thread count N > 1; prints steady and end-to-end iterations/s and the
                       speed-ups (steady = after 8 warm-up iterations); default 26, 0 skips it
  --meta-repeats N     interleaved rounds of that measurement, medians reported (default 3)
  --meta-only          only the meta-iteration measurement
  --no-torch           skip the PyTorch reference
  --json               print one JSON object`;

/**
 * Parses `pnpm bench` arguments; a bad value is a `CONFIG_INVALID` error naming the flag. A leading `--` (npm's
 * habit, `pnpm bench -- --meta-only`, which pnpm passes through) is skipped.
 *
 * @example
 * parseBenchArgs(['--steps', '5', '--threads', '1']).steps; // 5
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        steps: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '2' },
        threads: { type: 'string', default: '1,2' },
        batch: { type: 'string', default: '8' },
        seq: { type: 'string', default: '128' },
        rank: { type: 'string', default: '8' },
        alpha: { type: 'string', default: '16' },
        lr: { type: 'string', default: '1e-3' },
        seed: { type: 'string', default: '0' },
        'memory-steps': { type: 'string', default: '0' },
        'meta-iterations': { type: 'string', default: String(META_DEFAULTS.iterations) },
        'meta-repeats': { type: 'string', default: String(META_DEFAULTS.repeats) },
        'meta-only': { type: 'boolean', default: false },
        'no-torch': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (cause) {
    throw new MetaLoraError('CONFIG_INVALID', `pnpm bench: ${(cause as Error).message}`, {
      fix: BENCH_USAGE,
    });
  }
  const int = (flag: string, min: number): number => {
    const raw = values[flag] as string;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      throw new MetaLoraError('CONFIG_INVALID', `--${flag} must be an integer >= ${min}, got ${showValue(raw)}`, {
        field: `--${flag}`,
        value: raw,
        fix: `pass --${flag} ${Math.max(min, 1)} or more`,
      });
    }
    return n;
  };
  const positive = (flag: string): number => {
    const raw = values[flag] as string;
    const x = Number(raw);
    if (!Number.isFinite(x) || x <= 0) {
      throw new MetaLoraError('CONFIG_INVALID', `--${flag} must be a positive number, got ${showValue(raw)}`, {
        field: `--${flag}`,
        value: raw,
        fix: `pass a positive --${flag}, e.g. the default`,
      });
    }
    return x;
  };
  const threadsRaw = values.threads as string;
  const threads = threadsRaw.split(',').map((s) => Number(s.trim()));
  if (threads.length === 0 || threads.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new MetaLoraError('CONFIG_INVALID', `--threads must list integers >= 1, got ${showValue(threadsRaw)}`, {
      field: '--threads',
      value: threadsRaw,
      fix: 'pass e.g. --threads 1,2',
    });
  }
  const memorySteps = int('memory-steps', 0);
  if (memorySteps !== 0 && memorySteps < 200) {
    throw new MetaLoraError('CONFIG_INVALID', `--memory-steps must be 0 (off) or >= 200, got ${memorySteps}`, {
      field: '--memory-steps',
      value: memorySteps,
      fix: 'the check compares step 100 with the last step; pass --memory-steps 1000',
    });
  }
  const metaIterations = int('meta-iterations', 0);
  if (metaIterations !== 0 && metaIterations <= META_WARMUP_ITERATIONS) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `--meta-iterations must be 0 (off) or above the ${META_WARMUP_ITERATIONS} warm-up iterations, got ${metaIterations}`,
      { field: '--meta-iterations', value: metaIterations, fix: 'pass e.g. --meta-iterations 26' },
    );
  }
  const metaOnly = values['meta-only'] as boolean;
  if (metaOnly && metaIterations === 0) {
    throw new MetaLoraError('CONFIG_INVALID', '--meta-only with --meta-iterations 0 leaves nothing to measure', {
      field: '--meta-iterations',
      value: 0,
      fix: `drop --meta-iterations 0 (default ${META_DEFAULTS.iterations}) or --meta-only`,
    });
  }
  return {
    model: (values.model as string | undefined) ?? null,
    batch: int('batch', 1),
    seq: int('seq', 2),
    rank: int('rank', 1),
    alpha: positive('alpha'),
    lr: positive('lr'),
    warmup: int('warmup', 0),
    steps: int('steps', 1),
    threads: [...new Set(threads)],
    seed: int('seed', 0),
    json: values.json as boolean,
    torch: !(values['no-torch'] as boolean),
    memorySteps,
    metaIterations,
    metaRepeats: int('meta-repeats', 1),
    metaOnly,
  };
}
