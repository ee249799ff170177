/**
 * Prompt/target examples → right-padded `TokenBatch`es for supervised fine-tuning, with HF's label convention: the
 * sequence is `prefix + prompt + target`, labels are the token ids on the target and -100 (IGNORE_INDEX) on the prefix,
 * the prompt and the padding, so the loss counts target tokens only (as TRL's completion-only collator does).
 *
 * Text examples are encoded as `[bos] + encode(input) + encode(target) + [eos]` (input and target encoded separately,
 * without special tokens). Too-long sequences lose prompt tokens from the left (the target and the prefix are kept);
 * a target that does not fit on its own is an error, never a silent cut.
 */
import { MetaLoraError, showValue } from '@meta-lora/artifacts';
import { IGNORE_INDEX, type TokenBatch } from '../train/loss.ts';
import type { Tokenizer } from './tokenizer.ts';

/** One example as token ids. `prefixIds` (BOS) is never truncated; `promptIds` is cut from the left when needed. */
export interface IdExample {
  readonly prefixIds?: readonly number[];
  readonly promptIds: readonly number[];
  /** The tokens the loss is computed on (EOS included when the encoder appends it). */
  readonly targetIds: readonly number[];
}

/** A text example: the prompt and the expected continuation (data-sampling's `Example` fits). */
export interface TextExample {
  readonly input: string;
  readonly target: string;
}

/** A batch plus the token accounting of the examples in it (after truncation). */
export interface ExampleBatch extends TokenBatch {
  /** Prefix + prompt tokens kept, summed over the batch. */
  readonly promptTokens: number;
  /** Target tokens (the loss targets), summed over the batch. */
  readonly targetTokens: number;
  /** Prompt tokens dropped by truncation, summed over the batch. */
  readonly truncatedTokens: number;
}

export interface BatchOptions {
  /** Longest sequence allowed; longer ones lose prompt tokens from the left. */
  readonly maxSeqLen: number;
  /** Id written into padded positions (their labels are -100, so any valid id works). */
  readonly padTokenId: number;
}

/** The tokenizer side `encodeExample` needs. */
export type ExampleTokenizer = Pick<Tokenizer, 'encode' | 'bosTokenId' | 'eosTokenId'>;

/**
 * Encodes a text example as `{ prefixIds: [bos], promptIds: encode(input), targetIds: encode(target) + [eos] }`.
 * BOS/EOS are added when the tokenizer defines them.
 *
 * @example
 * const ids = encodeExample(tokenizer, { input: 'Review: great\nSentiment:', target: ' positive' });
 */
export function encodeExample(tokenizer: ExampleTokenizer, example: TextExample): IdExample {
  const { bosTokenId: bos, eosTokenId: eos } = tokenizer;
  const targetIds = tokenizer.encode(example.target, { addSpecialTokens: false });
  if (eos !== undefined) targetIds.push(eos);
  return {
    prefixIds: bos === undefined ? [] : [bos],
    promptIds: tokenizer.encode(example.input, { addSpecialTokens: false }),
    targetIds,
  };
}

/**
 * Builds one right-padded batch from id examples (padded to the longest kept sequence, at most `maxSeqLen`).
 *
 * @example
 * const batch = idExampleBatch([{ promptIds: [5, 6], targetIds: [7, 2] }], { maxSeqLen: 64, padTokenId: 0 });
 * batch.labels; // Int32Array [-100, -100, 7, 2]
 */
export function idExampleBatch(examples: readonly IdExample[], options: BatchOptions): ExampleBatch {
  const { maxSeqLen, padTokenId } = options;
  if (examples.length === 0) {
    throw new MetaLoraError('EMPTY_TASK', 'cannot build a batch from zero examples', {
      fix: 'pass at least one example (check the support/query sizes and the task pool)',
    });
  }
  if (!Number.isInteger(maxSeqLen) || maxSeqLen < 2) {
    throw new MetaLoraError('CONFIG_INVALID', `maxSeqLen must be an integer ≥ 2, got ${showValue(maxSeqLen)}`, {
      field: 'maxSeqLen',
      value: maxSeqLen,
      fix: 'set maxSeqLen to at least the longest target plus BOS (e.g. 256)',
    });
  }
  let promptTokens = 0;
  let targetTokens = 0;
  let truncatedTokens = 0;
  const rows = examples.map((ex, i) => {
    const prefix = ex.prefixIds ?? [];
    if (ex.targetIds.length === 0) {
      throw new MetaLoraError('EMPTY_TASK', `example ${i} has an empty target: there is nothing to learn from it`, {
        field: 'target',
        fix: 'drop examples whose target encodes to zero tokens',
      });
    }
    const fixed = prefix.length + ex.targetIds.length;
    if (fixed > maxSeqLen) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `example ${i}: its target (${ex.targetIds.length} tokens) plus prefix (${prefix.length}) does not fit maxSeqLen = ${maxSeqLen}`,
        {
          field: 'maxSeqLen',
          value: maxSeqLen,
          fix: `raise maxSeqLen to at least ${fixed + 1}, or shorten the target`,
        },
      );
    }
    const keep = Math.min(ex.promptIds.length, maxSeqLen - fixed);
    const prompt = ex.promptIds.slice(ex.promptIds.length - keep);
    truncatedTokens += ex.promptIds.length - keep;
    promptTokens += prefix.length + prompt.length;
    targetTokens += ex.targetIds.length;
    return { context: [...prefix, ...prompt], target: ex.targetIds };
  });
  const T = Math.max(...rows.map((r) => r.context.length + r.target.length));
  const B = rows.length;
  const inputIds = new Int32Array(B * T).fill(padTokenId);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  rows.forEach((row, b) => {
    inputIds.set(row.context, b * T);
    inputIds.set(row.target, b * T + row.context.length);
    labels.set(row.target, b * T + row.context.length);
  });
  return { batchSize: B, seqLen: T, inputIds, labels, promptTokens, targetTokens, truncatedTokens };
}

/**
 * Encodes text examples with `tokenizer` and batches them. The pad id is the tokenizer's PAD, else EOS, else 0.
 *
 * @example
 * const batch = exampleBatch(tokenizer, [{ input: 'Q: 2+2?\nA:', target: ' 4' }], { maxSeqLen: 256 });
 */
export function exampleBatch(
  tokenizer: ExampleTokenizer & Pick<Tokenizer, 'padTokenId'>,
  examples: readonly TextExample[],
  options: { readonly maxSeqLen: number },
): ExampleBatch {
  const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
  return idExampleBatch(
    examples.map((e) => encodeExample(tokenizer, e)),
    { maxSeqLen: options.maxSeqLen, padTokenId },
  );
}
