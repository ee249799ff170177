/**
 * Plain text from a manual page in roff (`man` macros), good enough for pretraining text: requests become paragraph
 * breaks (`.PP`, `.TP`, `.SH` …) or their text (`.B word` → `word`), font and size escapes are dropped, and the
 * common character escapes become their characters. Tables, macros and conditionals are not interpreted.
 */

/** Named roff characters (`\(xx`, `\[xx]`) that appear in manual pages. */
const NAMED: Readonly<Record<string, string>> = {
  em: '—',
  en: '–',
  hy: '-',
  lq: '“',
  rq: '”',
  oq: '‘',
  cq: '’',
  aq: "'",
  dq: '"',
  bu: '•',
  co: '©',
  rg: '®',
  tm: '™',
  de: '°',
  mu: '×',
  '<=': '≤',
  '>=': '≥',
  '->': '→',
  '<-': '←',
  Fo: '«',
  Fc: '»',
  fo: '‹',
  fc: '›',
  ti: '~',
  ha: '^',
  rs: '\\',
  sl: '/',
  ga: '`',
  aa: '´',
};

/** Requests that end a paragraph; the others are dropped or give their arguments as text. */
const BREAKS = new Set([
  'PP',
  'P',
  'LP',
  'TP',
  'IP',
  'HP',
  'SH',
  'SS',
  'sp',
  'br',
  'RS',
  'RE',
  'nf',
  'fi',
  'TQ',
  'EX',
  'EE',
]);
const TEXT_REQUESTS = new Set(['B', 'I', 'SM', 'SB', 'SH', 'SS', 'IP', 'TQ']);
/** Alternating-font requests (`.BR word ,`) join their arguments without spaces. */
const ALTERNATING = new Set(['BR', 'RB', 'IR', 'RI', 'BI', 'IB']);

/** Replaces roff escapes in one line of text. */
function roffUnescape(line: string): string {
  return line
    .replace(/\\f(\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\s[+-]?(\d|\(\d\d|\[\d+\])/g, '')
    .replace(/\\\*(\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\\[([^\]]+)\]|\\\((..)/g, (_m, long: string | undefined, short: string | undefined) => {
      const name = (long ?? short) as string;
      if (/^u[0-9A-Fa-f]{4,6}$/.test(name)) return String.fromCodePoint(Number.parseInt(name.slice(1), 16));
      return NAMED[name] ?? '';
    })
    .replace(/\\[&%c:|^,/]/g, '')
    .replace(/\\[ ~0]/g, ' ')
    .replace(/\\[-e]/g, (m) => (m === '\\-' ? '-' : '\\'))
    .replace(/\\(.)/g, '$1');
}

/** Splits request arguments, honouring double quotes. */
function requestArgs(rest: string): string[] {
  return [...rest.matchAll(/"((?:[^"]|"")*)"|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/""/g, '"'));
}

/**
 * The paragraphs of a manual page (lines joined with spaces inside a paragraph).
 *
 * @example
 * roffParagraphs('.SH NAME\nls \\- list directory contents\n.PP\nList \\fBfiles\\fR.'); // ['NAME', 'ls - list directory contents', 'List files.']
 */
export function roffParagraphs(source: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const text = current.join(' ').replace(/\s+/g, ' ').trim();
    if (text.length > 0) out.push(text);
    current = [];
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^[.'](\\"|\s*$)/.test(raw) || raw.startsWith('\\"')) continue;
    const request = /^[.']\s*([A-Za-z]{1,3})\b\s*(.*)$/.exec(raw);
    if (request) {
      const [, name, rest] = request as unknown as [string, string, string];
      if (BREAKS.has(name)) flush();
      const words = requestArgs(rest).map(roffUnescape);
      if (ALTERNATING.has(name)) current.push(words.join(''));
      // .IP's second argument is an indent.
      else if (TEXT_REQUESTS.has(name)) current.push(name === 'IP' ? (words[0] ?? '') : words.join(' '));
      if (name === 'SH' || name === 'SS') flush();
      continue;
    }
    if (raw.startsWith('.') || raw.startsWith("'")) continue;
    const line = roffUnescape(raw);
    if (line.trim().length === 0) flush();
    else current.push(line);
  }
  flush();
  return out;
}
