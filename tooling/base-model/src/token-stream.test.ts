import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Corpus } from './corpus.ts';
import { cachedTokenStreams, packDocuments } from './token-stream.ts';

const bytes = (text: string) => [...new TextEncoder().encode(text)].map((b) => b + 2);
const dir = mkdtempSync(join(tmpdir(), 'token-stream-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = (id: string, text: string) => ({ id, source: 's', language: 'en' as const, text });
const corpus = (text: string): Corpus => ({
  train: [doc('s/a#0', text), doc('s/b#0', 'ok')],
  heldOut: [doc('s/c#0', 'zz')],
  stats: {} as Corpus['stats'],
});

describe('token streams', () => {
  it('packs documents each behind an EOS', () => {
    expect([...packDocuments([{ text: 'ab' }, { text: 'c' }], bytes, 0)]).toEqual([0, 99, 100, 0, 101]);
  });

  it('reads a second request from the cache and re-encodes when the text changes', () => {
    const options = { cacheDir: dir, tokenizerJson: '{}', encode: bytes, eosId: 0, exclusionStrings: 0 };
    const first = cachedTokenStreams(corpus('hello'), options);
    const again = cachedTokenStreams(corpus('hello'), options);
    expect([first.cached, again.cached]).toEqual([false, true]);
    expect(again.streams).toEqual(first.streams);
    expect([...again.streams.heldOut]).toEqual([0, 124, 124]);
    const changed = cachedTokenStreams(corpus('hellO'), options);
    expect(changed.cached).toBe(false);
    expect(changed.info.key).not.toBe(first.info.key);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });
});
