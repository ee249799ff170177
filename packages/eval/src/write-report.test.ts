import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineArtifactKind, MetaLoraError, writeArtifact } from '@meta-lora/artifacts';
import { thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { EVAL_CELLS_FILE, EvalCellsArtifact } from './cells-artifact.ts';
import { EVAL_EXAMPLES_FILE, EvalExamplesArtifact } from './examples-artifact.ts';
import { EVAL_RESULTS_FILE, EvalResultRowSchema, EvalResultsArtifact } from './results-artifact.ts';
import { syntheticCells, syntheticExamples, syntheticRows } from './test-results.ts';
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

  it('reads eval-cells and eval-examples beside the results, and the sanity records it is given', () => {
    const dir = runDir('companions');
    const { artifactId } = writeArtifact(join(dir, EVAL_RESULTS_FILE), EvalResultsArtifact, syntheticRows(), lineage);
    const child = { ...lineage, parents: [artifactId] };
    writeArtifact(join(dir, EVAL_CELLS_FILE), EvalCellsArtifact, syntheticCells(), child);
    writeArtifact(join(dir, EVAL_EXAMPLES_FILE), EvalExamplesArtifact, syntheticExamples(), child);
    const run = {
      k: 4,
      seed: 0,
      baselines: [{ method: 'multi-task-full' as const, taskId: '*', lossFirst: 2, lossLast: 1 }],
    };
    const md = readFileSync(writeReport(dir, { sanity: [run], bootstrap: { replicates: 100 } }).markdownPath, 'utf8');
    expect(md).toContain('(100 replicates, seed 0)');
    expect(md).toContain('| Majority class (test labels) | 64.0 |');
    expect(md).toContain('| train-loss-falls | 4 | 0 | Multi-task LoRA (full data) | all | 2.000 → 1.000 | pass |');
  });

  it('refuses per-example results written for other results', () => {
    const dir = runDir('stale');
    writeArtifact(join(dir, EVAL_RESULTS_FILE), EvalResultsArtifact, syntheticRows(), lineage);
    writeArtifact(join(dir, EVAL_EXAMPLES_FILE), EvalExamplesArtifact, syntheticExamples(), lineage);
    expect(codeOf(() => writeReport(dir))).toBe('ARTIFACT_INVALID');
    expect(existsSync(join(dir, 'report.md'))).toBe(false);
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
