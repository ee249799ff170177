/**
 * Number tasks from n2words (cardinal numbers in 71 languages, rule-based, deterministic):
 * `number-words` (digits → English words, multitask suite), and per language L of the multilingual suite
 * `number-value.L` (words in L → digits: one target space for all languages) and `number-words.L` (digits → words in L).
 * The split key is the number itself, scoped to all number tasks, so a test number is unseen in every language.
 */
import { toCardinal as ar } from 'n2words/ar-SA';
import { toCardinal as de } from 'n2words/de-DE';
import { toCardinal as en } from 'n2words/en-US';
import { toCardinal as es } from 'n2words/es-ES';
import { toCardinal as fr } from 'n2words/fr-FR';
import { toCardinal as hi } from 'n2words/hi-IN';
import { toCardinal as it } from 'n2words/it-IT';
import { toCardinal as ja } from 'n2words/ja-JP';
import { toCardinal as ru } from 'n2words/ru-RU';
import { toCardinal as zh } from 'n2words/zh-Hans-CN';
import { LANGUAGE_NAMES, type Language } from '../languages.ts';
import { type ExampleFields, englishTask, languageTask, type TaskSource } from '../task-source.ts';

/** Numbers 0 … NUMBER_COUNT-1 are used. */
export const NUMBER_COUNT = 2000;

const CARDINAL: Record<Language, (n: number) => string> = {
  en: (n) => en(n),
  fr: (n) => fr(n),
  de: (n) => de(n),
  es: (n) => es(n),
  it: (n) => it(n),
  ru: (n) => ru(n),
  ar: (n) => ar(n),
  zh: (n) => zh(n, { formal: false }), // everyday numerals (四十二), not the financial ones (肆拾贰)
  ja: (n) => ja(n),
  hi: (n) => hi(n),
};

/**
 * `n` in words in `language`.
 *
 * @example
 * numberWords(42, 'fr'); // 'quarante-deux'
 */
export function numberWords(n: number, language: Language): string {
  return CARDINAL[language](n);
}

function numbers(): number[] {
  return Array.from({ length: NUMBER_COUNT }, (_, n) => n);
}

export const numberWordsTask = englishTask('number-words', {
  type: 'generation',
  template: 'Number: {digits}\nIn words: → " {words}"',
  dataPackage: 'n2words',
  load: (): ExampleFields[] =>
    numbers().map((n) => ({
      input: `Number: ${n}\nIn words:`,
      target: ` ${numberWords(n, 'en')}`,
      text: String(n),
    })),
});

/** `number-value.L`: words in L → digits. */
export function numberValueTask(language: Language): TaskSource {
  return languageTask('number-value', language, {
    type: 'generation',
    template: 'Number in words: {words in L}\nDigits: → " {digits}"',
    dataPackage: 'n2words',
    load: (): ExampleFields[] =>
      numbers().map((n) => {
        const words = numberWords(n, language);
        return {
          input: `Number in words: ${words}\nDigits:`,
          target: ` ${n}`,
          text: words,
          splitKey: String(n),
          splitScope: 'numbers',
        };
      }),
  });
}

/** `number-words.L`: digits → words in L (the prompt names L: the input alone does not say which language). */
export function numberWordsInTask(language: Language): TaskSource {
  const name = LANGUAGE_NAMES[language];
  return languageTask('number-words', language, {
    type: 'generation',
    template: 'Number: {digits}\nIn words ({language name}): → " {words in L}"',
    dataPackage: 'n2words',
    load: (): ExampleFields[] =>
      numbers().map((n) => ({
        input: `Number: ${n}\nIn words (${name}):`,
        target: ` ${numberWords(n, language)}`,
        text: `${n} ${name}`,
        splitKey: String(n),
        splitScope: 'numbers',
      })),
  });
}
