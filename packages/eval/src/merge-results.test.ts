import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { afterAll, describe, expect, it } from 'vitest';
import { EVAL_CELLS_FILE, EvalCellsArtifact } from './cells-artifact.ts';
import { EVAL_EXAMPLES_FILE, EvalExamplesArtifact } from './examples-artifact.ts';
import { mergeEvalResults } from './merge-results.ts';
import { EVAL_RESULTS_FILE, EvalResultsArtifact } from './results-artifact.ts';
import { syntheticCells, syntheticExamples, syntheticRows } from './test-results.ts';

const root = mkdtempSync(join(tmpdir(), 'meta-lora-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A run's eval directory with the synthetic rows of `seed`, and its companions unless `bare`. */
function run(name: string, seed: number, bare = false): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const rows = syntheticRows().filter((r) => r.seed === seed);
  const path = join(dir, EVAL_RESULTS_FILE);
  const { artifactId } = writeArtifact(path, EvalResultsArtifact, rows, {
    configHash: name,
    seed: null,
    parents: [],
    createdBy: 'test',
  });
  if (!bare) {
    const child = { configHash: name, seed: null, parents: [artifactId], createdBy: 'test' };
    writeArtifact(join(dir, EVAL_CELLS_FILE), EvalCellsArtifact, syntheticCells(rows), child);
    writeArtifact(join(dir, EVAL_EXAMPLES_FILE), EvalExamplesArtifact, syntheticExamples(rows), child);
  }
  return path;
}

describe('mergeEvalResults', () => {
  const parts = [run('a', 0), run('b', 1)];
  const out = join(root, 'study', EVAL_RESULTS_FILE);

  it('merges the results as the study did: rows in run order, parents and config hashes of the runs', () => {
    const merged = mergeEvalResults(parts, out, 'study');
    const back = readArtifact(out, EvalResultsArtifact);
    expect(back.rows).toEqual(parts.flatMap((p) => readArtifact(p, EvalResultsArtifact).rows));
    expect(back.lineage.configHash).toBe('a:b');
    expect(back.lineage.parents).toEqual(parts.map((p) => readArtifact(p, EvalResultsArtifact).lineage.artifactId));
    expect(merged.runsWithExamples).toBe(2);
  });

  it('merges the companions under the merged results', () => {
    const { lineage } = mergeEvalResults(parts, out, 'study');
    const examples = readArtifact(join(root, 'study', EVAL_EXAMPLES_FILE), EvalExamplesArtifact);
    expect(examples.rows).toHaveLength(syntheticExamples().length);
    expect(examples.lineage.parents[0]).toBe(lineage.artifactId);
    expect(readArtifact(join(root, 'study', EVAL_CELLS_FILE), EvalCellsArtifact).rows).toHaveLength(44);
  });

  it('leaves no stale companion when no run has one', () => {
    const bare = [run('c', 0, true)];
    const merged = mergeEvalResults(bare, out, 'study');
    expect(merged.runsWithExamples).toBe(0);
    expect(existsSync(join(root, 'study', EVAL_EXAMPLES_FILE))).toBe(false);
  });
});
