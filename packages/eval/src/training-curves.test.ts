import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CURVE_POINTS, readTrainingCurves } from './training-curves.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-curves-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runDir(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('readTrainingCurves', () => {
  it('reads every loss field against the iteration, one series per task for per-task lines', () => {
    const dir = runDir('a', {
      'meta/metrics.jsonl': jsonl([
        { iteration: 1, metaLoss: 2.5, lr: 0.001 },
        { iteration: 1, taskId: 'plural', queryLossBefore: 3, queryLossAfter: 2 },
        { iteration: 2, metaLoss: 2.1 },
      ]),
      'notes.txt': 'ignored',
    });
    const [curves] = readTrainingCurves(dir);
    expect(curves!.file).toBe('meta/metrics.jsonl');
    expect(curves!.xLabel).toBe('iteration');
    expect(curves!.series.map((s) => s.name)).toEqual([
      'metaLoss',
      'queryLossAfter (plural)',
      'queryLossBefore (plural)',
    ]);
    expect(curves!.series[0]!.points).toEqual([
      { x: 1, y: 2.5 },
      { x: 2, y: 2.1 },
    ]);
  });

  it('reads per-task losses nested in an array of task objects (stage2-meta metrics.jsonl)', () => {
    const dir = runDir('nested', {
      'metrics.jsonl': jsonl([
        { iteration: 0, queryLossAfter: 2, tasks: [{ taskId: 'a', queryLossAfter: 1.5, supportLosses: [3, 2] }] },
        { iteration: 1, queryLossAfter: 1.8, tasks: [{ taskId: 'a', queryLossAfter: 1.2 }] },
      ]),
    });
    const [curves] = readTrainingCurves(dir);
    expect(curves!.series.map((s) => s.name)).toEqual(['queryLossAfter', 'queryLossAfter (a)']);
    expect(curves!.series[1]!.points).toEqual([
      { x: 0, y: 1.5 },
      { x: 1, y: 1.2 },
    ]);
  });

  it('skips logs without loss fields and thins long series', () => {
    const long = Array.from({ length: 1001 }, (_, i) => ({ step: i, loss: 1 / (i + 1) }));
    const dir = runDir('b', { 'progress.jsonl': jsonl([{ step: 1, tokens: 10 }]), 'train/log.jsonl': jsonl(long) });
    const curves = readTrainingCurves(dir);
    expect(curves.map((c) => c.file)).toEqual(['train/log.jsonl']);
    const points = curves[0]!.series[0]!.points;
    expect(points.length).toBeLessThanOrEqual(MAX_CURVE_POINTS + 1);
    expect(points.at(-1)).toEqual({ x: 1000, y: 1 / 1001 });
  });

  it('names the file and line of a line that is not a JSON object', () => {
    const dir = runDir('c', { 'metrics.jsonl': '{"step": 1, "loss": 2}\nnot json\n' });
    expect(() => readTrainingCurves(dir)).toThrow(/metrics\.jsonl:line 2: metrics log line is not a JSON object/);
  });
});
