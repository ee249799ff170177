/**
 * Length groups for a right-padded batch. A batch padded to its longest row spends compute on padding: a multi-task
 * batch that mixes 15-token antonyms with 150-token spam mails is mostly padding. Split into groups of similar length,
 * each run at its own width, the batch costs the sum over groups of `rows × width` plus a fixed cost per extra forward
 * pass. `lengthGroups` picks the split that minimises that sum exactly (a dynamic program over the rows sorted by
 * length), so a batch of equal lengths stays one group and runs as before.
 *
 * The groups change only which rows share a forward pass, never what a row computes: right padding never reaches a real
 * token under causal attention, and every row keeps its targets.
 */

/**
 * The length of each row of a right-padded batch that counts for the loss: one past its last labelled position (the
 * target ends the sequence), 0 for a row without labels.
 *
 * @example
 * rowLengths(Int32Array.from([-100, 7, 2, -100]), 2, 2); // [2, 0]
 */
export function rowLengths(labels: Int32Array, batchSize: number, seqLen: number, ignoreIndex = -100): number[] {
  const out: number[] = [];
  for (let b = 0; b < batchSize; b++) {
    let len = 0;
    for (let t = seqLen - 1; t >= 0; t--) {
      if (labels[b * seqLen + t] !== ignoreIndex) {
        len = t + 1;
        break;
      }
    }
    out.push(len);
  }
  return out;
}

/**
 * Splits rows into groups that minimise `Σ (rows in group × longest row in group) + overhead × groups`. Rows of length 0
 * are left out. Within a group, rows keep their batch order; groups come shortest first.
 *
 * @param lengths - tokens per row.
 * @param overhead - the fixed cost of one more forward pass, in tokens (how many tokens of work a pass costs besides
 *   its rows); larger values give fewer groups.
 *
 * @example
 * lengthGroups([15, 150, 14, 16], 32); // [[0, 2, 3], [1]]
 */
export function lengthGroups(lengths: readonly number[], overhead: number): number[][] {
  const order = lengths
    .map((len, i) => ({ len, i }))
    .filter((r) => r.len > 0)
    .sort((a, b) => a.len - b.len || a.i - b.i);
  const n = order.length;
  if (n === 0) return [];
  // best[j]: the cheapest split of the j shortest rows; cut[j]: where its last group starts.
  const best = new Float64Array(n + 1);
  const cut = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) {
    best[j] = Number.POSITIVE_INFINITY;
    const width = (order[j - 1] as { len: number }).len; // sorted: the last row is the group's longest
    for (let i = 0; i < j; i++) {
      const cost = (best[i] as number) + (j - i) * width + overhead;
      if (cost < (best[j] as number)) {
        best[j] = cost;
        cut[j] = i;
      }
    }
  }
  const groups: number[][] = [];
  for (let j = n; j > 0; j = cut[j] as number) {
    groups.unshift(
      order
        .slice(cut[j] as number, j)
        .map((r) => r.i)
        .sort((a, b) => a - b),
    );
  }
  return groups;
}
