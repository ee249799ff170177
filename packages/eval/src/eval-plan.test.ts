import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvalPlan } from './eval-plan.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-plan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function plan(name: string, value: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe('readEvalPlan', () => {
  it('resolves adapter paths against the plan file', () => {
    const path = plan('ok.json', {
      conditions: [
        { method: 'meta-lora-shared', seed: 0, k: 4, adapterDir: 'adapters/shared' },
        { method: 'single-task-lora', seed: 0, k: null, adapterDirByTask: { a: '/abs/a' } },
      ],
    });
    const p = readEvalPlan(path);
    expect(p.conditions[0]!.adapterDir).toBe(join(root, 'adapters/shared'));
    expect(p.conditions[1]!.adapterDirByTask).toEqual({ a: '/abs/a' });
  });

  it('names the field of an invalid condition', () => {
    const path = plan('bad.json', { conditions: [{ method: 'lora-magic', seed: 0, k: null }] });
    expect(() => readEvalPlan(path)).toThrow(/bad\.json: `conditions\.0\.method`/);
  });

  it('names the file and the line when it is not JSON', () => {
    expect(() => readEvalPlan(plan('broken.json', '{'))).toThrow(
      /broken\.json:line 1: the evaluation plan is not valid JSON \(column 2\)/,
    );
  });
});
