/**
 * The token streams of pretraining: each split of the corpus encoded once with the model's tokenizer, documents packed
 * as `<|endoftext|> doc <|endoftext|> doc …` into one Uint16Array (the vocabulary is below 65,536), and cached as raw
 * little-endian binary files keyed by a hash of the tokenizer and the corpus text, so later runs (and `eval`) skip the
 * encoding.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, writeFileAtomic } from '@meta-lora/artifacts';
import type { Corpus, CorpusDocument, CorpusStats } from './corpus.ts';

/** Encoded corpus splits. */
export interface TokenStreams {
  readonly train: Uint16Array;
  readonly heldOut: Uint16Array;
}

/** What the cache records next to the streams (the model card reads it). */
export interface TokenStreamInfo {
  readonly key: string;
  readonly trainTokens: number;
  readonly heldOutTokens: number;
  readonly trainDocuments: number;
  readonly heldOutDocuments: number;
  readonly stats: CorpusStats;
  readonly exclusionStrings: number;
}

/** Encodes text to ids without special tokens. */
export type EncodeFn = (text: string) => readonly number[];

/**
 * Packs documents into one stream, each preceded by `eosId`.
 *
 * @example
 * packDocuments([{ text: 'ab' }, { text: 'c' }], (t) => [...t].map((c) => c.charCodeAt(0)), 0); // [0, 97, 98, 0, 99]
 */
export function packDocuments(
  docs: readonly Pick<CorpusDocument, 'text'>[],
  encode: EncodeFn,
  eosId: number,
): Uint16Array {
  const parts: Uint16Array[] = [];
  let total = 0;
  for (const doc of docs) {
    const ids = encode(doc.text);
    const part = new Uint16Array(ids.length + 1);
    part[0] = eosId;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!(id >= 0 && id < 65536)) {
        throw new MetaLoraError('TOKENIZER_INVALID', `token id ${id} does not fit a uint16 stream`, {
          value: id,
          fix: 'use a tokenizer with fewer than 65,536 tokens',
        });
      }
      part[i + 1] = id;
    }
    parts.push(part);
    total += part.length;
  }
  const out = new Uint16Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The corpus's token streams from `cacheDir`, encoding and caching them on a miss. The key covers the tokenizer file
 * bytes and every document's id and text, so a changed corpus, exclusion list or tokenizer never hits a stale cache.
 *
 * @example
 * const { streams, info } = cachedTokenStreams(corpus, { cacheDir: '.cache', tokenizerJson, encode, eosId: 0 });
 */
export function cachedTokenStreams(
  corpus: Corpus,
  options: {
    readonly cacheDir: string;
    /** The bytes of tokenizer.json (part of the cache key). */
    readonly tokenizerJson: string | Uint8Array;
    readonly encode: EncodeFn;
    readonly eosId: number;
    readonly exclusionStrings: number;
    readonly log?: (line: string) => void;
  },
): { streams: TokenStreams; info: TokenStreamInfo; cached: boolean } {
  const hash = createHash('sha256').update(options.tokenizerJson).update(`\0eos:${options.eosId}\0`);
  for (const [split, docs] of [
    ['train', corpus.train],
    ['heldOut', corpus.heldOut],
  ] as const) {
    for (const d of docs) hash.update(`${split}\0${d.id}\0${d.text}\0`);
  }
  const key = hash.digest('hex').slice(0, 16);
  const paths = {
    train: join(options.cacheDir, `tokens-${key}.train.u16`),
    heldOut: join(options.cacheDir, `tokens-${key}.heldout.u16`),
    info: join(options.cacheDir, `tokens-${key}.json`),
  };
  if (existsSync(paths.info) && existsSync(paths.train) && existsSync(paths.heldOut)) {
    const info = JSON.parse(readFileSync(paths.info, 'utf8')) as TokenStreamInfo;
    const streams = { train: readU16(paths.train), heldOut: readU16(paths.heldOut) };
    if (streams.train.length === info.trainTokens && streams.heldOut.length === info.heldOutTokens) {
      return { streams, info, cached: true };
    }
    options.log?.(`token cache ${key} is incomplete; encoding again`);
  }
  const start = performance.now();
  const streams = {
    train: packDocuments(corpus.train, options.encode, options.eosId),
    heldOut: packDocuments(corpus.heldOut, options.encode, options.eosId),
  };
  options.log?.(
    `encoded ${streams.train.length} train and ${streams.heldOut.length} held-out tokens in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  const info: TokenStreamInfo = {
    key,
    trainTokens: streams.train.length,
    heldOutTokens: streams.heldOut.length,
    trainDocuments: corpus.train.length,
    heldOutDocuments: corpus.heldOut.length,
    stats: corpus.stats,
    exclusionStrings: options.exclusionStrings,
  };
  writeFileAtomic(paths.train, u16Bytes(streams.train));
  writeFileAtomic(paths.heldOut, u16Bytes(streams.heldOut));
  writeFileAtomic(paths.info, `${JSON.stringify(info, null, 2)}\n`);
  return { streams, info, cached: false };
}

function u16Bytes(a: Uint16Array): Uint8Array {
  const out = new Uint8Array(a.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setUint16(i * 2, a[i] as number, true);
  return out;
}

function readU16(path: string): Uint16Array {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint16Array(bytes.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}
