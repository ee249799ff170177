import { describe, expect, it } from 'vitest';
import { htmlParagraphs } from './html-text.ts';

describe('htmlParagraphs', () => {
  it('keeps the body text as paragraphs, pre blocks with their lines', () => {
    const html =
      '<html><head><title>T</title><style>p{}</style></head><body><h2>1. Titre</h2>' +
      '<div class="para">Un  <em>texte</em>\n  &amp; une suite&nbsp;!</div>' +
      '<pre class="screen">$ ls\nfile\n</pre><ul><li>un</li><li>deux</li></ul><script>x()</script></body></html>';
    expect(htmlParagraphs(html)).toEqual(['1. Titre', 'Un texte & une suite !', '$ ls\nfile', 'un', 'deux']);
  });
});
