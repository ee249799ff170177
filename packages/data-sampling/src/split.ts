/**
 * Deterministic train/dev/test splits by content hash — no RNG, so a split never depends on a seed, on file order or
 * on which other tasks were built.
 *
 * Each example has a split key (by default its normalized input) inside a split scope (by default its task). The
 * distinct keys of a scope are ranked by sha256(scope, key); the first `testSize` keys are test, the next `devSize`
 * dev, the rest train. Multilingual families use the entity as key and the family as scope (the country code, the
 * number), so one entity sits in the same split in every language and cross-lingual transfer is measured on unseen
 * entities. Within a task, inputs with equal near-duplicate keys (`normalizeText`) are merged first (dropped
 * altogether when their targets disagree), so no input — exact or near-duplicate — appears in two splits.
 */
import { hashString, sha256Hex } from '@meta-lora/artifacts';
import { type Example, SPLITS, type Split } from './example.ts';
import { exampleIdOf, normalizeText } from './normalize.ts';

/** An example before its split is known. */
export interface RawExample {
  readonly taskId: string;
  readonly family: string;
  readonly language: string;
  readonly input: string;
  readonly target: string;
  readonly choices?: readonly string[];
  /** The source text the prompt was made from (a review, a word); its normalized form is the near-duplicate key. */
  readonly text: string;
  /** Examples with equal keys in one scope share a split. Default: `normalizeText(text)`. */
  readonly splitKey?: string;
  /** Default: the task id. */
  readonly splitScope?: string;
  /** A split fixed by the data (user files); such examples are not ranked. */
  readonly split?: Split;
}

/** Split sizes, in distinct split keys per scope. */
export interface SplitSizes {
  readonly testSize: number;
  readonly devSize: number;
  /** Train examples kept per task (the first ones in hash order): the "full data" budget. */
  readonly maxFullTrain: number;
}

/**
 * Test and dev sizes for a scope of `n` distinct keys: the configured sizes when at least `testSize` keys are left for
 * train, else 40% and 20%.
 *
 * @example
 * splitCounts(252, { testSize: 200, devSize: 100, maxFullTrain: 2000 }); // { test: 100, dev: 50 }
 */
export function splitCounts(n: number, sizes: SplitSizes): { test: number; dev: number } {
  if (n >= 2 * sizes.testSize + sizes.devSize) return { test: sizes.testSize, dev: sizes.devSize };
  return { test: Math.floor(0.4 * n), dev: Math.floor(0.2 * n) };
}

/**
 * Deduplicates near-duplicate inputs per task (unless `dedupe: false`, for user data whose duplicates are the user's
 * choice) and assigns every example a split.
 *
 * @example
 * const examples = assignSplits(raw, { testSize: 200, devSize: 100, maxFullTrain: 2000 });
 */
export function assignSplits(
  raw: readonly RawExample[],
  sizes: SplitSizes,
  options: { dedupe?: boolean } = {},
): Example[] {
  return assignSplitsWithSources(raw, sizes, options).map(({ example }) => example);
}

/**
 * `assignSplits`, keeping each example's raw source (for held-out text lists).
 *
 * @example
 * const [{ example, source }] = assignSplitsWithSources(raw, sizes);
 */
export function assignSplitsWithSources(
  raw: readonly RawExample[],
  sizes: SplitSizes,
  options: { dedupe?: boolean } = {},
): { example: Example; source: RawExample }[] {
  const norms = new Map<RawExample, string>();
  for (const ex of raw) norms.set(ex, normalizeText(ex.text));
  const kept = options.dedupe === false ? [...raw] : dedupe(raw, norms);
  const rank = new Map<RawExample, string>();
  const byScope = new Map<string, RawExample[]>();
  for (const ex of kept) {
    const scope = ex.splitScope ?? ex.taskId;
    const key = ex.splitKey ?? norms.get(ex)!;
    rank.set(ex, sha256Hex(`${scope}\0${key}`));
    if (ex.split === undefined) push(byScope, scope, ex);
  }
  const assigned = new Map<RawExample, Split>();
  for (const members of byScope.values()) {
    const keys = [...new Set(members.map((ex) => rank.get(ex)!))].sort();
    const { test, dev } = splitCounts(keys.length, sizes);
    const splitOf = new Map(keys.map((key, i) => [key, i < test ? 'test' : i < test + dev ? 'dev' : 'train'] as const));
    for (const ex of members) assigned.set(ex, splitOf.get(rank.get(ex)!)!);
  }
  const byTask = new Map<string, { ex: RawExample; split: Split; rank: string }[]>();
  for (const ex of kept) push(byTask, ex.taskId, { ex, split: ex.split ?? assigned.get(ex)!, rank: rank.get(ex)! });
  const out: { example: Example; source: RawExample }[] = [];
  for (const taskId of [...byTask.keys()].sort()) {
    const items = byTask.get(taskId)!.sort((a, b) => compare(a.rank, b.rank) || compare(a.ex.input, b.ex.input));
    for (const split of SPLITS) {
      const inSplit = items.filter((item) => item.split === split);
      const capped = split === 'train' ? inSplit.slice(0, sizes.maxFullTrain) : inSplit;
      for (const { ex } of capped) {
        const example: Example = {
          exampleId: exampleIdOf(taskId, ex.input, ex.target),
          taskId,
          family: ex.family,
          language: ex.language,
          split,
          input: ex.input,
          target: ex.target,
          ...(ex.choices ? { choices: [...ex.choices] } : {}),
        };
        out.push({ example, source: ex });
      }
    }
  }
  return out;
}

/**
 * At most `limit` examples per task, chosen by a cheap content hash (FNV-1a of the text): a deterministic thinning of
 * very large sources (44,000 Brown sentences) before the sha256 ranking, so a suite builds in seconds.
 *
 * @example
 * const thinned = thinPerTask(raw, 9200);
 */
export function thinPerTask(raw: readonly RawExample[], limit: number): RawExample[] {
  const byTask = new Map<string, RawExample[]>();
  for (const ex of raw) push(byTask, ex.taskId, ex);
  const out: RawExample[] = [];
  for (const members of byTask.values()) {
    if (members.length <= limit) {
      out.push(...members);
      continue;
    }
    const keyed = members.map((ex) => ({ ex, h: hashString(ex.text) }));
    keyed.sort((a, b) => a.h - b.h || compare(a.ex.text, b.ex.text));
    out.push(...keyed.slice(0, limit).map((k) => k.ex));
  }
  return out;
}

/** Keeps one example per (task, near-duplicate key); drops keys whose examples disagree on the target. */
function dedupe(raw: readonly RawExample[], norms: ReadonlyMap<RawExample, string>): RawExample[] {
  const groups = new Map<string, RawExample[]>();
  for (const ex of raw) push(groups, `${ex.taskId}\0${norms.get(ex)!}`, ex);
  const kept: RawExample[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.every((ex) => ex.target === first.target && ex.split === first.split)) kept.push(first);
  }
  return kept;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
