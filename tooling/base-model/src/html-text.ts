/**
 * Plain text from an HTML page, good enough for pretraining text: the body only, script and style dropped, block
 * elements become paragraph breaks, other tags are removed, entities decoded and white space collapsed (kept in
 * `<pre>` blocks).
 */

const BLOCK =
  /<\/?(p|div|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|blockquote|pre|br|hr|section|article|header|footer|nav|title)\b[^>]*>/gi;

/** The named entities of plain HTML (UDHR's pages need no more): the XML ones but `&amp;`, and `&nbsp;`. */
export const BASIC_ENTITIES: Readonly<Record<string, string>> = { quot: '"', apos: "'", lt: '<', gt: '>', nbsp: ' ' };

/** The named entities that documentation pages use. */
const DOC_ENTITIES: Readonly<Record<string, string>> = {
  ...BASIC_ENTITIES,
  mdash: '—',
  ndash: '–',
  hellip: '…',
  copy: '©',
};

/**
 * Decodes numeric entities, then the `named` ones in order, then `&amp;` last (so `&amp;lt;` stays `&lt;`).
 *
 * @example
 * decodeEntities('a &amp; b &#x263A;'); // 'a & b ☺'
 */
export function decodeEntities(text: string, named: Readonly<Record<string, string>> = DOC_ENTITIES): string {
  let out = text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)));
  for (const [name, char] of Object.entries(named)) out = out.replaceAll(`&${name};`, char);
  return out.replaceAll('&amp;', '&');
}

/**
 * The paragraphs of an HTML page; `<pre>` blocks keep their lines.
 *
 * @example
 * htmlParagraphs('<body><h1>Title</h1><p>Some <em>text</em>.</p></body>'); // ['Title', 'Some text.']
 */
export function htmlParagraphs(html: string): string[] {
  const start = html.search(/<body\b/i);
  const body = (start >= 0 ? html.slice(start) : html)
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const out: string[] = [];
  // Pre blocks are cut out first so their line breaks survive.
  const parts = body.split(/(<pre\b[^>]*>[\s\S]*?<\/pre>)/i);
  for (const part of parts) {
    const pre = /^<pre\b/i.test(part);
    const text = part.replace(BLOCK, '\n\n').replace(/<[^>]+>/g, '');
    for (const block of decodeEntities(text).split(/\n\s*\n/)) {
      const cleaned = pre
        ? block.replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, '')
        : block.replace(/\s+/g, ' ').trim();
      if (cleaned.trim().length > 0) out.push(cleaned);
    }
  }
  return out;
}
