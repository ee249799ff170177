/** `meta-lora generate`: text (or ids) continuation from a model directory, optionally with a PEFT adapter. */
import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import { generate, initBackend, loadModel, loadPeftAdapter } from '@meta-lora/lora-core';
import { type Command, intOption, numberOption } from '../command.ts';
import { requireModelDir } from '../default-model.ts';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'continue a prompt with a base model (and an optional LoRA adapter)',
  usage:
    'meta-lora generate [--model DIR] [--adapter DIR] (--prompt TEXT | --prompt-ids 1,2,3) [--max-new-tokens N] [--greedy]',
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
    'max-new-tokens': { type: 'string', placeholder: 'N', description: 'tokens to generate (default 32)' },
    greedy: { type: 'boolean', description: 'argmax decoding instead of sampling' },
    temperature: { type: 'string', placeholder: 'T', description: 'sampling temperature (default 0.8)' },
    'top-p': { type: 'string', placeholder: 'P', description: 'nucleus sampling mass (default 0.95)' },
    seed: { type: 'string', placeholder: 'N', description: 'sampling seed (default 0)' },
    backend: { type: 'string', placeholder: 'NAME', description: 'force a TF.js backend: tensorflow, wasm or cpu' },
  },
  async run(args) {
    const modelDir = requireModelDir(args.values.model as string | undefined);
    const backend = args.values.backend as string | undefined;
    await initBackend(backend ? { backend: backend as 'wasm' } : {});
    const { model, tokenizer } = await loadModel(modelDir);
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
    const greedy = args.values.greedy === true;
    const out = generate(model, promptIds, {
      maxNewTokens: intOption(args, 'max-new-tokens', 32),
      greedy,
      temperature: numberOption(args, 'temperature', 0.8),
      topP: numberOption(args, 'top-p', 0.95),
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
