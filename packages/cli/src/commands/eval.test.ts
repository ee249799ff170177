/**
 * `meta-lora eval` and `meta-lora report` end to end through `main`, on a tiny random model with the tiny byte-level
 * BPE tokenizer of the test fixtures (258 byte/special tokens + 3 merges), a two-task tasks artifact and a PEFT adapter.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { TasksArtifact } from '@meta-lora/data-sampling';
import { EvalResultsArtifact } from '@meta-lora/eval';
import { initBackend } from '@meta-lora/lora-core';
import { writeTinyAdapter, writeTinyModelDir } from '@meta-lora/test-fixtures';
import { tempDir } from '@meta-lora/vitest-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { flags, runCli } from '../test-cli.ts';

await initBackend({ quiet: true });
const root = tempDir('meta-lora-cli-eval');
const modelDir = join(root, 'model');
const runDir = join(root, 'run');

beforeAll(async () => {
  await writeTinyModelDir(modelDir, { seed: 5, tokenizer: 'tiny' });
  const lora = { r: 2, targetModules: ['q_proj'], initLoraWeights: false };
  await writeTinyAdapter(join(runDir, 'adapters', 'shared'), modelDir, { seed: 1, lora });

  const rows = ['the cat', 'the dog', 'a hat', 'a pen', 'the sun', 'a cup'].flatMap((text, i) => {
    const split = i < 2 ? ('train' as const) : ('test' as const);
    const common = { family: 'f', language: 'en', split };
    return [
      {
        ...common,
        exampleId: `c${i}`,
        taskId: 'article',
        input: `${text}\nArticle:`,
        target: i % 2 ? ' a' : ' the',
        choices: [' the', ' a'],
      },
      { ...common, exampleId: `g${i}`, taskId: 'echo', input: `Say ${text}:`, target: ` ${text}` },
    ];
  });
  writeArtifact(join(runDir, 'tasks.arrow'), TasksArtifact, rows, {
    configHash: 'x',
    seed: 0,
    parents: [],
    createdBy: 'test',
  });
  writeFileSync(
    join(runDir, 'eval-plan.json'),
    JSON.stringify({
      conditions: [
        { method: 'base-zero-shot', seed: 0, k: null },
        {
          method: 'meta-lora-shared',
          seed: 0,
          k: 2,
          adapterDir: 'adapters/shared',
          examplesUsed: { article: 2, echo: 2 },
          tokensUsed: { article: 20, echo: 18 },
        },
      ],
      maxNewTokens: 3,
    }),
  );
  mkdirSync(join(runDir, 'meta'), { recursive: true });
  writeFileSync(
    join(runDir, 'meta', 'metrics.jsonl'),
    '{"iteration":1,"metaLoss":5.2}\n{"iteration":2,"metaLoss":4.9}\n',
  );
});

const cli = runCli;

describe('meta-lora eval / report', () => {
  it('scores the plan and writes the results and the report', async () => {
    const r = await cli(['eval', '--run', runDir, '--model', modelDir, '--report', '--workers', '0']);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/eval 4\/4 meta-lora-shared k=2 seed=0 echo: exactMatch/);
    const { rows } = readArtifact(join(runDir, 'eval-results.arrow'), EvalResultsArtifact);
    expect(rows.map((x) => `${x.method}/${x.taskId}`)).toEqual([
      'base-zero-shot/article',
      'base-zero-shot/echo',
      'meta-lora-shared/article',
      'meta-lora-shared/echo',
    ]);
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('## Scores at k = 2');
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
  });

  it('writes byte-identical results with --workers 2 (cells scored in worker threads)', async () => {
    const out = join(root, 'pooled.arrow');
    const r = await cli(['eval', '--run', runDir, '--model', modelDir, '--out', out, '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/eval 4\/4 /);
    expect(Buffer.compare(readFileSync(out), readFileSync(join(runDir, 'eval-results.arrow')))).toBe(0);
  });

  it('rewrites the report alone with `meta-lora report RUN_DIR`', async () => {
    const out = join(root, 'report-only');
    const r = await cli(['report', runDir, '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Training curves: meta/metrics.jsonl');
  });

  it('fails with exit code 2 and a clear message when the plan is missing', async () => {
    const empty = join(root, 'empty-run');
    mkdirSync(empty, { recursive: true });
    const r = await cli(['eval', '--run', empty, '--model', modelDir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/eval-plan\.json: the evaluation plan not found/);
    const rep = await cli(['report', empty]);
    expect(rep.code).toBe(2);
    expect(rep.err).toMatch(/no eval-results\.arrow to report on/);
  });

  it('adapts to a task of a JSONL file, then scores that adapter on the task’s test split in one command', async () => {
    const words = ['the cat', 'the dog', 'a hat', 'a pen', 'the sun', 'a cup', 'the map', 'a box', 'the car', 'a bed'];
    const rows = words.map((text, i) => ({
      task: 'article',
      input: `${text}\nArticle:`,
      output: text.startsWith('the') ? ' the' : ' a',
      choices: [' the', ' a'],
      split: i < 6 ? 'train' : 'test',
    }));
    const data = join(root, 'mine.jsonl');
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n'));
    const adapted = join(root, 'my-adapter');
    const shared = join(runDir, 'adapters', 'shared');
    /** `command` on the task `article` of `data` with the fixture model, plus `more` flags. */
    const onArticle = (command: string, more: Record<string, string>) =>
      cli([command, ...flags({ data, task: 'article', model: modelDir, ...more })]);
    const a = await onArticle('adapt', { shared, k: '4', out: adapted });
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const out = join(root, 'one-task.arrow');
    const r = await onArticle('eval', { adapter: adapted, out });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^article \(classification, 4 test examples\): accuracy \d+\.\d %, macro-F1 [\d.]+ %, target loss [\d.]+ nats\/token$/m,
    );
    const [row] = readArtifact(out, EvalResultsArtifact).rows;
    expect([row!.method, row!.k, row!.numTestExamples]).toEqual(['meta-lora-adapted', 4, 4]);
    // without --adapter: the base model on the same test split
    const base = await onArticle('eval', { out: join(root, 'base.arrow') });
    expect(base.code).toBe(0);
    expect(readArtifact(join(root, 'base.arrow'), EvalResultsArtifact).rows[0]!.method).toBe('base-zero-shot');
  });
});
