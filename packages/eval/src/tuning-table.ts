/**
 * The report's "Selected hyper-parameters" table: for every (k, seed) run, what dev selection chose for each trained
 * method — MeTA-LoRA's grid candidate (inner lr, inner steps, meta lr) and each baseline's learning rate — with the step
 * or iteration of the kept checkpoint against the budget and its dev loss. A kept step at the very end of its budget
 * says the run may not have converged (marked `end of budget`).
 */
import type { Table } from './report-tables.ts';

/** A row of stage2-meta's `meta-tuning` artifact (the fields shown). */
export interface MetaTuningChoice {
  readonly candidate: number;
  readonly innerLr: number;
  readonly innerSteps: number;
  readonly metaLr: number;
  readonly iterations: number;
  readonly bestIteration?: number | undefined;
  readonly bestDevLoss?: number | undefined;
  readonly selected: boolean;
}

/** The fields of a `baselines` row (stage2-meta) the table shows. */
export interface BaselineChoice {
  readonly method: string;
  readonly taskId: string;
  readonly lr: number;
  readonly steps: number;
  readonly bestStep: number;
  readonly devLossInitial?: number | undefined;
  readonly devLossBest?: number | undefined;
}

/** One run's choices. */
export interface RunTuning {
  readonly k: number;
  readonly seed: number;
  readonly metaTuning?: readonly MetaTuningChoice[];
  readonly baselines?: readonly BaselineChoice[];
}

const loss = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(4));

/**
 * @example
 * tuningTable([{ k: 16, seed: 0, metaTuning, baselines }]).rows.length; // one per candidate and baseline run
 */
export function tuningTable(runs: readonly RunTuning[]): Table {
  const rows: string[][] = [];
  for (const run of runs) {
    for (const c of run.metaTuning ?? []) {
      // The last iteration is always evaluated on dev: kept there, the dev loss was still falling when the run ended.
      const end = c.bestIteration !== undefined && c.bestIteration + 1 === c.iterations ? ' (end of budget)' : '';
      const best = c.bestIteration === undefined ? '—' : `${c.bestIteration + 1} of ${c.iterations}${end}`;
      rows.push([
        String(run.k),
        String(run.seed),
        'MeTA-LoRA',
        '*',
        `innerLr ${c.innerLr}, innerSteps ${c.innerSteps}, metaLr ${c.metaLr}`,
        best,
        loss(c.bestDevLoss),
        c.selected ? 'selected' : '',
      ]);
    }
    for (const b of run.baselines ?? []) {
      const end = b.bestStep === b.steps && b.steps > 0 ? ' (end of budget)' : '';
      rows.push([
        String(run.k),
        String(run.seed),
        b.method,
        b.taskId,
        `lr ${b.lr}`,
        `${b.bestStep} of ${b.steps}${end}`,
        `${loss(b.devLossInitial)} → ${loss(b.devLossBest)}`,
        'selected',
      ]);
    }
  }
  return {
    title: 'Selected hyper-parameters',
    note:
      'What dev selection chose for each trained method (docs/protocol.md): every MeTA-LoRA candidate of the grid ' +
      'with its best dev loss after adaptation (the lowest is evaluated), and the learning rate kept for each baseline ' +
      'from its grid (the other grid points are in train/baseline-tuning.arrow). Kept at: the meta-iteration or step of ' +
      'the evaluated checkpoint and the run’s length (early stopping ends a run before its budget); "end of budget" ' +
      'means the dev loss was still falling when the budget ran out.',
    header: ['k', 'Seed', 'Method', 'Task', 'Chosen', 'Kept at', 'Dev loss', ''],
    rows,
  };
}
