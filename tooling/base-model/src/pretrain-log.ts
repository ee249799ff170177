/** A pretraining run's `log.jsonl`: one line per step, plus evaluations. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@meta-lora/artifacts';

/** One line of `log.jsonl`. */
export type PretrainLogLine =
  | {
      readonly type: 'train';
      readonly step: number;
      readonly loss: number;
      readonly lr: number;
      readonly gradNorm: number;
      readonly tokensSeen: number;
    }
  | { readonly type: 'eval'; readonly step: number; readonly heldOutLoss: number; readonly tokens: number };

/**
 * The lines of a run's `log.jsonl`.
 *
 * @example
 * const losses = readPretrainLog('.cache/run').filter((l) => l.type === 'train').map((l) => l.loss);
 */
export function readPretrainLog(runDir: string): PretrainLogLine[] {
  const path = join(runDir, 'log.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as PretrainLogLine);
}

/** Appends `line` to the log at `path`. */
export function appendPretrainLog(path: string, line: PretrainLogLine): void {
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}

/** Drops log lines after the checkpoint's step: a resumed run writes them again. */
export function truncatePretrainLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && (JSON.parse(l) as PretrainLogLine).step <= step);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}
