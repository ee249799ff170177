/** `meta-lora adapt`: give k examples of a new task, get a PEFT adapter (stage 1 from a meta-trained shared adapter). */
import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import { buildPools } from '@meta-lora/data-sampling';
import { encodeExample, initBackend, loadModel, loadPeftAdapter, savePeftAdapter } from '@meta-lora/lora-core';
import { adaptTask } from '@meta-lora/stage1-adapt';
import { type Command, intOption, numberOption, requireString } from '../command.ts';
import { requireModelDir } from '../default-model.ts';
import { taskExamples } from '../task-examples.ts';
import { readMetaConfig } from './train.ts';

export const adaptCommand: Command = {
  name: 'adapt',
  summary: 'adapt the shared adapter to a new task from k examples and write a PEFT adapter',
  usage:
    'meta-lora adapt --shared ADAPTER_DIR --data FILE --task NAME --out DIR [--model DIR] [--k N] [--steps N] [--lr X] [--optimizer sgd|adam] [--config FILE.json]',
  options: {
    model: {
      type: 'string',
      placeholder: 'DIR',
      description: 'Hugging Face model directory (default: the embedded model)',
    },
    shared: { type: 'string', placeholder: 'DIR', description: 'the meta-trained shared adapter (PEFT directory)' },
    data: {
      type: 'string',
      placeholder: 'FILE',
      description: 'examples: a tasks.arrow artifact or a user dataset (.jsonl, .csv, .arrow, .parquet)',
    },
    task: { type: 'string', placeholder: 'NAME', description: 'the task to adapt to' },
    out: { type: 'string', placeholder: 'DIR', description: 'where to write the task adapter (PEFT files)' },
    k: { type: 'string', placeholder: 'N', description: 'train examples to adapt on, drawn with --seed (default 16)' },
    seed: { type: 'string', placeholder: 'N', description: 'seed of the example draw and minibatches (default 0)' },
    steps: { type: 'string', placeholder: 'N', description: 'inner steps (default: the config’s adapt.innerSteps)' },
    lr: { type: 'string', placeholder: 'X', description: 'inner learning rate (default: adapt.innerLr)' },
    optimizer: { type: 'string', placeholder: 'NAME', description: 'sgd or adam (default: adapt.innerOptimizer)' },
    config: { type: 'string', placeholder: 'FILE', description: 'stage 2 config JSON; its `adapt` section is used' },
    backend: { type: 'string', placeholder: 'NAME', description: 'force a TF.js backend: tensorflow, wasm or cpu' },
  },
  async run(args) {
    const modelDir = requireModelDir(args.values.model as string | undefined);
    const sharedDir = requireString(args, 'shared', 'adapt');
    const dataPath = requireString(args, 'data', 'adapt');
    const task = requireString(args, 'task', 'adapt');
    const out = requireString(args, 'out', 'adapt');
    const optimizer = args.values.optimizer;
    if (optimizer !== undefined && optimizer !== 'sgd' && optimizer !== 'adam') {
      throw new MetaLoraError('CONFIG_INVALID', `--optimizer must be sgd or adam, got ${JSON.stringify(optimizer)}`, {
        field: '--optimizer',
        value: optimizer,
        fix: 'pass --optimizer sgd or --optimizer adam',
      });
    }
    const config = readMetaConfig(args.values.config as string | undefined, (raw) => {
      const adaptRaw = { ...((raw.adapt as Record<string, unknown> | undefined) ?? {}) };
      if (args.values.steps !== undefined) adaptRaw.innerSteps = intOption(args, 'steps', 0);
      if (args.values.lr !== undefined) adaptRaw.innerLr = numberOption(args, 'lr', 0.01);
      if (optimizer !== undefined) adaptRaw.innerOptimizer = optimizer;
      return { ...raw, adapt: adaptRaw };
    });
    const k = intOption(args, 'k', 16, 1);
    const seed = intOption(args, 'seed', 0);
    const examples = await taskExamples(dataPath, task);
    // Refuses k larger than the task's train examples (CONFIG_INVALID naming the task, its count and k).
    const support = buildPools(examples, { k, seed });
    const backend = args.values.backend as string | undefined;
    await initBackend(backend ? { backend: backend as 'wasm' } : {});
    const { model, tokenizer, fingerprint } = await loadModel(modelDir);
    try {
      if (!tokenizer) {
        throw new MetaLoraError(
          'TOKENIZER_INVALID',
          `${modelDir} has no tokenizer.json, so examples cannot be encoded`,
          {
            path: modelDir,
            fix: 'use a model directory with tokenizer.json',
          },
        );
      }
      const shared = loadPeftAdapter(sharedDir, model, 'shared');
      const rng = Rng.fromSeed(seed).fork(`adapt:${task}`);
      const { adapter, supportLosses } = adaptTask(
        model,
        shared,
        support.map((e) => encodeExample(tokenizer, e)),
        config.adapt,
        rng,
        task,
      );
      await savePeftAdapter(adapter, out, {
        baseModelNameOrPath: modelDir,
        metadata: {
          base_model_fingerprint: fingerprint,
          task,
          k: String(k),
          seed: String(seed),
          exampleIds: support.map((e) => e.exampleId).join(','),
          supportLosses: JSON.stringify(supportLosses),
        },
      });
      adapter.dispose();
      shared.dispose();
      const trail = supportLosses.map((l) => l.toFixed(4)).join(' → ');
      process.stdout.write(
        `adapted to ${task} from ${support.length} examples in ${supportLosses.length} steps${trail ? ` (support loss ${trail})` : ''}\n  adapter: ${out}\n`,
      );
    } finally {
      model.dispose();
    }
    return 0;
  },
};
