/**
 * Finished baseline runs on disk, so that a killed train stage (or study cell) keeps them: each run of the grid is
 * written to `baseline-runs/<key>.json` as soon as it ends — its trained factor values and its result — and a rerun
 * with the same key takes it from there instead of training it again. The key hashes everything the run's numbers
 * depend on (base model, LoRA and baseline settings, seed, method, task, learning rate, its data and dev examples), and
 * the file name is that hash, never a name from the data. Once the stage has written its artifacts the directory is
 * removed. A cached run gives the same bytes as a trained one: factor values are stored as their float32 bytes and
 * numbers as JSON (which round-trips doubles exactly).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, writeFileAtomic } from '@meta-lora/artifacts';
import type { LoraTrainResult } from './baseline-task.ts';

export const BASELINE_RUNS_DIR = 'baseline-runs';

/** A run's outcome: the adapter's factor values (keyed like `LoraAdapter.namedTensors()`) and its result. */
export interface RunOutcome {
  readonly values: Map<string, Float32Array>;
  readonly result: Omit<LoraTrainResult, 'adapter'>;
}

interface StoredRun {
  readonly key: string;
  readonly result: Omit<LoraTrainResult, 'adapter'>;
  /** [name, base64 of the float32 bytes] */
  readonly values: [string, string][];
}

/**
 * The key of a run: a hash of `what` (everything its numbers depend on).
 *
 * @example
 * const key = baselineRunKey({ fingerprint, lora, baselines, seed, method, taskId, lr, tasks, dev });
 */
export function baselineRunKey(what: Record<string, unknown>): string {
  return configHash({ baselineRun: 1, ...what });
}

/** The finished runs of one train stage's `runDir`. */
export class BaselineRunCache {
  private readonly dir: string;

  constructor(runDir: string) {
    this.dir = join(runDir, BASELINE_RUNS_DIR);
  }

  /** The outcome stored under `key`, or undefined (none, unreadable, or another key's). */
  read(key: string): RunOutcome | undefined {
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredRun;
      if (stored.key !== key) return undefined;
      const values = new Map<string, Float32Array>();
      for (const [name, b64] of stored.values) {
        const bytes = Buffer.from(b64, 'base64');
        values.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      }
      return { values, result: stored.result };
    } catch {
      return undefined; // a torn or foreign file: the run is trained again
    }
  }

  /** Stores `outcome` under `key` (atomically). */
  write(key: string, outcome: RunOutcome): void {
    const stored: StoredRun = {
      key,
      result: outcome.result,
      values: [...outcome.values].map(([name, v]) => [
        name,
        Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
      ]),
    };
    writeFileAtomic(this.pathOf(key), JSON.stringify(stored));
  }

  /** Removes every stored run (the stage's artifacts hold what is kept). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pathOf(key: string): string {
    return join(this.dir, `${key.slice(0, 32)}.json`);
  }
}
