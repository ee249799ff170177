/**
 * The commands of `@meta-lora/base-model`:
 *
 * - `tokenizer --out DIR [--corpus v1|v2] [--vocab-size 4096] [--model-max-length 1024] [--exclude-file FILE]…`
 * - `pretrain --out DIR [--run-dir DIR] [--config FILE] [--max-steps N] [--seed N] [--max-minutes M]
 *   [--stop-after-step N] [--resume] [--init-from DIR] [--data-parallel N] [--export]` (see `pretrain-command.ts`)
 * - `eval --model DIR [--seq-len N] [--windows N] [--batch-size N]` (see `eval-command.ts`)
 * - `throughput [--hidden-size N] [--layers N] … [--steps N] [--data-parallel N]` (see `throughput-command.ts`)
 *
 * `tokenizer`:
 * Builds the pretraining corpus (`--corpus`, default v1; v2 also drops every dev/test example of the task suites, as
 * pretraining does, while v1 is kept as it was trained), trains the byte-level BPE on its train split, checks that `@huggingface/tokenizers`
 * loads the result and encodes the held-out split exactly as the trainer's encoder does, then writes
 * `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json` and `TOKENIZER.md` into DIR (each file
 * atomically; other files in DIR, such as model weights, are left alone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { isMetaLoraError, MetaLoraError, writeFileAtomic } from '@meta-lora/artifacts';
import { buildCorpus, corpusFlag } from './corpus.ts';
import { evalCommand } from './eval-command.ts';
import { pretrainCommand } from './pretrain-command.ts';
import { suiteExclusions } from './suite-exclusions.ts';
import { throughputCommand } from './throughput-command.ts';
import { buildTokenizerFiles, writeTokenizerFiles } from './tokenizer-files.ts';
import { tokenizerReport } from './tokenizer-report.ts';
import { trainTokenizer } from './train-tokenizer.ts';

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new MetaLoraError('CONFIG_INVALID', `${flag} must be a positive integer, got ${JSON.stringify(value)}`, {
      field: flag,
      value,
      fix: `pass e.g. ${flag} 4096`,
    });
  }
  return n;
}

/** Each line of an exclude file is one string that must not appear in the corpus. */
function readExcludes(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0),
  );
}

function tokenizerCommand(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      corpus: { type: 'string', default: 'v1' },
      'vocab-size': { type: 'string', default: '4096' },
      'model-max-length': { type: 'string', default: '1024' },
      'exclude-file': { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  if (!values.out) {
    throw new MetaLoraError('CONFIG_INVALID', '--out is required', {
      field: '--out',
      fix: 'pass the model directory, e.g. --out ../../models/meta-lora-base',
    });
  }
  const vocabSize = positiveInt(values['vocab-size'], '--vocab-size');
  const modelMaxLength = positiveInt(values['model-max-length'], '--model-max-length');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const corpusName = corpusFlag(values.corpus);
  const corpusStart = performance.now();
  const excludeTexts = [...readExcludes(values['exclude-file']), ...(corpusName === 'v1' ? [] : suiteExclusions())];
  const corpus = buildCorpus({ corpus: corpusName, excludeTexts });
  const corpusSeconds = (performance.now() - corpusStart) / 1000;
  log(
    `corpus: ${corpus.train.length} train and ${corpus.heldOut.length} held-out chunks in ${corpusSeconds.toFixed(1)} s`,
  );

  const trained = trainTokenizer(corpus, {
    vocabSize,
    onProgress: (done, wanted) => log(`merges ${done}/${wanted}`),
  });
  log(`trained ${trained.model.merges.length} merges in ${trained.trainSeconds.toFixed(1)} s`);

  const files = buildTokenizerFiles(trained.model, { modelMaxLength });
  const hf = new Tokenizer(files['tokenizer.json'] as object, files['tokenizer_config.json'] as object);
  for (const doc of corpus.heldOut) {
    const ours = trained.encoder.encode(doc.text);
    const theirs = hf.encode(doc.text, { add_special_tokens: false }).ids;
    if (ours.length !== theirs.length || ours.some((id, i) => id !== theirs[i])) {
      throw new MetaLoraError(
        'TOKENIZER_INVALID',
        `@huggingface/tokenizers encodes held-out chunk ${doc.id} differently`,
        {
          field: doc.id,
          fix: 'this is a bug in the trainer or the tokenizer.json writer',
        },
      );
    }
    if (hf.decode(theirs) !== doc.text) {
      throw new MetaLoraError('TOKENIZER_INVALID', `held-out chunk ${doc.id} does not round-trip`, { field: doc.id });
    }
  }
  log(`@huggingface/tokenizers matches the trainer's encoder on all ${corpus.heldOut.length} held-out chunks`);

  writeTokenizerFiles(values.out, files);
  writeFileAtomic(
    join(values.out, 'TOKENIZER.md'),
    tokenizerReport(corpus, trained, { corpusSeconds, vocabSize, corpusName }),
  );
  log(`wrote ${values.out}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // pnpm run forwards a literal `--` before the script's arguments.
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  if (command === 'tokenizer') return tokenizerCommand(args);
  if (command === 'pretrain') return pretrainCommand(args);
  if (command === 'eval') return evalCommand(args);
  if (command === 'throughput') return throughputCommand(args);
  throw new MetaLoraError('CONFIG_INVALID', `unknown command ${JSON.stringify(command ?? '')}`, {
    value: command,
    fix: 'use: tsx src/cli.ts tokenizer|pretrain|eval|throughput …',
  });
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!isMetaLoraError(error)) throw error;
  process.stderr.write(`error [${error.code}]: ${error.message}\n`);
  process.exitCode = 1;
}
