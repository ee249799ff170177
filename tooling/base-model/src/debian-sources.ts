/**
 * The Debian sources of the v2 corpus (packages pinned in `debian-package.ts`; install them with the command it
 * prints) and how each is cut into documents of paragraphs.
 *
 * | source | packages | languages | license |
 * | --- | --- | --- | --- |
 * | `gcide` | `dict-gcide` (GNU Collaborative International Dictionary of English: Webster 1913 + WordNet) | en | GPL-3+ |
 * | `foldoc` | `dict-foldoc` (Free On-line Dictionary of Computing) | en | GFDL-1.1+ |
 * | `jargon` | `dict-jargon` (the Jargon File 4.4.7) | en | public domain |
 * | `debian-handbook` | `debian-handbook` (The Debian Administrator's Handbook, HTML) | en fr de es it ru ar ja zh | GPL-2+ or CC-BY-SA-3.0 |
 * | `debian-reference` | `debian-reference-{en,de,es,fr,it,ja,zh-cn}` (Debian Reference, HTML) | en de es fr it ja zh | GPL-2+ |
 * | `manpages` | `manpages`, `manpages-dev` (Linux man-pages project, English) | en | per page: mostly GPL-2+, BSD and the "verbatim" man-pages license |
 * | `python-docs` | `python3.11-doc` (the Python 3.11 documentation, its reST sources) | en | PSF-2.0 |
 * | `fortunes` | `fortunes`, `fortunes-{de,es,it,ru}` (fortune cookie quotations) | en de es it ru | BSD-4-clause (en), GPL-2+ (de es ru), GPL (it) |
 * | `debian-docs` | `debian-faq[-de,-fr,-it,-zh-cn]`, `maint-guide[-es,-fr,-it,-ja,-ru,-zh-cn]` (plain-text editions), `developers-reference[-de,-fr,-ja]` (HTML) | en de es fr it ru ja zh | GPL-2+ (FAQ, developers-reference), GPL-2+/MIT (maint-guide) |
 * | `manpages-l10n` | `manpages-{de,es,fr,it,ru}` (manpages-l10n), `manpages-ja`, `manpages-zh` (translated manual pages) | de es fr it ru ja zh | GPL-3+ (l10n); ja: per page (mostly GPL/BSD/free doc licenses); zh: GFDL-1.2+ and GPL-2+ |
 */
import { lstatSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CorpusLanguage, CorpusSource, SourceDocument } from './corpus-sources.ts';
import { debianPackageFiles, debianPackageId } from './debian-package.ts';
import { htmlParagraphs } from './html-text.ts';
import { roffParagraphs } from './roff-text.ts';

const isFile = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/** dictd's base-64 numbers (index offsets and lengths). */
function dictNumber(text: string): number {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let n = 0;
  for (const c of text) n = n * 64 + digits.indexOf(c);
  return n;
}

/** The entries of a dictd database in file order, each as its raw text (headword line first). */
function dictEntries(pkg: string, name: string): string[] {
  const files = debianPackageFiles(pkg);
  const dictPath = files.find((f) => f.endsWith(`/${name}.dict.dz`)) as string;
  const indexPath = files.find((f) => f.endsWith(`/${name}.index`)) as string;
  const data = gunzipSync(readFileSync(dictPath));
  const offsets = new Map<number, number>();
  for (const line of readFileSync(indexPath, 'utf8').split('\n')) {
    const [word, offset, length] = line.split('\t');
    if (word === undefined || offset === undefined || length === undefined || word.startsWith('00')) continue;
    offsets.set(dictNumber(offset), dictNumber(length));
  }
  return [...offsets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([offset, length]) => data.subarray(offset, offset + length).toString('utf8'));
}

/** Paragraphs of a dictionary entry: blank-line separated, lines joined, source tags (`[1913 Webster]`) dropped. */
function entryParagraphs(entry: string, clean: (text: string) => string): string[] {
  return entry
    .replace(/^\s*\[[^\]\n]*\]\s*$/gm, '')
    .split(/\n\s*\n/)
    .map((p) => clean(p).replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
}

/** Dictionary entries grouped in file order into documents of `perDocument` entries. */
function dictSource(
  name: string,
  pkg: string,
  license: string,
  clean: (text: string) => string,
  perDocument = 100,
): CorpusSource {
  return {
    name,
    license,
    get package() {
      return debianPackageId(pkg);
    },
    read() {
      const entries = dictEntries(pkg, name);
      const docs: SourceDocument[] = [];
      for (let i = 0; i < entries.length; i += perDocument) {
        docs.push({
          source: name,
          key: String(i / perDocument).padStart(5, '0'),
          language: 'en',
          paragraphs: entries.slice(i, i + perDocument).flatMap((e) => entryParagraphs(e, clean)),
        });
      }
      return docs;
    },
  };
}

/** GCIDE markup: pronunciation `\Af*fect"\` dropped, cross-reference braces `{Fact}` removed. */
const gcide = dictSource('gcide', 'dict-gcide', 'GPL-3.0-or-later', (t) =>
  t.replace(/\\[^\\\n]*\\/g, '').replace(/[{}]/g, ''),
);
const foldoc = dictSource('foldoc', 'dict-foldoc', 'GFDL-1.1-or-later', (t) => t.replace(/[{}]/g, ''));
const jargon = dictSource('jargon', 'dict-jargon', 'public domain', (t) => t.replace(/[{}]/g, ''));

/** A source of several packages, each a list of (language, files). */
function multiPackageSource(
  name: string,
  license: string,
  parts: readonly { pkg: string; language: CorpusLanguage; keep: (path: string) => boolean }[],
  paragraphs: (path: string) => string[],
): CorpusSource {
  return {
    name,
    license,
    get package() {
      return [...new Set(parts.map((p) => p.pkg))].map(debianPackageId).join(', ');
    },
    read() {
      return parts.flatMap(({ pkg, language, keep }) =>
        debianPackageFiles(pkg, (p) => keep(p) && isFile(p)).map((path) => ({
          source: name,
          key: `${language}/${path}`,
          language,
          paragraphs: paragraphs(path),
        })),
      );
    },
  };
}

const HANDBOOK_LANGUAGES: [CorpusLanguage, string][] = [
  ['en', 'en-US'],
  ['fr', 'fr-FR'],
  ['de', 'de-DE'],
  ['es', 'es-ES'],
  ['it', 'it-IT'],
  ['ru', 'ru-RU'],
  ['ar', 'ar-MA'],
  ['zh', 'zh-CN'],
  ['ja', 'ja-JP'],
];

const debianHandbook = multiPackageSource(
  'debian-handbook',
  'GPL-2.0-or-later OR CC-BY-SA-3.0',
  HANDBOOK_LANGUAGES.map(([language, dir]) => ({
    pkg: 'debian-handbook',
    language,
    keep: (p: string) => p.includes(`/html/${dir}/`) && !p.includes('/Common_Content/') && p.endsWith('.html'),
  })),
  (path) => htmlParagraphs(readFileSync(path, 'utf8')),
);

const REFERENCE_LANGUAGES: [CorpusLanguage, string][] = [
  ['en', 'en'],
  ['de', 'de'],
  ['es', 'es'],
  ['fr', 'fr'],
  ['it', 'it'],
  ['ja', 'ja'],
  ['zh', 'zh-cn'],
];

const debianReference = multiPackageSource(
  'debian-reference',
  'GPL-2.0-or-later',
  REFERENCE_LANGUAGES.map(([language, code]) => ({
    pkg: `debian-reference-${code}`,
    language,
    keep: (p: string) => p.endsWith(`.${code}.html`) && basename(p) !== `index.${code}.html`,
  })),
  (path) => htmlParagraphs(readFileSync(path, 'utf8')),
);

/** A gzipped manual page's paragraphs; a `.so` redirection to another page gives none. */
function manPage(path: string): string[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  return /^\.so\s/m.test(text) && text.length < 200 ? [] : roffParagraphs(text);
}

const MANPAGE_PACKAGES: [CorpusLanguage, string, string][] = [
  ['de', 'manpages-de', '/usr/share/man/de/'],
  ['es', 'manpages-es', '/usr/share/man/es/'],
  ['fr', 'manpages-fr', '/usr/share/man/fr/'],
  ['it', 'manpages-it', '/usr/share/man/it/'],
  ['ru', 'manpages-ru', '/usr/share/man/ru/'],
  ['ja', 'manpages-ja', '/usr/share/man/ja/'],
  ['zh', 'manpages-zh', '/usr/share/man/zh_CN/'],
];

/** Translated manual pages (`.so` redirections skipped). */
const manpages = multiPackageSource(
  'manpages-l10n',
  'GPL-3.0-or-later (manpages-l10n); manpages-ja: per page, free; manpages-zh: GFDL-1.2-or-later, GPL-2.0-or-later',
  MANPAGE_PACKAGES.map(([language, pkg, dir]) => ({
    pkg,
    language,
    keep: (p: string) => p.startsWith(dir) && p.endsWith('.gz'),
  })),
  manPage,
);

/** English manual pages of the Linux man-pages project (`.so` redirections skipped). */
const manpagesEn = multiPackageSource(
  'manpages',
  'per page: GPL-2.0-or-later, BSD, Linux man-pages "verbatim" license',
  ['manpages', 'manpages-dev'].map((pkg) => ({
    pkg,
    language: 'en' as const,
    keep: (p: string) => /^\/usr\/share\/man\/man[0-9]/.test(p) && p.endsWith('.gz'),
  })),
  manPage,
);

/** The Python documentation's reST sources: prose paragraphs unwrapped, indented (code) blocks kept as lines. */
const pythonDocs = multiPackageSource(
  'python-docs',
  'PSF-2.0',
  [{ pkg: 'python3.11-doc', language: 'en', keep: (p: string) => p.includes('/_sources/') && p.endsWith('.rst.txt') }],
  (path) =>
    readFileSync(path, 'utf8')
      .split(/\n\s*\n/)
      .map((p) => (/^\s/.test(p) ? p.replace(/[ \t]+$/gm, '') : p.replace(/\s*\n\s*/g, ' ')))
      .filter((p) => p.trim().length > 0),
);

const FORTUNE_PACKAGES: [CorpusLanguage, string][] = [
  ['en', 'fortunes'],
  ['de', 'fortunes-de'],
  ['es', 'fortunes-es'],
  ['it', 'fortunes-it'],
  ['ru', 'fortunes-ru'],
];

/** Fortune files: one paragraph per `%`-separated entry, lines kept; ASCII-art files skipped. */
const fortunes = multiPackageSource(
  'fortunes',
  'BSD-4-Clause (en), GPL-2.0-or-later (de, es, ru), GPL (it)',
  FORTUNE_PACKAGES.map(([language, pkg]) => ({
    pkg,
    language,
    keep: (p: string) =>
      p.startsWith('/usr/share/games/fortunes/') && !/\.(dat|u8)$/.test(p) && !/(art|banner)[^/]*$/.test(p),
  })),
  (path) =>
    readFileSync(path, 'utf8')
      .split(/^%$/m)
      .map((p) => p.replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, ''))
      .filter((p) => p.trim().length > 0),
);

const DOC_PACKAGES: [CorpusLanguage, string, RegExp][] = [
  ['en', 'debian-faq', /debian-faq\.en\.txt\.gz$/],
  ['de', 'debian-faq-de', /debian-faq\.de\.txt\.gz$/],
  ['fr', 'debian-faq-fr', /debian-faq\.fr\.txt\.gz$/],
  ['it', 'debian-faq-it', /debian-faq\.it\.txt\.gz$/],
  ['zh', 'debian-faq-zh-cn', /debian-faq\.zh-cn\.txt\.gz$/],
  ['en', 'maint-guide', /maint-guide\.en\.txt\.gz$/],
  ['es', 'maint-guide-es', /maint-guide\.es\.txt\.gz$/],
  ['fr', 'maint-guide-fr', /maint-guide\.fr\.txt\.gz$/],
  ['it', 'maint-guide-it', /maint-guide\.it\.txt\.gz$/],
  ['ja', 'maint-guide-ja', /maint-guide\.ja\.txt\.gz$/],
  ['ru', 'maint-guide-ru', /maint-guide\.ru\.txt\.gz$/],
  ['zh', 'maint-guide-zh-cn', /maint-guide\.zh-cn\.txt\.gz$/],
  ['en', 'developers-reference', /^\/usr\/share\/developers-reference\/developers-reference\.html$/],
  ['de', 'developers-reference-de', /\/de\/developers-reference\.html$/],
  ['fr', 'developers-reference-fr', /\/fr\/developers-reference\.html$/],
  ['ja', 'developers-reference-ja', /\/ja\/developers-reference\.html$/],
];

/** Debian's FAQ and guides: the plain-text editions (wrapped prose, unwrapped here) and single-page HTML. */
const debianDocs = multiPackageSource(
  'debian-docs',
  'GPL-2.0-or-later (FAQ, developers-reference); GPL-2.0-or-later or MIT (maint-guide)',
  DOC_PACKAGES.map(([language, pkg, file]) => ({ pkg, language, keep: (p: string) => file.test(p) })),
  (path) =>
    path.endsWith('.html')
      ? htmlParagraphs(readFileSync(path, 'utf8'))
      : gunzipSync(readFileSync(path))
          .toString('utf8')
          .split(/\n\s*\n/)
          .map((p) => (/^\s{4,}/.test(p) ? p.replace(/[ \t]+$/gm, '') : p.replace(/\s*\n\s*/g, ' ').trim()))
          .filter((p) => p.trim().length > 0),
);

/** The Debian sources, in the order the v2 corpus appends them after the npm ones. */
export const DEBIAN_SOURCES: readonly CorpusSource[] = [
  gcide,
  foldoc,
  jargon,
  debianHandbook,
  debianReference,
  debianDocs,
  manpages,
  manpagesEn,
  pythonDocs,
  fortunes,
];
