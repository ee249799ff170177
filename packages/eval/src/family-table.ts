/**
 * Scores by task family: for a suite whose tasks come in families (one task per family × language, as `multilingual`
 * has), the mean over each family's tasks of the seed-mean task scores, per method and k. Where a macro average hides
 * which tasks a gap comes from, this says which families carry it, and a family's mean sits beside its majority-class
 * rate.
 */
import { methodLabel, type Table } from './report-tables.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { mean } from './statistics.ts';
import type { ResultsSummary } from './summarize.ts';

/**
 * Per method and k, the mean score of each task family; null when no family has more than one task (the score tables
 * already say it all). A family some of whose tasks a method lacks shows —.
 *
 * @example
 * familyTable(summarizeResults(rows), rows)?.header; // ['Method', 'country-continent (10 tasks)', …, 'Mean']
 */
export function familyTable(s: ResultsSummary, rows: readonly EvalResultRow[]): Table | null {
  const familyOf = new Map(rows.map((r) => [r.taskId, r.family]));
  const families = [...new Set(s.taskIds.map((t) => familyOf.get(t) as string))].sort();
  const tasksOf = new Map(families.map((f) => [f, s.taskIds.filter((t) => familyOf.get(t) === f)]));
  if (families.length < 2 || ![...tasksOf.values()].some((tasks) => tasks.length > 1)) return null;
  // The cells come sorted by method, then k: the first cell of each (method, k) in order.
  const budgets = s.cells.filter((c, i) => i === 0 || c.method !== s.cells[i - 1]!.method || c.k !== s.cells[i - 1]!.k);
  const familyMean = (tasks: readonly string[], value: (taskId: string) => number | undefined) => {
    const values = tasks.map(value);
    return values.every((v) => v !== undefined) ? mean(values as number[]) : undefined;
  };
  const show = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
  const body = budgets.map(({ method, k }) => {
    const score = (t: string) => s.cells.find((c) => c.method === method && c.k === k && c.taskId === t)?.mean;
    return [
      methodLabel(method, k),
      ...families.map((f) => show(familyMean(tasksOf.get(f)!, score))),
      show(familyMean(s.taskIds, score)),
    ];
  });
  const majority = (t: string) =>
    s.cells.find((c) => c.taskId === t && c.majorityClassRate !== undefined)?.majorityClassRate;
  if (families.some((f) => familyMean(tasksOf.get(f)!, majority) !== undefined)) {
    body.push([
      'Majority class (test labels)',
      ...families.map((f) => show(familyMean(tasksOf.get(f)!, majority))),
      '—',
    ]);
  }
  return {
    title: 'Scores by task family',
    note:
      'Each family’s mean over its tasks of the per-task scores (primary metric, percent, mean over seeds); Mean is ' +
      'the macro average over all tasks. — : the method lacks a task of the family. The majority-class row averages ' +
      'the classification tasks’ majority-class rates.',
    header: ['Method', ...families.map((f) => `${f} (${tasksOf.get(f)!.length} tasks)`), 'Mean'],
    rows: body,
  };
}
