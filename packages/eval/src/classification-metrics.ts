/**
 * Accuracy and macro-F1 of predicted labels. Macro-F1 averages the per-class F1 over the classes that occur in the
 * gold labels or the predictions (scikit-learn's `f1_score(average='macro')` with `labels=None`). The majority-class
 * rate is the accuracy of always predicting the most frequent gold label: the floor a trained classifier must beat.
 */
import { MetaLoraError } from '@meta-lora/artifacts';

/**
 * Fraction of positions where `predicted[i] === gold[i]`.
 *
 * @example
 * accuracy(['a', 'b', 'a'], ['a', 'a', 'a']); // 2/3
 */
export function accuracy(predicted: readonly string[], gold: readonly string[]): number {
  checkLengths(predicted, gold);
  let hits = 0;
  predicted.forEach((p, i) => {
    if (p === gold[i]) hits++;
  });
  return hits / predicted.length;
}

/**
 * Unweighted mean of per-class F1 over the classes that occur in `gold` or `predicted` (scikit-learn's
 * `f1_score(average='macro')`). A class with no true positives has F1 = 0.
 *
 * @example
 * macroF1(['a', 'a', 'b'], ['a', 'b', 'b']); // (2/3 + 2/3) / 2
 */
export function macroF1(predicted: readonly string[], gold: readonly string[]): number {
  checkLengths(predicted, gold);
  const classes = [...new Set([...gold, ...predicted])].sort();
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    predicted.forEach((p, i) => {
      const g = gold[i];
      if (p === c && g === c) tp++;
      else if (p === c) fp++;
      else if (g === c) fn++;
    });
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.length;
}

/**
 * Share of the most frequent gold label (scikit-learn's `DummyClassifier(strategy='most_frequent')` accuracy).
 *
 * @example
 * majorityClassRate(['a', 'b', 'a', 'a']); // 0.75
 */
export function majorityClassRate(gold: readonly string[]): number {
  checkLengths(gold, gold);
  const counts = new Map<string, number>();
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  return Math.max(...counts.values()) / gold.length;
}

function checkLengths(predicted: readonly string[], gold: readonly string[]): void {
  if (predicted.length !== gold.length || predicted.length === 0) {
    throw new MetaLoraError(
      'SHAPE_MISMATCH',
      `classification metrics need equal, non-zero numbers of predictions and gold labels, got ${predicted.length} and ${gold.length}`,
      { field: 'predicted', value: predicted.length, fix: 'score every test example exactly once' },
    );
  }
}
