import { beforeAll, describe, expect, it } from 'vitest';
import { parseDataConfig } from './config.ts';
import type { Example } from './example.ts';
import { heldOutTexts } from './held-out.ts';
import { MULTILINGUAL_LANGUAGES } from './languages.ts';
import { normalizeText } from './normalize.ts';
import { buildSuite } from './suites.ts';

const split = parseDataConfig({}).split;
const suites: Record<string, Example[]> = {};

beforeAll(() => {
  suites.multitask = buildSuite('multitask', { split });
  suites.multilingual = buildSuite('multilingual', { split });
}, 120_000);

function byTask(examples: Example[]): Map<string, Example[]> {
  const out = new Map<string, Example[]>();
  for (const e of examples) {
    const list = out.get(e.taskId);
    if (list) list.push(e);
    else out.set(e.taskId, [e]);
  }
  return out;
}

/** The input text without the task's fixed template, so near-duplicates are compared on content. */
function keysOf(examples: Example[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of examples) {
    const set = out.get(e.split) ?? new Set<string>();
    set.add(normalizeText(e.input));
    out.set(e.split, set);
  }
  return out;
}

describe.each(['multitask', 'multilingual'])('%s suite', (name) => {
  it('has no input, exact or near-duplicate, in two splits of a task', () => {
    for (const [taskId, examples] of byTask(suites[name]!)) {
      const keys = keysOf(examples);
      const pairs = [
        ['train', 'dev'],
        ['train', 'test'],
        ['dev', 'test'],
      ] as const;
      for (const [a, b] of pairs) {
        const shared = [...(keys.get(a) ?? [])].filter((k) => keys.get(b)?.has(k));
        expect({ taskId, a, b, shared: shared.slice(0, 3) }).toEqual({ taskId, a, b, shared: [] });
      }
    }
  });

  it('keeps the full-data train split within its cap', () => {
    for (const examples of byTask(suites[name]!).values()) {
      expect(examples.filter((e) => e.split === 'train').length).toBeLessThanOrEqual(split.maxFullTrain);
    }
  });

  it('gives every task with enough data a test split of at least testSize', () => {
    for (const [taskId, examples] of byTask(suites[name]!)) {
      if (taskId.startsWith('country-')) continue; // ~250 countries: 40% test
      expect({ taskId, test: examples.filter((e) => e.split === 'test').length }).toEqual({ taskId, test: 200 });
    }
  });

  it('keeps each target among its choices', () => {
    const bad = suites[name]!.filter((e) => e.choices && !e.choices.includes(e.target));
    expect(bad.slice(0, 2)).toEqual([]);
  });
});

describe('multitask suite', () => {
  it('has at least 8 tasks, both classification and generation', () => {
    const tasks = byTask(suites.multitask!);
    const classification = [...tasks.values()].filter((ex) => ex[0]!.choices).length;
    expect([tasks.size >= 8, classification >= 3, tasks.size - classification >= 3]).toEqual([true, true, true]);
  });
});

describe('multilingual suite', () => {
  it('has at least 3 families in every language of MULTILINGUAL_LANGUAGES', () => {
    for (const language of MULTILINGUAL_LANGUAGES) {
      const families = new Set(suites.multilingual!.filter((e) => e.language === language).map((e) => e.family));
      expect({ language, families: families.size >= 3 }).toEqual({ language, families: true });
    }
  });

  it('uses one label set per classification family across languages', () => {
    const labels = new Map<string, Set<string>>();
    for (const e of suites.multilingual!) {
      if (!e.choices) continue;
      labels.set(e.family, (labels.get(e.family) ?? new Set()).add(JSON.stringify(e.choices)));
    }
    expect([...labels.values()].map((s) => s.size)).toEqual([...labels.values()].map(() => 1));
  });

  it('puts one entity in the same split in every language', () => {
    const splitOf = new Map<string, Set<string>>();
    for (const e of suites.multilingual!.filter((x) => x.family === 'number-value')) {
      splitOf.set(e.target, (splitOf.get(e.target) ?? new Set()).add(e.split));
    }
    expect([...splitOf.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('includes non-Latin scripts', () => {
    const ja = suites.multilingual!.find((e) => e.taskId === 'valence.ja')!;
    expect(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ja.input)).toBe(true);
  });
});

describe('buildSuite', () => {
  it('is deterministic', () => {
    const again = buildSuite('multilingual', { split, languages: ['ja'] });
    expect(again).toEqual(suites.multilingual!.filter((e) => e.language === 'ja'));
  });
});

describe('heldOutTexts', () => {
  it('lists exactly the dev and test examples of both suites', () => {
    const expected = [...suites.multitask!, ...suites.multilingual!]
      .filter((e) => e.split !== 'train')
      .map((e) => `${e.taskId}\0${e.input}`)
      .sort();
    expect(
      heldOutTexts(split)
        .map((h) => `${h.taskId}\0${h.input}`)
        .sort(),
    ).toEqual(expected);
  }, 120_000);
});
