/**
 * `meta-lora generate`: text (or ids) continuation from a model directory, optionally with a PEFT adapter. Decoding
 * defaults come from the model's `generation_config.json` when it has one; flags override them.
 */
import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import { type GenerationConfig, generate, initBackend, loadModel, loadPeftAdapter } from '@meta-lora/lora-core';
import { type Command, intOption, numberOption, type ParsedArgs } from '../command.ts';
import { requireModelDir } from '../default-model.ts';

/** Used for whatever neither a flag nor the model's `generation_config.json` sets. */
export const DECODING_FALLBACKS = {
  maxNewTokens: 32,
  doSample: true,
  temperature: 0.8,
  topP: 0.95,
  repetitionPenalty: 1,
} as const;

export interface Decoding {
  readonly maxNewTokens: number;
  readonly greedy: boolean;
  readonly temperature: number;
  readonly topP: number;
  readonly repetitionPenalty: number;
}

/**
 * The decoding settings of one `generate` call: each from its flag, else the model's `generation_config.json`, else
 * `DECODING_FALLBACKS`. `--greedy` forces argmax and `--sample` forces sampling over the config's `do_sample`.
 *
 * @example
 * decodingOptions(args, loaded.generationConfig); // { maxNewTokens: 64, greedy: false, temperature: 0.8, … }
 */
export function decodingOptions(args: ParsedArgs, config: GenerationConfig | null): Decoding {
  const d = { ...DECODING_FALLBACKS, ...config };
  if (args.values.greedy === true && args.values.sample === true) {
    throw new MetaLoraError('CONFIG_INVALID', '--greedy and --sample contradict each other', {
      field: '--greedy',
      fix: 'pass at most one of --greedy and --sample',
    });
  }
  const greedy = args.values.greedy === true ? true : args.values.sample === true ? false : !d.doSample;
  return {
    maxNewTokens: intOption(args, 'max-new-tokens', d.maxNewTokens),
    greedy,
    temperature: numberOption(args, 'temperature', d.temperature),
    topP: numberOption(args, 'top-p', d.topP),
    repetitionPenalty: numberOption(args, 'repetition-penalty', d.repetitionPenalty),
  };
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'continue a prompt with a base model (and an optional LoRA adapter)',
  usage:
    'meta-lora generate [--model DIR] [--adapter DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] ' +
    '[--greedy | --sample] [--temperature T] [--top-p P] [--repetition-penalty X] [--seed N]\n' +
    "       decoding defaults come from the model's generation_config.json when it has one; flags override them",
  options: {
    model: {
      type: 'string',
      placeholder: 'DIR',
      description: 'Hugging Face model directory (default: the embedded model)',
    },
    adapter: { type: 'string', placeholder: 'DIR', description: 'PEFT adapter directory to apply' },
    prompt: {
      type: 'string',
      placeholder: 'TEXT',
      description: 'prompt text (needs a tokenizer.json in the model dir)',
    },
    'prompt-ids': { type: 'string', placeholder: 'IDS', description: 'prompt as comma-separated token ids' },
    'max-new-tokens': {
      type: 'string',
      placeholder: 'N',
      description: 'tokens to generate (default: max_new_tokens of generation_config.json, else 32)',
    },
    greedy: { type: 'boolean', description: 'argmax decoding, whatever do_sample in generation_config.json says' },
    sample: { type: 'boolean', description: 'sampling, whatever do_sample says (default: do_sample, else sampling)' },
    temperature: {
      type: 'string',
      placeholder: 'T',
      description: 'sampling temperature (default: temperature of generation_config.json, else 0.8)',
    },
    'top-p': {
      type: 'string',
      placeholder: 'P',
      description: 'nucleus sampling mass (default: top_p of generation_config.json, else 0.95)',
    },
    'repetition-penalty': {
      type: 'string',
      placeholder: 'X',
      description:
        'divide positive logits of ids already seen by X, multiply negative ones; 1 is off (default: repetition_penalty of generation_config.json, else 1)',
    },
    seed: { type: 'string', placeholder: 'N', description: 'sampling seed (default 0)' },
    backend: { type: 'string', placeholder: 'NAME', description: 'force a TF.js backend: tensorflow, wasm or cpu' },
  },
  async run(args) {
    const modelDir = requireModelDir(args.values.model as string | undefined);
    const backend = args.values.backend as string | undefined;
    await initBackend(backend ? { backend: backend as 'wasm' } : {});
    const { model, tokenizer, generationConfig } = await loadModel(modelDir);
    const decoding = decodingOptions(args, generationConfig);
    const adapterDir = args.values.adapter as string | undefined;
    const adapters = adapterDir ? [loadPeftAdapter(adapterDir, model, 'adapter')] : [];
    const text = args.values.prompt as string | undefined;
    const idsFlag = args.values['prompt-ids'] as string | undefined;
    if ((text === undefined) === (idsFlag === undefined)) {
      throw new MetaLoraError('CONFIG_INVALID', 'give exactly one of --prompt and --prompt-ids', {
        field: '--prompt',
        fix: 'e.g. --prompt "Once upon a time" or --prompt-ids 1,42,7',
      });
    }
    let promptIds: number[];
    if (text !== undefined) {
      if (!tokenizer) {
        throw new MetaLoraError(
          'TOKENIZER_INVALID',
          `${modelDir} has no tokenizer.json, so --prompt cannot be encoded`,
          {
            path: modelDir,
            fix: 'use --prompt-ids with token ids instead',
          },
        );
      }
      promptIds = tokenizer.encode(text, { addSpecialTokens: true });
    } else {
      promptIds = (idsFlag as string).split(',').map((s) => {
        const n = Number(s.trim());
        if (s.trim() === '' || !Number.isInteger(n)) {
          throw new MetaLoraError('CONFIG_INVALID', `--prompt-ids has a non-integer entry ${JSON.stringify(s)}`, {
            field: '--prompt-ids',
            value: idsFlag,
            fix: 'pass comma-separated integers, e.g. --prompt-ids 1,42,7',
          });
        }
        return n;
      });
    }
    const out = generate(model, promptIds, {
      ...decoding,
      rng: Rng.fromSeed(intOption(args, 'seed', 0)),
      adapters,
    });
    if (tokenizer) {
      process.stdout.write(
        `${text ?? tokenizer.decode(promptIds, { skipSpecialTokens: true })}${tokenizer.decode(out, { skipSpecialTokens: true })}\n`,
      );
    } else {
      process.stdout.write(`${[...promptIds, ...out].join(',')}\n`);
    }
    return 0;
  },
};
