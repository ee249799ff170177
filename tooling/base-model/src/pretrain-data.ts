/**
 * The data of pretraining, ready to train on: the corpus built with the task suites' dev/test examples excluded, and
 * encoded (or read from the token cache) with the model directory's tokenizer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { loadTokenizer, type Tokenizer } from '@meta-lora/lora-core';
import { buildCorpus } from './corpus.ts';
import type { SpecialTokenIds } from './pretrain.ts';
import { suiteExclusions } from './suite-exclusions.ts';
import { cachedTokenStreams, type TokenStreamInfo, type TokenStreams } from './token-stream.ts';

export interface PretrainData {
  readonly streams: TokenStreams;
  readonly info: TokenStreamInfo;
  readonly tokenizer: Tokenizer;
  readonly tokens: SpecialTokenIds;
}

/**
 * @example
 * const data = await pretrainData({ tokenizerDir: '../../models/meta-lora-base', cacheDir: '.cache' });
 */
export async function pretrainData(options: {
  readonly tokenizerDir: string;
  readonly cacheDir: string;
  readonly log?: (line: string) => void;
}): Promise<PretrainData> {
  const log = options.log ?? (() => {});
  const tokenizer = await loadTokenizer(options.tokenizerDir);
  if (!tokenizer) {
    throw new MetaLoraError('CONFIG_INVALID', `no tokenizer.json in ${options.tokenizerDir}`, {
      path: options.tokenizerDir,
      fix: 'train it first: pnpm --filter @meta-lora/base-model run train-tokenizer',
    });
  }
  const { bosTokenId, eosTokenId, padTokenId } = tokenizer;
  if (bosTokenId === undefined || eosTokenId === undefined || padTokenId === undefined) {
    throw new MetaLoraError('TOKENIZER_INVALID', `the tokenizer in ${options.tokenizerDir} lacks BOS, EOS or PAD`, {
      path: options.tokenizerDir,
      fix: 'use the tokenizer written by train-tokenizer (<|endoftext|> is BOS and EOS, <|pad|> is PAD)',
    });
  }
  let start = performance.now();
  const excludeTexts = suiteExclusions();
  log(`${excludeTexts.length} exclusion strings from the task suites in ${seconds(start)}`);
  start = performance.now();
  const corpus = buildCorpus({ excludeTexts });
  log(
    `corpus: ${corpus.train.length} train and ${corpus.heldOut.length} held-out chunks; dropped ` +
      `${corpus.stats.excludedParagraphs} paragraphs and ${corpus.stats.excludedChunks} chunks holding suite examples (${seconds(start)})`,
  );
  const { streams, info, cached } = cachedTokenStreams(corpus, {
    cacheDir: options.cacheDir,
    tokenizerJson: readFileSync(join(options.tokenizerDir, 'tokenizer.json')),
    encode: (text) => tokenizer.encode(text, { addSpecialTokens: false }),
    eosId: eosTokenId,
    exclusionStrings: excludeTexts.length,
    log,
  });
  if (cached)
    log(`token streams ${info.key} from the cache: ${info.trainTokens} train, ${info.heldOutTokens} held-out`);
  return { streams, info, tokenizer, tokens: { bosTokenId, eosTokenId, padTokenId } };
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
