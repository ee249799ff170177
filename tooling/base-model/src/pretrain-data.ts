/**
 * The data of pretraining, ready to train on: the corpus built with the task suites' dev/test examples excluded, and
 * encoded (or read from the token cache) with the model directory's tokenizer; and the fixed text of the bits-per-byte
 * metric (the v2 corpus's held-out split, `bits-per-byte.ts`) under the same tokenizer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { loadTokenizer, type Tokenizer } from '@meta-lora/lora-core';
import { type BitsPerByteText, bitsPerByteText } from './bits-per-byte.ts';
import { buildCorpus, type CorpusName } from './corpus.ts';
import type { SpecialTokenIds } from './pretrain.ts';
import { suiteExclusions } from './suite-exclusions.ts';
import { cachedTokenStreams, type TokenStreamInfo, type TokenStreams } from './token-stream.ts';

export interface PretrainData {
  readonly streams: TokenStreams;
  readonly info: TokenStreamInfo;
  readonly tokenizer: Tokenizer;
  readonly tokens: SpecialTokenIds;
  /** The bits-per-byte text under this tokenizer. */
  readonly bitsPerByteText: BitsPerByteText;
}

/**
 * @example
 * const data = await pretrainData({ tokenizerDir: '../../models/meta-lora-base', cacheDir: '.cache' });
 */
export async function pretrainData(options: {
  readonly tokenizerDir: string;
  readonly cacheDir: string;
  /** Default v1. */
  readonly corpus?: CorpusName;
  readonly log?: (line: string) => void;
}): Promise<PretrainData> {
  const corpusName = options.corpus ?? 'v1';
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
  const corpus = buildCorpus({ corpus: corpusName, excludeTexts });
  log(
    `corpus ${corpusName}: ${corpus.train.length} train and ${corpus.heldOut.length} held-out chunks; dropped ` +
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
  start = performance.now();
  const heldOutV2 = corpusName === 'v2' ? corpus.heldOut : buildCorpus({ corpus: 'v2', excludeTexts }).heldOut;
  const text = bitsPerByteText(heldOutV2, (t) => tokenizer.encode(t, { addSpecialTokens: false }), eosTokenId);
  log(
    `bits-per-byte text: ${text.documents} v2 held-out chunks, ${text.bytes} bytes, ${text.stream.length} tokens (${seconds(start)})`,
  );
  return { streams, info, tokenizer, tokens: { bosTokenId, eosTokenId, padTokenId }, bitsPerByteText: text };
}

function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
