/**
 * `eval --model DIR [--corpus v1|v2] [--seq-len N] [--windows N] [--batch-size N]`: the held-out loss of any model
 * directory on the held-out stream of the corpus (default v1), as the model card reports it, and its held-out bits
 * per byte on the fixed text of `bits-per-byte.ts` (the v2 held-out split), which compares models across tokenizers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MetaLoraError } from '@meta-lora/artifacts';
import { type BackendChoice, initBackend, loadModel } from '@meta-lora/lora-core';
import { measureBitsPerByte } from './bits-per-byte.ts';
import { intFlag } from './command-flags.ts';
import { corpusFlag } from './corpus.ts';
import { heldOutLoss } from './held-out-loss.ts';
import { CACHE_DIR } from './pretrain-command.ts';
import { parsePretrainConfig } from './pretrain-config.ts';
import { pretrainData } from './pretrain-data.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * @example
 * await evalCommand(['--model', '../../models/meta-lora-base']);
 */
export async function evalCommand(argv: string[]): Promise<void> {
  const defaults = parsePretrainConfig({}).train;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      tokenizer: { type: 'string' },
      corpus: { type: 'string', default: 'v1' },
      'seq-len': { type: 'string', default: String(defaults.seqLen) },
      windows: { type: 'string', default: String(defaults.evalWindows) },
      'batch-size': { type: 'string', default: String(defaults.batchSize) },
      backend: { type: 'string' },
    },
    strict: true,
  });
  if (!values.model || !existsSync(join(values.model, 'config.json'))) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `--model must be a model directory with config.json, got ${values.model}`,
      {
        field: '--model',
        value: values.model,
        fix: 'pass e.g. --model ../../models/meta-lora-base',
      },
    );
  }
  await initBackend(values.backend ? { backend: values.backend as BackendChoice } : {});
  const corpus = corpusFlag(values.corpus);
  const data = await pretrainData({ tokenizerDir: values.tokenizer ?? values.model, cacheDir: CACHE_DIR, corpus, log });
  const loaded = await loadModel(values.model);
  const seqLen = intFlag(values['seq-len'], '--seq-len') as number;
  const batchSize = intFlag(values['batch-size'], '--batch-size') as number;
  const result = heldOutLoss(loaded.model, data.streams.heldOut, {
    seqLen,
    windows: intFlag(values.windows, '--windows') as number,
    batchSize,
  });
  process.stdout.write(
    `held-out loss ${result.loss.toFixed(4)} (perplexity ${Math.exp(result.loss).toFixed(2)}) on ${result.tokens} tokens of corpus ${corpus}\n`,
  );
  const start = performance.now();
  const bpb = measureBitsPerByte(loaded.model, data.bitsPerByteText, { seqLen, batchSize });
  process.stdout.write(
    `held-out bits per byte ${bpb.bitsPerByte.toFixed(4)} on ${bpb.bytes} bytes (${bpb.tokens} tokens, ` +
      `${bpb.lossPerToken.toFixed(4)} nats/token) of the v2 held-out split, windows of ${seqLen + 1} tokens ` +
      `(${((performance.now() - start) / 1000).toFixed(1)} s)\n`,
  );
  loaded.model.dispose();
}
