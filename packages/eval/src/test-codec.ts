/**
 * A character-level codec for the 32-token tiny test model: BOS 1, EOS 2, `a`–`z` 3–28, space 29, newline 30, `.` 31.
 * Test-only (not exported from the package).
 */
import type { TextCodec } from './text-codec.ts';

const CHARS = 'abcdefghijklmnopqrstuvwxyz \n.';

export const charCodec: TextCodec = {
  eosTokenId: 2,
  encode(text, options = {}) {
    const ids = [...text].map((c) => {
      const i = CHARS.indexOf(c);
      if (i < 0) throw new Error(`test codec cannot encode ${JSON.stringify(c)}`);
      return i + 3;
    });
    return (options.addSpecialTokens ?? true) ? [1, ...ids] : ids;
  },
  decode(ids, options = {}) {
    return ids.map((id) => (id >= 3 ? CHARS[id - 3] : options.skipSpecialTokens ? '' : `<${id}>`)).join('');
  },
};
