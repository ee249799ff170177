/**
 * `throughput [--config FILE] [--vocab-size N] [--hidden-size N] [--intermediate-size N] [--layers N] [--heads N] [--kv-heads N]
 * [--seq-len N] [--batch-size N] [--steps N] [--data-parallel N]`: parameters and training tokens/s of a config (one JSON
 * line).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type BackendChoice, initBackend } from '@meta-lora/lora-core';
import { intFlag, readConfigJson } from './command-flags.ts';
import { parsePretrainConfig } from './pretrain-config.ts';
import { measureThroughput } from './throughput.ts';

/**
 * @example
 * await throughputCommand(['--hidden-size', '192', '--layers', '6', '--steps', '8']);
 */
export async function throughputCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'hidden-size': { type: 'string' },
      'intermediate-size': { type: 'string' },
      'vocab-size': { type: 'string' },
      layers: { type: 'string' },
      heads: { type: 'string' },
      'kv-heads': { type: 'string' },
      'seq-len': { type: 'string' },
      'batch-size': { type: 'string' },
      steps: { type: 'string', default: '8' },
      'data-parallel': { type: 'string' },
      backend: { type: 'string' },
    },
    strict: true,
  });
  const input = (values.config ? readConfigJson(values.config) : {}) as {
    model?: Record<string, unknown>;
    train?: Record<string, unknown>;
  };
  const pick = (entries: [string, string | undefined, string][]) =>
    Object.fromEntries(entries.flatMap(([key, v, flag]) => (v === undefined ? [] : [[key, intFlag(v, flag)]])));
  const config = parsePretrainConfig(
    {
      model: {
        ...input.model,
        ...pick([
          ['hiddenSize', values['hidden-size'], '--hidden-size'],
          ['intermediateSize', values['intermediate-size'], '--intermediate-size'],
          ['vocabSize', values['vocab-size'], '--vocab-size'],
          ['numHiddenLayers', values.layers, '--layers'],
          ['numAttentionHeads', values.heads, '--heads'],
          ['numKeyValueHeads', values['kv-heads'], '--kv-heads'],
        ]),
      },
      train: {
        ...input.train,
        ...pick([
          ['seqLen', values['seq-len'], '--seq-len'],
          ['batchSize', values['batch-size'], '--batch-size'],
        ]),
      },
    },
    values.config ?? 'flags',
  );
  const backend = await initBackend(values.backend ? { backend: values.backend as BackendChoice } : {});
  const steps = intFlag(values.steps, '--steps') as number;
  const dataParallel = intFlag(values['data-parallel'], '--data-parallel', 0, 2);
  const result = await measureThroughput(config, steps, dataParallel === undefined ? {} : { dataParallel });
  const m = config.model;
  const t = config.train;
  process.stdout.write(
    `${JSON.stringify({
      vocabSize: m.vocabSize,
      hiddenSize: m.hiddenSize,
      intermediateSize: m.intermediateSize,
      layers: m.numHiddenLayers,
      heads: m.numAttentionHeads,
      kvHeads: m.numKeyValueHeads,
      seqLen: t.seqLen,
      batchSize: t.batchSize,
      parameters: result.parameters,
      steps: result.steps,
      tokensPerSecond: Math.round(result.tokensPerSecond),
      secondsPerStep: Number(result.secondsPerStep.toFixed(3)),
      tokensPerCpuSecond: Math.round(result.tokensPerCpuSecond),
      steadyTokensPerSecond: Math.round(result.steadyTokensPerSecond),
      steadyTokensPerCpuSecond: Math.round(result.steadyTokensPerCpuSecond),
      blasThreads: dataParallel ? 'OpenBLAS, 1 thread in each data-parallel worker' : backend.matmul,
      dataParallel: dataParallel ?? 0,
      loadAverage: Number(loadavg()[0]?.toFixed(2)),
      backend: backend.name,
    })}\n`,
  );
}
