import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifact } from '@meta-lora/artifacts';
import { createTinyModel, initBackend, loadPeftAdapter } from '@meta-lora/lora-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BaselinesArtifact, trainBaselines } from './baselines.ts';
import { parseMetaConfig } from './config.ts';
import { syntheticExample } from './test-tasks.ts';

await initBackend({ quiet: true });

const model = createTinyModel(13);
afterAll(() => model.dispose());

const full = [0, 1].map((t) => ({
  taskId: `t${t}`,
  examples: [3, 4, 5, 6, 7, 8, 9].map((x) => syntheticExample(t, x)),
}));
const pool = full.map((t) => ({ taskId: t.taskId, examples: t.examples.slice(0, 3) }));

describe('trainBaselines', () => {
  it('trains single-task, multi-task-full and multi-task-pool adapters that lower their loss and load as PEFT', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'baselines-'));
    const config = parseMetaConfig({
      lora: { r: 2, loraAlpha: 4, targetModules: 'all-linear' },
      baselines: { steps: 15, batchSize: 4, lr: 0.02 },
    });
    const rows = await trainBaselines({ model, config, fullTrain: full, pool, runDir, configHash: 'test' });
    expect(rows.map((r) => `${r.method}:${r.taskId}`)).toEqual([
      'single-task:t0',
      'single-task:t1',
      'multi-task-full:*',
      'multi-task-pool:*',
    ]);
    for (const r of rows) expect(r.lossLast).toBeLessThan(r.lossFirst);
    expect(rows.map((r) => r.examples)).toEqual([7, 7, 14, 6]);
    expect(readArtifact(join(runDir, 'baselines.arrow'), BaselinesArtifact).rows).toEqual(rows);
    loadPeftAdapter(join(runDir, rows[3]!.adapterDir), model, 'pool').dispose();
  });
});
