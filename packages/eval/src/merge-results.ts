/**
 * Merges the evaluation artifacts of several runs (a study's (k, seed) variants) into one set: the `eval-results`
 * rows of every run, and the `eval-cells` and `eval-examples` rows of the runs that have them (runs from before those
 * artifacts existed have only results; their comparisons get no interval). The merged companions name the merged
 * results among their parents, as `evaluate` does, so `writeReport` accepts them; a run without any companion of a
 * kind leaves no merged file of that kind behind (a stale one from an earlier merge is removed).
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ArtifactKind, type Lineage, MetaLoraError, readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { EVAL_CELLS_FILE, EvalCellsArtifact } from './cells-artifact.ts';
import { EVAL_EXAMPLES_FILE, EvalExamplesArtifact } from './examples-artifact.ts';
import { type EvalResultRow, EvalResultsArtifact } from './results-artifact.ts';

export interface MergedResults {
  readonly rows: EvalResultRow[];
  readonly lineage: Lineage;
  /** Runs whose per-example results were merged, of all runs. */
  readonly runsWithExamples: number;
}

/**
 * @example
 * mergeEvalResults(['runs/x/study/k4-seed0/eval/eval-results.arrow', …], 'runs/x/study/eval/eval-results.arrow',
 *   '@meta-lora/pipelines study');
 */
export function mergeEvalResults(resultsPaths: readonly string[], outPath: string, createdBy: string): MergedResults {
  const parts = resultsPaths.map((path) => ({ path, results: readArtifact(path, EvalResultsArtifact) }));
  const rows = parts.flatMap((p) => p.results.rows);
  const lineage = writeArtifact(outPath, EvalResultsArtifact, rows, {
    configHash: parts.map((p) => p.results.lineage.configHash).join(':'),
    seed: null,
    parents: parts.map((p) => p.results.lineage.artifactId),
    createdBy,
  });
  const merge = <Row>(file: string, kind: ArtifactKind<Row>) => {
    const found = parts.flatMap(({ path, results }) => {
      const companion = join(dirname(path), file);
      if (!existsSync(companion)) return [];
      const artifact = readArtifact(companion, kind);
      if (!artifact.lineage.parents.includes(results.lineage.artifactId)) {
        throw new MetaLoraError('ARTIFACT_INVALID', `${kind.kind} artifact belongs to other eval-results`, {
          path: companion,
          field: 'parents',
          fix: `rerun eval for this run, or delete ${companion}`,
        });
      }
      return [artifact];
    });
    const out = join(dirname(outPath), file);
    if (found.length === 0) {
      rmSync(out, { force: true });
      return 0;
    }
    writeArtifact(
      out,
      kind,
      found.flatMap((a) => a.rows),
      {
        configHash: lineage.configHash,
        seed: null,
        parents: [lineage.artifactId, ...found.map((a) => a.lineage.artifactId)],
        createdBy,
      },
    );
    return found.length;
  };
  merge(EVAL_CELLS_FILE, EvalCellsArtifact);
  const runsWithExamples = merge(EVAL_EXAMPLES_FILE, EvalExamplesArtifact);
  return { rows, lineage, runsWithExamples };
}
