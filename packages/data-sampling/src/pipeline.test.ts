import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArtifact } from '@meta-lora/artifacts';
import { tempDir } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { parseDataConfig } from './config.ts';
import { EpisodesArtifact } from './episodes.ts';
import { TasksArtifact } from './example.ts';
import { inspectArtifact } from './inspect.ts';
import { runDataBuild, runDataSample } from './pipeline.ts';
import { countWords } from './test-fixtures.ts';

function userFile(): string {
  const dir = tempDir('meta-lora-pipeline');
  const rows = ['add', 'copy', 'negate'].flatMap((task) =>
    Array.from({ length: 60 }, (_, i) => JSON.stringify({ task, input: `${task} ${i} =`, output: ` ${i}` })),
  );
  const path = join(dir, 'tasks.jsonl');
  writeFileSync(path, rows.join('\n'));
  return path;
}

const path = userFile();
const config = (seed: number) =>
  parseDataConfig({
    suite: 'user',
    paths: [path],
    k: 12,
    seed,
    episodes: { iterations: 10, tasksPerBatch: 2, supportSize: 4, querySize: 4 },
  });

async function run(seed: number): Promise<string> {
  const dir = tempDir('meta-lora-run');
  await runDataBuild(config(seed), join(dir, 'tasks.arrow'));
  runDataSample(config(seed), join(dir, 'tasks.arrow'), dir, countWords);
  return dir;
}

describe('data pipeline', () => {
  it('writes byte-identical artifacts for equal seeds', async () => {
    const [a, b] = [await run(3), await run(3)];
    for (const name of ['tasks.arrow', 'pool.arrow', 'episodes.arrow', 'usage.arrow']) {
      expect({ name, same: readFileSync(join(a, name)).equals(readFileSync(join(b, name))) }).toEqual({
        name,
        same: true,
      });
    }
  });

  it('samples different episodes for different seeds', async () => {
    const [a, b] = [await run(1), await run(2)];
    const rows = (dir: string) => readArtifact(join(dir, 'episodes.arrow'), EpisodesArtifact).rows;
    expect(rows(a)).not.toEqual(rows(b));
  });

  it('chains lineage: episodes name the pool, the pool names the tasks', async () => {
    const dir = tempDir('meta-lora-run');
    const tasks = await runDataBuild(config(0), join(dir, 'tasks.arrow'));
    const { pool, episodes } = runDataSample(config(0), join(dir, 'tasks.arrow'), dir, countWords);
    expect([pool.parents, episodes.parents]).toEqual([[tasks.artifactId], [pool.artifactId]]);
  });

  it('refuses k larger than a task’s train split, naming the task', async () => {
    const dir = tempDir('meta-lora-run');
    const big = parseDataConfig({ suite: 'user', paths: [path], k: 30 });
    await runDataBuild(big, join(dir, 'tasks.arrow'));
    expect(() => runDataSample(big, join(dir, 'tasks.arrow'), dir, countWords)).toThrow(
      /k = 30 but task `add` has only 24 train examples[\s\S]*fix: lower k to at most 24/,
    );
  });

  it('wraps prompts in the chat template with promptFormat chat, keeping example ids', async () => {
    const dir = tempDir('meta-lora-chat');
    const chat = parseDataConfig({ ...config(0), promptFormat: 'chat' });
    await runDataBuild(chat, join(dir, 'chat.arrow'), { chatPrompt: (p) => `User: ${p}\nAssistant:` });
    await runDataBuild(config(0), join(dir, 'plain.arrow'));
    const wrapped = readArtifact(join(dir, 'chat.arrow'), TasksArtifact).rows;
    const plain = readArtifact(join(dir, 'plain.arrow'), TasksArtifact).rows;
    expect(wrapped[0]!.input).toBe(`User: ${plain[0]!.input}\nAssistant:`);
    expect(wrapped.map((e) => e.exampleId)).toEqual(plain.map((e) => e.exampleId));
  });

  it('refuses promptFormat chat without a chat template', async () => {
    const dir = tempDir('meta-lora-chat');
    const chat = parseDataConfig({ ...config(0), promptFormat: 'chat' });
    await expect(runDataBuild(chat, join(dir, 'tasks.arrow'))).rejects.toThrow(/no chat template/);
  });

  it('inspects counts per task and split', async () => {
    const dir = await run(0);
    expect(readArtifact(join(dir, 'tasks.arrow'), TasksArtifact).rows.length).toBe(180);
    expect(inspectArtifact(join(dir, 'tasks.arrow'))).toMatch(/kind: tasks[\s\S]*add\s+24\s+12\s+24\n/);
  });
});
