/**
 * Stage `adapt`: per-task stage-1 adaptation of the dev-selected shared adapter (`train/adapters/selected`) on each
 * task's k-shot pool (the same k examples MeTA-LoRA saw), with the selected candidate's stage-1 settings, written as
 * one PEFT adapter per task, plus `adaptation.arrow`: each task's whole-support-set loss before and after.
 */
import { join } from 'node:path';
import { configHash, MetaLoraError, Rng, readArtifact, safeSegment, writeArtifact } from '@meta-lora/artifacts';
import { PoolArtifact } from '@meta-lora/data-sampling';
import { encodeExample, loadModel, loadPeftAdapter, savePeftAdapter } from '@meta-lora/lora-core';
import {
  ADAPTATION_FILE,
  AdaptationArtifact,
  type AdaptationRow,
  adaptTask,
  targetLoss,
} from '@meta-lora/stage1-adapt';
import { selectedAdaptConfig } from '@meta-lora/stage2-meta';
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
    const train = stageDir(exp, 'train');
    const shared = loadPeftAdapter(join(train, 'adapters', 'selected'), model, 'shared');
    const adapt = selectedAdaptConfig(train, exp.config.train.adapt);
    const rowsOut: AdaptationRow[] = [];
    const byTask = new Map<string, typeof pool.rows>();
    for (const row of pool.rows) byTask.set(row.taskId, [...(byTask.get(row.taskId) ?? []), row]);
    const root = Rng.fromSeed(exp.config.train.seed);
    for (const [taskId, rows] of [...byTask.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const support = rows.map((e) => encodeExample(tokenizer, e));
      const { adapter, supportLosses } = adaptTask(model, shared, support, adapt, root.fork(`adapt:${taskId}`), taskId);
      const loss = { maxSeqLen: adapt.maxSeqLen, batchSize: adapt.innerBatchSize };
      const before = targetLoss(model, [shared], support, loss).loss;
      const after = targetLoss(model, [adapter], support, loss).loss;
      rowsOut.push({
        taskId,
        examples: support.length,
        innerLr: adapt.innerLr,
        innerSteps: adapt.innerSteps,
        supportLossBefore: before,
        supportLossAfter: after,
      });
      await savePeftAdapter(adapter, join(out, safeSegment(taskId, 'task id')), {
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
      log(`adapted ${taskId} on ${rows.length} examples (support loss ${before.toFixed(3)} → ${after.toFixed(3)})`);
    }
    shared.dispose();
    writeArtifact(join(out, ADAPTATION_FILE), AdaptationArtifact, rowsOut, {
      configHash: configHash({ adapt, seed: exp.config.train.seed, model: fingerprint }),
      seed: exp.config.train.seed,
      parents: [pool.lineage.artifactId],
      createdBy: '@meta-lora/pipelines adapt',
    });
  } finally {
    model.dispose();
  }
}
