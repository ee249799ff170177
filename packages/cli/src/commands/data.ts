/** `meta-lora data build|sample|inspect`: task suites and user datasets → typed Arrow artifacts. */
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { inspectArtifact, parseDataConfig, runDataBuild, runDataSample, SUITE_NAMES } from '@meta-lora/data-sampling';
import { loadTokenizer } from '@meta-lora/lora-core';
import { type Command, intOption, type ParsedArgs, requireString } from '../command.ts';
import { DEFAULT_MODEL_DIR } from '../default-model.ts';

const list = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : [];

/** Builds the data config from the shared flags (validated once, here at the edge). */
function dataConfig(args: ParsedArgs) {
  const suiteFlag = (args.values.suite as string | undefined) ?? 'multitask';
  const builtIn = (SUITE_NAMES as readonly string[]).includes(suiteFlag);
  const paths = builtIn ? [] : [suiteFlag, ...args.positionals];
  return parseDataConfig({
    suite: builtIn ? suiteFlag : 'user',
    paths,
    tasks: list(args.values.tasks),
    languages: list(args.values.languages),
    promptFormat: args.values.chat === true ? 'chat' : 'plain',
    k: intOption(args, 'k', 16, 2),
    seed: intOption(args, 'seed', 0),
    episodes: {
      iterations: intOption(args, 'iterations', 100, 1),
      // Absent, the sampler fits it to the data (4, or every task when there are fewer) and says so.
      tasksPerBatch:
        args.values['tasks-per-batch'] === undefined ? undefined : intOption(args, 'tasks-per-batch', 4, 1),
      supportSize: intOption(args, 'support-size', 8, 1),
      querySize: intOption(args, 'query-size', 8, 1),
    },
  });
}

const selection = {
  suite: {
    type: 'string',
    placeholder: 'NAME|PATH',
    description: `built-in suite (${SUITE_NAMES.join(', ')}) or a user dataset file`,
  },
  tasks: { type: 'string', placeholder: 'A,B', description: 'keep only these task ids' },
  languages: { type: 'string', placeholder: 'fr,ja', description: 'multilingual suite: keep only these languages' },
  chat: { type: 'boolean', description: "build: wrap prompts in the base model's chat template (--model)" },
} as const;

export const dataCommand: Command = {
  name: 'data',
  summary: 'build task suites, sample k-shot pools and episodes, inspect Arrow artifacts',
  usage:
    'meta-lora data build [--suite NAME|PATH…] [--out FILE]\n' +
    '       meta-lora data sample --tasks-file FILE [--out DIR] [--k N] [--seed N] [--model DIR]\n' +
    '       meta-lora data inspect FILE.arrow [--rows N]',
  options: {
    ...selection,
    out: { type: 'string', placeholder: 'PATH', description: 'output file (build) or directory (sample)' },
    'tasks-file': { type: 'string', placeholder: 'FILE', description: 'sample: the tasks.arrow to draw from' },
    k: { type: 'string', placeholder: 'N', description: 'sample: few-shot budget per task (default 16)' },
    seed: { type: 'string', placeholder: 'N', description: 'sample: seed of pools and episodes (default 0)' },
    iterations: { type: 'string', placeholder: 'N', description: 'sample: meta-iterations (default 100)' },
    'tasks-per-batch': {
      type: 'string',
      placeholder: 'N',
      description: 'sample: tasks per meta-iteration (default 4, or every task when there are fewer)',
    },
    'support-size': { type: 'string', placeholder: 'N', description: 'sample: support examples per task (default 8)' },
    'query-size': { type: 'string', placeholder: 'N', description: 'sample: query examples per task (default 8)' },
    model: { type: 'string', placeholder: 'DIR', description: 'sample: model dir whose tokenizer counts tokens' },
    rows: { type: 'string', placeholder: 'N', description: 'inspect: rows to show (default 5)' },
  },
  async run(args) {
    const [verb, ...rest] = args.positionals;
    const sub: ParsedArgs = { values: args.values, positionals: rest };
    if (verb === 'build') {
      const config = dataConfig(sub);
      const out = (args.values.out as string | undefined) ?? join('runs', 'data', 'tasks.arrow');
      let chatPrompt: ((prompt: string) => string) | undefined;
      if (config.promptFormat === 'chat') {
        const tokenizer = await loadTokenizer((args.values.model as string | undefined) ?? DEFAULT_MODEL_DIR);
        if (tokenizer?.hasChatTemplate) chatPrompt = (p) => tokenizer.chatPrompt(p);
      }
      await runDataBuild(config, out, chatPrompt ? { chatPrompt } : {});
      process.stdout.write(`${inspectArtifact(out, { rows: 0 })}\n`);
      return 0;
    }
    if (verb === 'sample') {
      const config = dataConfig(sub);
      const tasksFile = requireString(args, 'tasks-file', 'data sample');
      const out = (args.values.out as string | undefined) ?? join('runs', 'data');
      const modelDir = (args.values.model as string | undefined) ?? DEFAULT_MODEL_DIR;
      const tokenizer = await loadTokenizer(modelDir);
      if (!tokenizer) {
        throw new MetaLoraError('TOKENIZER_INVALID', `${modelDir} has no tokenizer.json to count tokens with`, {
          path: modelDir,
          fix: 'pass --model with a directory that has a tokenizer.json',
        });
      }
      const { notes } = runDataSample(
        config,
        tasksFile,
        out,
        (text) => tokenizer.encode(text, { addSpecialTokens: false }).length,
      );
      for (const note of notes) process.stdout.write(`fitted to the data: ${note}\n`);
      for (const file of ['pool.arrow', 'episodes.arrow', 'usage.arrow']) {
        process.stdout.write(`${inspectArtifact(join(out, file), { rows: 0 })}\n\n`);
      }
      return 0;
    }
    if (verb === 'inspect') {
      const file = rest[0];
      if (!file) {
        throw new MetaLoraError('CONFIG_INVALID', 'meta-lora data inspect needs a FILE.arrow', {
          fix: 'meta-lora data inspect runs/x/tasks.arrow',
        });
      }
      process.stdout.write(`${inspectArtifact(file, { rows: intOption(args, 'rows', 5) })}\n`);
      return 0;
    }
    throw new MetaLoraError('CONFIG_INVALID', `unknown data subcommand ${JSON.stringify(verb ?? '')}`, {
      field: 'subcommand',
      value: verb,
      fix: 'use one of: build, sample, inspect',
    });
  },
};
