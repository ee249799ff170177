/**
 * Training and meta-training curves for the report, read from the JSONL metric logs in a run directory.
 *
 * What is read: every `*.jsonl` file under the run directory (at most 4 levels deep; directories whose names start
 * with `.` and `node_modules` are skipped), in sorted path order. Each non-empty line must be a JSON object. Its x
 * value is the first finite number among `iteration`, `step`, `epoch`, else its 1-based line number. Every other field
 * whose name contains `loss` (any case) and whose value is a finite number is a y value of the series named after that
 * field — suffixed with ` (taskId)` when the line has a string `taskId`, so per-task diagnostics (query loss before
 * and after adaptation) form one series per task. Objects with a string `taskId` inside an array field of the line
 * (stage2-meta's `metrics.jsonl` has `tasks: [{ taskId, queryLossBefore, queryLossAfter, … }]`) add their loss fields
 * the same way, at the line's x. Files without any loss field are skipped; a line that is not a JSON
 * object is a `DATA_INVALID` error naming the file and line.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MetaLoraError, readJsonLines, showValue } from '@meta-lora/artifacts';

export interface CurveSeries {
  readonly name: string;
  readonly points: readonly { x: number; y: number }[];
}

export interface TrainingCurves {
  /** Path relative to the run directory, with `/` separators. */
  readonly file: string;
  /** Name of the x value: iteration, step, epoch or line. */
  readonly xLabel: string;
  readonly series: readonly CurveSeries[];
}

const X_KEYS = ['iteration', 'step', 'epoch'] as const;
/** Points kept per series (evenly strided, last point always kept) so reports stay small. */
export const MAX_CURVE_POINTS = 400;

/**
 * @example
 * readTrainingCurves('runs/x'); // [{ file: 'meta/metrics.jsonl', xLabel: 'iteration', series: [{ name: 'queryLoss', points }] }]
 */
export function readTrainingCurves(runDir: string): TrainingCurves[] {
  return findMetricLogs(runDir).flatMap((path) => {
    const curves = parseCurves(path, relative(runDir, path).split('\\').join('/'));
    return curves.series.length > 0 ? [curves] : [];
  });
}

/**
 * The JSONL metric logs under `dir` (down to 4 directories deep; hidden directories skipped), sorted: what
 * `readTrainingCurves` reads.
 *
 * @example
 * findMetricLogs('runs/x'); // ['runs/x/train/meta/c0/metrics.jsonl', …]
 */
export function findMetricLogs(dir: string): string[] {
  return findJsonl(dir, 0).sort();
}

function findJsonl(dir: string, depth: number): string[] {
  if (depth > 4) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findJsonl(path, depth + 1));
    else if (entry.isFile() && entry.name.endsWith('.jsonl')) out.push(path);
  }
  return out;
}

function parseCurves(path: string, file: string): TrainingCurves {
  const series = new Map<string, { x: number; y: number }[]>();
  let xLabel: string | null = null;
  for (const { line, text, value } of readJsonLines(path)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new MetaLoraError('DATA_INVALID', `metrics log line is not a JSON object: ${showValue(text)}`, {
        path,
        line,
        fix: 'metrics logs hold one JSON object per line; remove or repair the line',
      });
    }
    const record = value as Record<string, unknown>;
    const xKey = X_KEYS.find((k) => typeof record[k] === 'number' && Number.isFinite(record[k]));
    xLabel ??= xKey ?? 'line';
    const x = xKey ? (record[xKey] as number) : line;
    const add = (entry: Record<string, unknown>) => {
      const task = typeof entry.taskId === 'string' ? ` (${entry.taskId})` : '';
      for (const key of Object.keys(entry).sort()) {
        const y = entry[key];
        if (!/loss/i.test(key) || typeof y !== 'number' || !Number.isFinite(y)) continue;
        const name = `${key}${task}`;
        const list = series.get(name) ?? [];
        list.push({ x, y });
        series.set(name, list);
      }
    };
    add(record);
    // One level of nesting: arrays of per-task objects (stage2-meta's `tasks: [{ taskId, queryLossBefore, … }]`).
    for (const nested of Object.values(record)) {
      if (!Array.isArray(nested)) continue;
      for (const item of nested) {
        if (typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>).taskId === 'string') {
          add(item as Record<string, unknown>);
        }
      }
    }
  }
  return {
    file,
    xLabel: xLabel ?? 'line',
    series: [...series.keys()].sort().map((name) => ({ name, points: thin(series.get(name)!) })),
  };
}

function thin<T>(points: readonly T[]): T[] {
  if (points.length <= MAX_CURVE_POINTS) return [...points];
  const stride = Math.ceil(points.length / MAX_CURVE_POINTS);
  const out = points.filter((_, i) => i % stride === 0);
  if ((points.length - 1) % stride !== 0) out.push(points[points.length - 1]!);
  return out;
}
