/**
 * Finished evaluation cells on disk, so that a killed evaluation keeps them: each cell (one condition × one task) is
 * written to `eval-cell-runs/<key>` beside the results as soon as it is scored, and a rerun with the same key takes it
 * from there instead of scoring it again. The key hashes everything the cell's rows depend on (the base model with its
 * tokenizer and generation files, the backend, the condition with its adapters and their configs by content, the
 * task's test examples, its scoring type and the scoring settings), and
 * the file name is that hash, never a name from the data. A kept cell of another shape is scored again. The key does
 * not cover the code: `EVAL_CELL_VERSION` is bumped when scoring changes. The files hold the result as V8's structured serialization
 * (exact doubles, NaN and -0 included) inside JSON, so a cached cell gives the bytes a scored one does. Once the
 * artifacts are written the directory is removed.
 *
 * Why: from k = 64 on, a study cell's evaluation runs for about an hour (in-context prompts fill the context), and a
 * killed one started over.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { configHash, writeFileAtomic } from '@meta-lora/artifacts';
import { EvalCellRowSchema } from './cells-artifact.ts';
import type { EvalCellResult } from './eval-cell.ts';
import { EvalExampleRowSchema } from './examples-artifact.ts';
import { EvalResultRowSchema } from './results-artifact.ts';

/** The directory of finished cells, beside the results artifact. */
export const EVAL_CELL_RUNS_DIR = 'eval-cell-runs';

/**
 * Bumped when scoring changes what a cell computes, float rounding included: kept cells of an earlier version are
 * scored again, so a resumed evaluation gives an uninterrupted one's bytes. 2: in-context prompts cut to the model
 * share what is left of their demonstrations (`scoreSequences`), and generation runs the demonstrations once.
 */
const EVAL_CELL_VERSION = 2;

/**
 * The key of a cell: a hash of `what` (everything its rows depend on) and `EVAL_CELL_VERSION`.
 *
 * @example
 * const key = evalCellKey({ model: fingerprint, condition, taskId, taskType, examples: configHash(examples), scoring });
 */
export function evalCellKey(what: Record<string, unknown>): string {
  return configHash({ evalCell: EVAL_CELL_VERSION, ...what });
}

/** The finished cells of one evaluation, in `dir`. */
export class EvalCellCache {
  constructor(private readonly dir: string) {}

  /** The result stored under `key`, or undefined (none, unreadable, or another key's: the cell is scored again). */
  read(key: string): EvalCellResult | undefined {
    const path = join(this.dir, `${key}.json`);
    if (!existsSync(path)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as { key?: unknown; result?: unknown };
      if (stored.key !== key || typeof stored.result !== 'string') return undefined;
      const result = deserialize(Buffer.from(stored.result, 'base64')) as EvalCellResult;
      // Checked, not parsed: the stored object is returned as it is, so its bytes in the artifacts are a scored one's.
      const valid =
        EvalResultRowSchema.safeParse(result?.row).success &&
        EvalCellRowSchema.safeParse(result.cell).success &&
        Array.isArray(result.examples) &&
        result.examples.every((e) => EvalExampleRowSchema.safeParse(e).success);
      return valid ? result : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores `result` under `key` (atomically). */
  write(key: string, result: EvalCellResult): void {
    const stored = { key, result: serialize(result).toString('base64') };
    writeFileAtomic(join(this.dir, `${key}.json`), JSON.stringify(stored));
  }

  /** Removes every stored cell (the artifacts hold what is kept). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
