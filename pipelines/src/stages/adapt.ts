/**
 * Stage `adapt`: per-task stage-1 adaptation of the meta-trained shared adapter on each task's k-shot pool (the same
 * k examples MeTA-LoRA saw), written as one PEFT adapter per task.
 */
import { join } from 'node:path';
import { MetaLoraError, Rng, readArtifact } from '@meta-lora/artifacts';
import { PoolArtifact } from '@meta-lora/data-sampling';
import { encodeExample, loadModel, loadPeftAdapter, savePeftAdapter } from '@meta-lora/lora-core';
import { adaptTask } from '@meta-lora/stage1-adapt';
import type { LoadedExperiment } from '../experiment.ts';
import { modelDir, stageDir, writeResolvedConfig } from '../run-dir.ts';

export async function runAdaptStage(exp: LoadedExperiment, log: (line: string) => void): Promise<void> {
  const out = stageDir(exp, 'adapt');
  writeResolvedConfig(exp, 'adapt');
  const pool = readArtifact(join(stageDir(exp, 'data'), 'pool.arrow'), PoolArtifact);
  const dir = modelDir(exp);
  const { model, tokenizer, fingerprint } = await loadModel(dir);
  try {
    if (!tokenizer) {
      throw new MetaLoraError('TOKENIZER_INVALID', `${dir} has no tokenizer.json`, {
        path: dir,
        fix: 'use a model with a tokenizer',
      });
    }
    const shared = loadPeftAdapter(join(stageDir(exp, 'train'), 'adapters', 'shared'), model, 'shared');
    const byTask = new Map<string, typeof pool.rows>();
    for (const row of pool.rows) byTask.set(row.taskId, [...(byTask.get(row.taskId) ?? []), row]);
    const root = Rng.fromSeed(exp.config.train.seed);
    for (const [taskId, rows] of [...byTask.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const { adapter, supportLosses } = adaptTask(
        model,
        shared,
        rows.map((e) => encodeExample(tokenizer, e)),
        exp.config.train.adapt,
        root.fork(`adapt:${taskId}`),
        taskId,
      );
      await savePeftAdapter(adapter, join(out, taskId), {
        baseModelNameOrPath: exp.config.experiment.model,
        metadata: {
          base_model_fingerprint: fingerprint,
          task: taskId,
          k: String(rows.length),
          exampleIds: rows.map((e) => e.exampleId).join(','),
          supportLosses: JSON.stringify(supportLosses),
        },
      });
      adapter.dispose();
      const trail =
        supportLosses.length > 0 ? `${supportLosses[0]!.toFixed(3)} → ${supportLosses.at(-1)!.toFixed(3)}` : '-';
      log(`adapted ${taskId} on ${rows.length} examples (support loss ${trail})`);
    }
    shared.dispose();
  } finally {
    model.dispose();
  }
}
