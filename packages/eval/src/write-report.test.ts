import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineArtifactKind, MetaLoraError, writeArtifact } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { EVAL_RESULTS_FILE, EvalResultRowSchema, EvalResultsArtifact } from './results-artifact.ts';
import { syntheticRows } from './test-results.ts';
import { writeReport } from './write-report.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const lineage = { configHash: 'x', seed: null, parents: [], createdBy: 'test' };

function runDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const codeOf = (f: () => unknown): string => thrownBy(f, MetaLoraError).code;

describe('writeReport', () => {
  it('writes report.md and report.html from the run directory, with the training curves', () => {
    const dir = runDir('ok');
    writeArtifact(join(dir, EVAL_RESULTS_FILE), EvalResultsArtifact, syntheticRows(), lineage);
    mkdirSync(join(dir, 'meta'));
    writeFileSync(join(dir, 'meta', 'metrics.jsonl'), '{"iteration":1,"metaLoss":2}\n{"iteration":2,"metaLoss":1.5}\n');
    const out = writeReport(dir);
    expect(out.rows).toBe(syntheticRows().length);
    expect(readFileSync(out.markdownPath, 'utf8')).toContain('| meta/metrics.jsonl | metaLoss | 2 |');
    expect(readFileSync(out.htmlPath, 'utf8')).toContain('Training curves: meta/metrics.jsonl');
  });

  it('says to run eval first when the results are missing', () => {
    expect(() => writeReport(runDir('empty'))).toThrow(/no eval-results\.arrow to report on[\s\S]*meta-lora eval/);
  });

  it('refuses results of another schema version and writes no report', () => {
    const dir = runDir('v2');
    const v2 = defineArtifactKind({
      kind: 'eval-results',
      schemaVersion: 2,
      row: EvalResultRowSchema,
      fields: EvalResultsArtifact.fields,
    });
    writeArtifact(join(dir, EVAL_RESULTS_FILE), v2, syntheticRows(), lineage);
    expect(codeOf(() => writeReport(dir))).toBe('SCHEMA_VERSION_MISMATCH');
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('refuses a broken metrics log before writing either file', () => {
    const dir = runDir('badlog');
    writeArtifact(join(dir, EVAL_RESULTS_FILE), EvalResultsArtifact, syntheticRows(), lineage);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1,"loss":1}\n{oops\n');
    expect(codeOf(() => writeReport(dir))).toBe('DATA_INVALID');
    expect(existsSync(join(dir, 'report.md'))).toBe(false);
  });
});
