/**
 * The languages of the multilingual suite: five Latin-script and five non-Latin-script languages (Cyrillic, Arabic,
 * Han, Japanese, Devanagari). The pretraining corpus builder uses the same list.
 */

/** ISO 639-1 codes of the multilingual suite, in a fixed order. */
export const MULTILINGUAL_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'ru', 'ar', 'zh', 'ja', 'hi'] as const;

export type Language = (typeof MULTILINGUAL_LANGUAGES)[number];

/** English names, used in prompts that ask for output in a language. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  it: 'Italian',
  ru: 'Russian',
  ar: 'Arabic',
  zh: 'Chinese',
  ja: 'Japanese',
  hi: 'Hindi',
};

/** A text is in the language's script when it has at least one letter of it (all Latin languages share one). */
export const SCRIPT_OF: Record<Language, RegExp> = {
  en: /\p{Script=Latin}/u,
  fr: /\p{Script=Latin}/u,
  de: /\p{Script=Latin}/u,
  es: /\p{Script=Latin}/u,
  it: /\p{Script=Latin}/u,
  ru: /\p{Script=Cyrillic}/u,
  ar: /\p{Script=Arabic}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u,
  hi: /\p{Script=Devanagari}/u,
};
