/**
 * Macro-F1 beside accuracy for the classification tasks. A classifier that predicts one label for every test example
 * scores that label's share of the test set in accuracy, which can look like learning; macro-F1 averages the F1 of
 * every label, so such a classifier stays low (1 / labels × 2·share / (1 + share)). A secondary metric: the
 * comparisons and the headline use the primary one.
 */
import { METHODS, type Method } from './conditions.ts';
import { meanStd, methodLabel, type Table } from './report-tables.ts';
import type { EvalResultRow } from './results-artifact.ts';
import { mean, sampleStd } from './statistics.ts';

/**
 * Per method and k: the mean over classification tasks of macro-F1, mean ± sample std over seeds; null when no row
 * has it.
 *
 * @example
 * macroF1Table(rows)?.rows[0]; // ['Base, zero-shot', '21.4']
 */
export function macroF1Table(rows: readonly EvalResultRow[]): Table | null {
  const scored = rows.filter((r) => r.taskType === 'classification' && r.macroF1 !== undefined);
  if (scored.length === 0) return null;
  const tasks = new Set(scored.map((r) => r.taskId)).size;
  const groups = new Map<string, { method: Method; k: number | undefined; bySeed: Map<number, number[]> }>();
  for (const r of scored) {
    const key = `${METHODS.indexOf(r.method)}:${r.k ?? 0}`;
    const g = groups.get(key) ?? { method: r.method, k: r.k, bySeed: new Map() };
    g.bySeed.set(r.seed, [...(g.bySeed.get(r.seed) ?? []), r.macroF1 as number]);
    groups.set(key, g);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => {
    const [ma, ka] = a.split(':').map(Number) as [number, number];
    const [mb, kb] = b.split(':').map(Number) as [number, number];
    return ma - mb || ka - kb;
  });
  return {
    title: 'Classification macro-F1',
    note:
      `Macro-F1 over the labels of each classification task (${tasks} tasks), averaged over those tasks; mean ± std ` +
      'over seeds. A method that predicts one label for everything keeps a low macro-F1 whatever its accuracy. ' +
      'Secondary to the primary metric (docs/protocol.md).',
    header: ['Method', 'Tasks', 'Seeds', 'Macro-F1'],
    rows: ordered.map(([, g]) => {
      const perSeed = [...g.bySeed.values()].map(mean);
      const [m, sd] = [mean(perSeed), perSeed.length > 1 ? sampleStd(perSeed) : 0];
      const taskCount = Math.max(...[...g.bySeed.values()].map((v) => v.length));
      return [methodLabel(g.method, g.k), String(taskCount), String(perSeed.length), meanStd(m, sd, perSeed.length)];
    }),
  };
}
