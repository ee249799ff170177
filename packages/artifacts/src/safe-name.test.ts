import { describe, expect, it } from 'vitest';
import { MetaLoraError } from './errors.ts';
import { assertSafeName, isSafeName, safeSegment } from './safe-name.ts';

describe('safe names', () => {
  it.each(['sentiment', 'country-capital', 'pos_tag.v2', 'A1', 'перевод', '翻訳', 'x'.repeat(128)])(
    'accepts %s',
    (name) => {
      expect(isSafeName(name)).toBe(true);
    },
  );

  it.each([
    ['a traversal', '../../../../outside/x'],
    ['a dot-dot segment', '..'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows path', 'C:\\temp\\x'],
    ['a backslash', 'a\\b'],
    ['a NUL byte', 'a\u0000b'],
    ['a slash', 'a/b'],
    ['a leading dot', '.hidden'],
    ['a space', 'my task'],
    ['the empty string', ''],
    ['10,000 characters', 'x'.repeat(10_000)],
    ['a double dot inside', 'a..b'],
  ])('refuses %s', (_, name) => {
    expect(isSafeName(name)).toBe(false);
    expect(() => safeSegment(name, 'task id')).toThrow(MetaLoraError);
  });

  it('names the file, line, field and a safe suggestion in the error', () => {
    try {
      assertSafeName('../../outside/x', 'task id', { path: 'data.jsonl', line: 3, field: 'task' });
      expect.unreachable();
    } catch (error) {
      const e = error as MetaLoraError;
      expect(e.code).toBe('DATA_INVALID');
      expect(e.details).toMatchObject({ path: 'data.jsonl', line: 3, field: 'task' });
      expect(e.details.fix).toContain('"outside-x"');
    }
  });
});
