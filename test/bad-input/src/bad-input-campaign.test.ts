/**
 * The bad-input campaign (issue #19): table-driven bad inputs through the public `meta-lora` command (`main` of
 * `@meta-lora/cli`, in this process; one case also runs the real binary). Every case must
 *
 *   exit non-zero with `error [CODE]`, name the file or field at fault, print a `fix:` line, print no stack trace,
 *   and leave every file already on disk (the fixtures and earlier outputs under the scratch root) unchanged.
 *
 * Fixtures, made once: a tiny random Llama with a byte-level BPE tokenizer, a PEFT adapter for it, a good JSONL
 * dataset, and the earlier outputs the failing commands point at (tasks/pool/episodes artifacts from `data build` and
 * `data sample`, a meta-training run directory with a checkpoint, an adapted adapter). Cases fail before any model is
 * loaded where the input allows; the slowest case is the Parquet file whose decoder loops until its 10 s time limit.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type ErrorCode, Rng, readArtifact, writeArtifact } from '@meta-lora/artifacts';
import { main } from '@meta-lora/cli';
import { EpisodesArtifact, TasksArtifact } from '@meta-lora/data-sampling';
import {
  initBackend,
  parseModelConfig,
  randomWeights,
  serializeSafetensors,
  TINY_MODEL_CONFIG,
} from '@meta-lora/lora-core';
import { writeTinyAdapter, writeTinyModelDir } from '@meta-lora/test-fixtures';
import { captureOutput, tempDir, tinyTokenizer, tinyTokenizerFiles } from '@meta-lora/vitest-config';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const root = tempDir('meta-lora-bad-input');
const at = (...parts: string[]) => join(root, ...parts);
const MODEL = at('model');
const ADAPTER = at('adapter');
const GOOD = at('good.jsonl');
const DATA = at('out', 'data');
const RUN = at('out', 'run');
const ADAPTED = at('out', 'adapted');
const TRAIN_CONFIG = at('train.json');
/** The fixture model's config.json (saved with its torch_dtype besides). */
const HF_CONFIG = { ...TINY_MODEL_CONFIG, ...tinyTokenizerFiles().modelConfig, num_hidden_layers: 1 };

/** Runs `meta-lora argv` in this process, capturing its output. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { value: code, out, err } = await captureOutput(() => main(argv));
  return { code, out, err };
}

/** Every file and directory under `dir`: relative path → sha256 of the bytes, or `dir`. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out[relative(dir, p)] = 'dir';
        walk(p);
      } else {
        out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

const jsonl = (rows: readonly unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
/** `n` good pair rows of task `task`. */
const rows = (task: string, n = 12) =>
  Array.from({ length: n }, (_, i) => ({ task, input: `Number: ${i}\nAnswer:`, output: ` ${2 * i}` }));
/** The good rows with row 3 (line 3) replaced. */
const withRow3 = (row: unknown) => {
  const good: unknown[] = rows('double');
  good[2] = row;
  return jsonl(good);
};

/** Writes `files` (name → text or bytes) under `dir`, making directories as needed. */
function put(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
}

/** A copy of `src` at `dir/name` with `files` overwritten; returns the copy's path. */
function copyWith(src: string, dir: string, name: string, files: Record<string, string | Uint8Array> = {}): string {
  const copy = join(dir, name);
  cpSync(src, copy, { recursive: true });
  put(copy, files);
  return copy;
}

const bytesOf = (path: string) => new Uint8Array(readFileSync(path));
/** A safetensors file whose 8-byte header length is `length` (LE), followed by `rest`. */
function headerLength(length: bigint, rest = '{}'): Uint8Array {
  const tail = new TextEncoder().encode(rest);
  const out = new Uint8Array(8 + tail.length);
  new DataView(out.buffer).setBigUint64(0, length, true);
  out.set(tail, 8);
  return out;
}

/** Writes `body` as `dir/file`, then `data build` of it. */
const buildWith = (dir: string, file: string, body: string | Uint8Array) => {
  put(dir, { [file]: body });
  return build(join(dir, file));
};
/** Writes `body` as the stage 2 config `dir/t.json`, then `train --config` with it. */
const trainWith = (dir: string, body: string) => {
  put(dir, { 't.json': body });
  return train('--config', join(dir, 't.json'));
};
const build = (file: string) => ['data', 'build', '--suite', file, '--out', join(DATA, 'tasks.arrow')];
const generate = (model: string, ...rest: string[]) => [
  'generate',
  '--model',
  model,
  ...(rest.length > 0 ? rest : ['--prompt', 'the cat']),
  '--max-new-tokens',
  '1',
];
const withAdapter = (adapter: string) => generate(MODEL, '--adapter', adapter, '--prompt-ids', '0,5');
/** `data sample` over the fixture's tasks.arrow into the fixture's data directory, small episodes. */
const sample = (...rest: string[]) => [
  'data',
  'sample',
  '--tasks-file',
  join(DATA, 'tasks.arrow'),
  '--out',
  DATA,
  '--model',
  MODEL,
  ...['--k', '4', '--iterations', '2', '--tasks-per-batch', '2', '--support-size', '2', '--query-size', '2'],
  ...rest,
];
const train = (...rest: string[]) => ['train', '--model', MODEL, '--data', DATA, '--out', RUN, ...rest];
const adapt = (...rest: string[]) => {
  const args = { shared: ADAPTER, data: GOOD, task: 'double', out: ADAPTED } as Record<string, string>;
  const extra: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i] as string;
    if (flag.startsWith('--') && flag.slice(2) in args && rest[i + 1] !== undefined) {
      args[flag.slice(2)] = rest[++i] as string;
    } else {
      extra.push(flag);
    }
  }
  return ['adapt', '--model', MODEL, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]), ...extra];
};

/** A case of a bad row 3 in a JSONL file: `data build` fails with DATA_INVALID, naming the file's line 3 and `names`. */
const badRow3 = (name: string, row: unknown, ...names: string[]): Case => ({
  name: `JSONL: ${name}`,
  argv: (d) => buildWith(d, 'd.jsonl', withRow3(row)),
  code: 'DATA_INVALID',
  names: (d) => [`${join(d, 'd.jsonl')}:line 3`, ...names],
});

/** A case of a bad command-line flag: CONFIG_INVALID, and stderr names each of `names`. */
const badFlag = (name: string, argv: () => string[], ...names: string[]): Case => ({
  name: `flag: ${name}`,
  argv,
  code: 'CONFIG_INVALID',
  names: () => names,
});

interface Case {
  readonly name: string;
  /** Writes the case's inputs into its own directory `dir`; returns the argv. */
  readonly argv: (dir: string) => string[] | Promise<string[]>;
  readonly code: ErrorCode;
  /** What stderr must name: the file and/or the field at fault (a string is matched literally). */
  readonly names: (dir: string) => readonly (string | RegExp)[];
}

const CASES: Case[] = [
  // ── data files ────────────────────────────────────────────────────────────────────────────────────────────────
  badRow3('`input` is a number', { task: 'double', input: 7, output: ' 14' }, '`input`'),
  badRow3('`output` is missing', { task: 'double', input: 'x' }, '`output`'),
  badRow3('an unknown field', { task: 'double', input: 'x', output: 'y', label: 1 }, 'label'),
  {
    name: 'JSONL: a line truncated mid-object',
    argv: (d) => buildWith(d, 'd.jsonl', `${jsonl(rows('double', 4))}{"task": "double", "inp`),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.jsonl')}:line 5`],
  },
  {
    name: 'JSONL: an empty file',
    argv: (d) => buildWith(d, 'd.jsonl', ''),
    code: 'EMPTY_TASK',
    names: (d) => [join(d, 'd.jsonl')],
  },
  badRow3('a row that is an array', ['double', 'x', 'y']),
  badRow3('task id `../../x` (traversal)', { task: '../../x', input: 'a', output: 'b' }, 'task id', '"../../x"'),
  badRow3('task id that is an absolute path', { task: '/tmp/x', input: 'a', output: 'b' }, 'task id'),
  badRow3('task id with backslashes', { task: '..\\..\\x', input: 'a', output: 'b' }, 'task id'),
  badRow3('task id with a NUL byte', { task: 'a\u0000b', input: 'a', output: 'b' }, 'task id'),
  badRow3('a 10,000-character task id', { task: 'a'.repeat(10_000), input: 'a', output: 'b' }, 'task id'),
  badRow3('language `../fr`', { task: 'double', language: '../fr', input: 'a', output: 'b' }, 'language'),
  badRow3(
    'output not among the choices',
    { task: 'double', input: 'a', output: 'maybe', choices: ['yes', 'no'] },
    '`output`',
  ),
  badRow3(
    'a chat row that ends with the user',
    {
      task: 'double',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'user', content: 'again' },
      ],
    },
    'messages',
  ),
  badRow3('split `validation`', { task: 'double', split: 'validation', input: 'a', output: 'b' }, '`split`'),
  {
    name: 'JSONL: a test input that is also a train input',
    argv: (d) =>
      buildWith(
        d,
        'd.jsonl',
        jsonl([
          ...rows('double').map((r) => ({ ...r, split: 'train' })),
          { task: 'double', split: 'test', input: 'Number: 3\nAnswer:', output: ' 6' },
        ]),
      ),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.jsonl')}:line 13`, 'split'],
  },
  {
    name: 'JSONL: a task whose rows are all test',
    argv: (d) => buildWith(d, 'd.jsonl', jsonl(rows('double').map((r) => ({ ...r, split: 'test' })))),
    code: 'EMPTY_TASK',
    names: (d) => [`${join(d, 'd.jsonl')}:line 1`, '`double`'],
  },
  {
    name: 'CSV: an unterminated quoted cell',
    argv: (d) => buildWith(d, 'd.csv', 'task,input,output\ndouble,"Number: 1,2\n'),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.csv')}:line 2`],
  },
  {
    name: 'CSV: a row with too few cells',
    argv: (d) => buildWith(d, 'd.csv', 'task,input,output\ndouble,a,b\ndouble,c\n'),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.csv')}:line 3`],
  },
  {
    name: 'CSV: a `choices` cell that is not JSON',
    argv: (d) => buildWith(d, 'd.csv', 'task,input,output,choices\ndouble,a,yes,yes;no\n'),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.csv')}:line 2`, '`choices`'],
  },
  {
    name: 'CSV: task id `../../x`',
    argv: (d) => buildWith(d, 'd.csv', 'task,input,output\n../../x,a,b\n'),
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.csv')}:line 2`, 'task id'],
  },
  {
    name: 'CSV: a header and no rows',
    argv: (d) => buildWith(d, 'd.csv', 'task,input,output\n'),
    code: 'EMPTY_TASK',
    names: (d) => [join(d, 'd.csv')],
  },
  {
    name: 'Parquet: a truncated file',
    argv: (d) => {
      const bytes = new Uint8Array(parquetWriteBuffer({ columnData: parquetColumns(rows('double')) }));
      return buildWith(d, 'd.parquet', bytes.subarray(0, bytes.length - 20));
    },
    code: 'DATA_INVALID',
    names: (d) => [join(d, 'd.parquet')],
  },
  {
    name: 'Parquet: `output` is an integer column',
    argv: (d) => {
      const columnData = [
        { name: 'task', data: ['double', 'double'], type: 'STRING' as const },
        { name: 'input', data: ['a', 'b'], type: 'STRING' as const },
        { name: 'output', data: [1, 2], type: 'INT32' as const },
      ];
      return buildWith(d, 'd.parquet', new Uint8Array(parquetWriteBuffer({ columnData })));
    },
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.parquet')}:line 1`, '`output`'],
  },
  {
    name: 'Parquet: task id `../x`',
    argv: (d) => {
      const bad = rows('double');
      bad[1] = { ...bad[1]!, task: '../x' };
      return buildWith(d, 'd.parquet', new Uint8Array(parquetWriteBuffer({ columnData: parquetColumns(bad) })));
    },
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.parquet')}:line 2`, 'task id'],
  },
  {
    name: 'Parquet: a footer naming a column the schema lacks, and a corrupt JSON column',
    argv: (d) => {
      // hyparquet starts decoding `choices` before it trips on `output`; that decode's rejection, which nobody awaits,
      // must not end the process
      const columnData = [
        { name: 'choices', data: [['yes', 'no']], type: 'JSON' as const },
        { name: 'output', data: ['yes'], type: 'STRING' as const },
      ];
      const bytes = Buffer.from(parquetWriteBuffer({ columnData, codec: 'UNCOMPRESSED' }));
      bytes.write('X', bytes.indexOf('"no"]') + 3); // the JSON cell loses its closing quote
      bytes.write('X', bytes.indexOf('output', bytes.length - 400)); // the schema's name, not path_in_schema's
      return buildWith(d, 'd.parquet', bytes);
    },
    code: 'DATA_INVALID',
    names: (d) => [join(d, 'd.parquet'), 'not a readable Parquet file'],
  },
  {
    name: 'Parquet: a page header without repetition_levels_byte_length (hyparquet alone loops forever)',
    argv: (d) => {
      const columnData = [{ name: 'task', data: ['a', null, 'b'], type: 'STRING' as const, nullable: true }];
      const bytes = Buffer.from(parquetWriteBuffer({ columnData, codec: 'UNCOMPRESSED' }));
      // The DataPageHeaderV2 ends `definition_levels_byte_length 2, repetition_levels_byte_length 0, stop, stop`
      // (thrift compact 15 04 15 00 00 00): field 6 becomes field 7, and the levels open with an empty RLE run.
      const at = bytes.indexOf(Buffer.from('150415000000', 'hex'));
      bytes[at + 2] = 0x25;
      bytes[at + 6] = 0x00;
      return buildWith(d, 'd.parquet', bytes);
    },
    code: 'DATA_INVALID',
    names: (d) => [join(d, 'd.parquet'), 'took longer than'],
  },
  {
    name: 'Arrow dataset: truncated',
    argv: (d) => {
      const good = rows('double');
      const table = tableFromArrays({
        task: good.map((r) => r.task),
        input: good.map((r) => r.input),
        output: good.map((r) => r.output),
      });
      const bytes = tableToIPC(table, 'file');
      return buildWith(d, 'd.feather', bytes.subarray(0, Math.floor(bytes.length / 2)));
    },
    code: 'DATA_INVALID',
    names: (d) => [join(d, 'd.feather')],
  },
  {
    name: 'data file of an unsupported type',
    argv: (d) => buildWith(d, 'd.txt', 'double\ta\tb\n'),
    code: 'DATA_INVALID',
    names: (d) => [join(d, 'd.txt'), '".txt"'],
  },
  {
    name: 'data file that does not exist',
    argv: (d) => build(join(d, 'missing.jsonl')),
    code: 'IO_FAILED',
    names: (d) => [join(d, 'missing.jsonl')],
  },
  {
    name: 'adapt: a dataset with a traversal task id',
    argv: (d) => {
      put(d, { 'd.jsonl': withRow3({ task: '../../../../outside/x', input: 'a', output: 'b' }) });
      return adapt('--data', join(d, 'd.jsonl'), '--task', 'double');
    },
    code: 'DATA_INVALID',
    names: (d) => [`${join(d, 'd.jsonl')}:line 3`, 'task id'],
  },
  // ── model directories ─────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'model: config.json is not JSON',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'config.json': '{"model_type": "llama",' })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'm', 'config.json')],
  },
  {
    name: 'model: config.json lacks hidden_size',
    argv: (d) => {
      const { hidden_size: _, ...config } = HF_CONFIG;
      return generate(copyWith(MODEL, d, 'm', { 'config.json': JSON.stringify(config) }));
    },
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'm', 'config.json'), 'hidden_size'],
  },
  {
    name: 'model: config.json has model_type gpt2',
    argv: (d) =>
      generate(copyWith(MODEL, d, 'm', { 'config.json': JSON.stringify({ ...HF_CONFIG, model_type: 'gpt2' }) })),
    code: 'MODEL_UNSUPPORTED',
    names: (d) => [join(d, 'm', 'config.json'), 'model_type'],
  },
  {
    name: 'model: a directory without config.json',
    argv: (d) => {
      put(d, { 'm/readme.txt': 'not a model' });
      return generate(join(d, 'm'));
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'm', 'config.json')],
  },
  {
    name: 'model: safetensors truncated in the data section',
    argv: (d) => {
      const bytes = bytesOf(join(MODEL, 'model.safetensors'));
      return generate(copyWith(MODEL, d, 'm', { 'model.safetensors': bytes.subarray(0, bytes.length - 100) }));
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'm', 'model.safetensors')],
  },
  {
    name: 'model: safetensors header length claims 100 GB',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'model.safetensors': headerLength(100_000_000_000n) })),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'm', 'model.safetensors')],
  },
  {
    name: 'model: safetensors header is not JSON',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'model.safetensors': headerLength(8n, '{"a": 1,') })),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'm', 'model.safetensors')],
  },
  {
    name: 'model: weights of a 1-layer model, config says 2 layers',
    argv: (d) =>
      generate(copyWith(MODEL, d, 'm', { 'config.json': JSON.stringify({ ...HF_CONFIG, num_hidden_layers: 2 }) })),
    code: 'CHECKPOINT_INVALID',
    names: () => ['model.layers.1.'],
  },
  {
    name: 'model: a tensor of the wrong shape',
    argv: (d) => {
      const config = parseModelConfig(HF_CONFIG, 'config.json');
      const weights = randomWeights(config, Rng.fromSeed(1), { std: 0.2 });
      const tensors = new Map(
        [...weights].map(([k, t]) => [k, { dtype: 'F32' as const, shape: [...t.shape], data: t.data }]),
      );
      tensors.set('model.norm.weight', { dtype: 'F32', shape: [8], data: new Float32Array(8) });
      return generate(copyWith(MODEL, d, 'm', { 'model.safetensors': serializeSafetensors(tensors) }));
    },
    code: 'SHAPE_MISMATCH',
    names: () => ['model.norm.weight'],
  },
  {
    name: 'model: no tokenizer.json, and a text prompt',
    argv: (d) => generate(copyWithout(copyWith(MODEL, d, 'm'), ['tokenizer.json', 'tokenizer_config.json'])),
    code: 'TOKENIZER_INVALID',
    names: (d) => [join(d, 'm-bare')],
  },
  {
    name: 'model: tokenizer.json is not JSON',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'tokenizer.json': '{"model": ' })),
    code: 'TOKENIZER_INVALID',
    names: (d) => [join(d, 'm', 'tokenizer.json')],
  },
  {
    name: 'model: tokenizer.json of an unknown model type',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'tokenizer.json': JSON.stringify({ model: { type: 'Nope' } }) })),
    code: 'TOKENIZER_INVALID',
    names: (d) => [join(d, 'm', 'tokenizer.json')],
  },
  {
    name: 'model: tokenizer.json that loads but cannot encode (a template post-processor without `single`)',
    argv: (d) => {
      const post = { type: 'TemplateProcessing', single: {}, pair: [], special_tokens: {} };
      const tokenizer = { ...tinyTokenizer('<s>', '</s>').json, post_processor: post };
      return generate(copyWith(MODEL, d, 'm', { 'tokenizer.json': JSON.stringify(tokenizer) }));
    },
    code: 'TOKENIZER_INVALID',
    names: (d) => [join(d, 'm', 'tokenizer.json')],
  },
  {
    name: 'model: generation_config.json with temperature -1',
    argv: (d) => generate(copyWith(MODEL, d, 'm', { 'generation_config.json': JSON.stringify({ temperature: -1 }) })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'm', 'generation_config.json'), 'temperature'],
  },
  {
    name: 'model: a chat_template that does not parse (data build --chat)',
    argv: (d) => {
      const m = copyWith(MODEL, d, 'm', {
        'tokenizer_config.json': JSON.stringify({ bos_token: '<s>', chat_template: '{% for m in messages %}{{ m' }),
      });
      return [...build(GOOD), '--chat', '--model', m];
    },
    code: 'TOKENIZER_INVALID',
    names: (d) => [join(d, 'm', 'tokenizer_config.json'), 'chat_template'],
  },
  // ── adapter directories ───────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'adapter: no adapter_config.json',
    argv: (d) => withAdapter(copyWithout(copyWith(ADAPTER, d, 'a'), ['adapter_config.json'])),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'a-bare', 'adapter_config.json')],
  },
  {
    name: 'adapter: adapter_config.json is not JSON',
    argv: (d) => withAdapter(copyWith(ADAPTER, d, 'a', { 'adapter_config.json': '{"r": 2' })),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'a', 'adapter_config.json')],
  },
  {
    name: 'adapter: r = 0',
    argv: (d) => withAdapter(copyWith(ADAPTER, d, 'a', { 'adapter_config.json': peftConfig({ r: 0 }) })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'a', 'adapter_config.json'), 'r = 0'],
  },
  {
    name: 'adapter: use_dora true',
    argv: (d) => withAdapter(copyWith(ADAPTER, d, 'a', { 'adapter_config.json': peftConfig({ use_dora: true }) })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'a', 'adapter_config.json'), 'use_dora'],
  },
  {
    name: 'adapter: r = 4 in the config, rank-2 tensors in the file',
    argv: (d) => withAdapter(copyWith(ADAPTER, d, 'a', { 'adapter_config.json': peftConfig({ r: 4 }) })),
    code: 'SHAPE_MISMATCH',
    names: (d) => [join(d, 'a', 'adapter_model.safetensors'), 'lora_A.weight'],
  },
  {
    name: 'adapter: target_modules name a module the file lacks',
    argv: (d) =>
      withAdapter(
        copyWith(ADAPTER, d, 'a', { 'adapter_config.json': peftConfig({ target_modules: ['q_proj', 'v_proj'] }) }),
      ),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'a', 'adapter_model.safetensors'), 'v_proj'],
  },
  {
    name: 'adapter: adapter_model.safetensors truncated',
    argv: (d) => {
      const bytes = bytesOf(join(ADAPTER, 'adapter_model.safetensors'));
      return withAdapter(
        copyWith(ADAPTER, d, 'a', { 'adapter_model.safetensors': bytes.subarray(0, bytes.length - 7) }),
      );
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'a', 'adapter_model.safetensors')],
  },
  {
    name: 'adapter: a tensor that is not a LoRA weight',
    argv: (d) => {
      const file = serializeSafetensors({
        'base_model.model.lm_head.weight': { dtype: 'F32', shape: [2], data: [1, 2] },
      });
      return withAdapter(copyWith(ADAPTER, d, 'a', { 'adapter_model.safetensors': file }));
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'a', 'adapter_model.safetensors'), 'base_model.model.lm_head.weight'],
  },
  // ── experiment and stage configs ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'train config: an unknown key',
    argv: (d) => trainWith(d, JSON.stringify({ metaLR: 0.01 })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 't.json'), 'metaLR'],
  },
  {
    name: 'train config: metaLr is a string',
    argv: (d) => trainWith(d, JSON.stringify({ metaLr: 'fast' })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 't.json'), 'metaLr'],
  },
  {
    name: 'train config: not JSON',
    argv: (d) => trainWith(d, '{\n  "metaLr": 0.01,\n}\n'),
    code: 'CONFIG_INVALID',
    names: (d) => [`${join(d, 't.json')}:line 3`],
  },
  {
    name: 'train config: a JSON array',
    argv: (d) => trainWith(d, '[]'),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 't.json')],
  },
  {
    name: 'train config: algorithm maml',
    argv: (d) => trainWith(d, JSON.stringify({ algorithm: 'maml' })),
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 't.json'), 'algorithm'],
  },
  {
    name: 'adapt config: adapt.innerSteps is negative',
    argv: (d) => {
      put(d, { 'a.json': JSON.stringify({ adapt: { innerSteps: -1 } }) });
      return adapt('--config', join(d, 'a.json'));
    },
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'a.json'), 'adapt.innerSteps'],
  },
  {
    name: 'data config: k = 1',
    argv: () => sample('--k', '1'),
    code: 'CONFIG_INVALID',
    names: () => ['--k'],
  },
  {
    name: 'data config: more tasks per batch than the data has',
    argv: () => sample('--tasks-per-batch', '9'),
    code: 'CONFIG_INVALID',
    names: () => ['tasksPerBatch'],
  },
  // ── checkpoints ───────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'checkpoint: state.json is not JSON',
    argv: (d) => resumeWith(d, { 'checkpoints/iter-000002/state.json': '{"nextIteration": 2,' }),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'run', 'checkpoints', 'iter-000002', 'state.json')],
  },
  {
    name: 'checkpoint: state.json with a wrong field type',
    argv: (d) => {
      const path = join(RUN, 'checkpoints', 'iter-000002', 'state.json');
      const state = JSON.parse(readFileSync(path, 'utf8'));
      return resumeWith(d, { 'checkpoints/iter-000002/state.json': JSON.stringify({ ...state, rngState: [1, 2] }) });
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'run', 'checkpoints', 'iter-000002', 'state.json'), 'rngState'],
  },
  {
    name: 'checkpoint: `latest` names a missing checkpoint',
    argv: (d) => resumeWith(d, { 'checkpoints/latest': 'iter-000099\n' }),
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'run', 'checkpoints', 'iter-000099')],
  },
  {
    name: 'checkpoint: optimizer.safetensors truncated',
    argv: (d) => {
      const bytes = bytesOf(join(RUN, 'checkpoints', 'iter-000002', 'optimizer.safetensors'));
      return resumeWith(d, { 'checkpoints/iter-000002/optimizer.safetensors': bytes.subarray(0, 9) });
    },
    code: 'CHECKPOINT_INVALID',
    names: (d) => [join(d, 'run', 'checkpoints', 'iter-000002', 'optimizer.safetensors')],
  },
  {
    name: 'checkpoint: resumed with another config',
    argv: (d) => {
      const run = copyWith(RUN, d, 'run');
      put(d, { 't.json': JSON.stringify({ ...trainConfig, metaLr: 0.5 }) });
      return ['train', '--model', MODEL, '--data', DATA, '--out', run, '--config', join(d, 't.json'), '--resume'];
    },
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'run', 'config.json'), 'metaLr'],
  },
  // ── Arrow artifacts ───────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'artifact: truncated tasks.arrow (data inspect)',
    argv: (d) => {
      const bytes = bytesOf(join(DATA, 'tasks.arrow'));
      put(d, { 'tasks.arrow': bytes.subarray(0, bytes.length - 40) });
      return ['data', 'inspect', join(d, 'tasks.arrow')];
    },
    code: 'ARTIFACT_INVALID',
    names: (d) => [join(d, 'tasks.arrow')],
  },
  {
    name: 'artifact: an Arrow file without meta-lora metadata',
    argv: (d) => {
      put(d, { 'plain.arrow': tableToIPC(tableFromArrays({ a: [1, 2] }), 'file') });
      return ['data', 'inspect', join(d, 'plain.arrow')];
    },
    code: 'ARTIFACT_INVALID',
    names: (d) => [join(d, 'plain.arrow'), 'meta_lora.kind'],
  },
  {
    name: 'artifact: episodes.arrow given as the tasks file (wrong kind)',
    argv: () => sample('--tasks-file', join(DATA, 'episodes.arrow')),
    code: 'ARTIFACT_INVALID',
    names: () => [join(DATA, 'episodes.arrow'), '`tasks`'],
  },
  {
    name: 'artifact: tasks.arrow of a newer schema version',
    argv: (d) => {
      const { rows: examples } = readArtifact(join(DATA, 'tasks.arrow'), TasksArtifact);
      const newer = { ...TasksArtifact, schemaVersion: TasksArtifact.schemaVersion + 1 };
      writeArtifact(join(d, 'tasks.arrow'), newer, examples, lineage);
      return adapt('--data', join(d, 'tasks.arrow'));
    },
    code: 'SCHEMA_VERSION_MISMATCH',
    names: (d) => [join(d, 'tasks.arrow'), 'schema version'],
  },
  {
    name: 'artifact: a row edited after writing (content hash)',
    argv: (d) => {
      const bytes = bytesOf(join(DATA, 'tasks.arrow'));
      const text = Buffer.from(bytes);
      const i = text.indexOf('Number: 5');
      text.write('Number: 6', i);
      put(d, { 'tasks.arrow': text });
      return [
        'eval',
        '--data',
        join(d, 'tasks.arrow'),
        '--task',
        'double',
        '--model',
        MODEL,
        '--out',
        join(d, 'r.arrow'),
      ];
    },
    code: 'ARTIFACT_INVALID',
    names: (d) => [join(d, 'tasks.arrow'), 'artifactId'],
  },
  {
    name: 'artifact: train --data with a truncated episodes.arrow',
    argv: (d) => {
      const bytes = bytesOf(join(DATA, 'episodes.arrow'));
      const data = copyWith(DATA, d, 'data', { 'episodes.arrow': bytes.subarray(0, 64) });
      return ['train', '--model', MODEL, '--data', data, '--out', RUN, '--config', TRAIN_CONFIG];
    },
    code: 'ARTIFACT_INVALID',
    names: (d) => [join(d, 'data', 'episodes.arrow')],
  },
  {
    name: 'artifact: train --data without pool.arrow',
    argv: (d) => {
      const data = copyWithout(copyWith(DATA, d, 'data'), ['pool.arrow']);
      return ['train', '--model', MODEL, '--data', data, '--out', RUN];
    },
    code: 'CONFIG_INVALID',
    names: (d) => [join(d, 'data-bare', 'pool.arrow')],
  },
  {
    name: 'artifact: report of an eval-results file that is a tasks artifact',
    argv: () => ['report', RUN, '--results', join(DATA, 'tasks.arrow'), '--out', RUN],
    code: 'ARTIFACT_INVALID',
    names: () => [join(DATA, 'tasks.arrow'), '`eval-results`'],
  },
  // ── flags ─────────────────────────────────────────────────────────────────────────────────────────────────────
  badFlag('unknown option', () => ['train', '--data', DATA, '--out', RUN, '--learning-rate', '1'], '--learning-rate'),
  badFlag('--k is not an integer', () => adapt('--k', 'many'), '--k', '"many"'),
  badFlag('--k larger than the task has train examples', () => adapt('--k', '500'), 'double', '500'),
  badFlag('--lr is not a number', () => adapt('--lr', '1e-3x'), '--lr'),
  badFlag('--optimizer lbfgs', () => adapt('--optimizer', 'lbfgs'), '--optimizer', '"lbfgs"'),
  badFlag(
    '--baselines with an unknown method',
    () => train('--baselines', 'single-task,zero-shot'),
    '--baselines',
    'zero-shot',
  ),
  {
    name: 'flag: --task absent from the dataset',
    argv: () => ['eval', '--data', GOOD, '--task', 'triple', '--model', MODEL, '--out', join(RUN, 'x.arrow')],
    code: 'EMPTY_TASK',
    names: () => ['triple', GOOD],
  },
  badFlag('--greedy with --sample', () => generate(MODEL, '--prompt', 'the', '--greedy', '--sample'), '--greedy'),
  badFlag('--prompt-ids with a non-integer', () => generate(MODEL, '--prompt-ids', '0,x'), '--prompt-ids', '"x"'),
  badFlag(
    '--dtype F8 for a merged export',
    () => ['export', '--adapter', ADAPTER, '--merge', '--model', MODEL, '--dtype', 'F8', '--out', at('out', 'merged')],
    '--dtype',
    '"F8"',
  ),
  badFlag('--backend that does not exist', () => adapt('--k', '2', '--backend', 'tpu'), 'tpu'),
  badFlag('data with an unknown subcommand', () => ['data', 'shuffle', DATA], '"shuffle"'),
  badFlag('train without --data', () => ['train', '--model', MODEL, '--out', RUN], '--data'),
  {
    name: 'flag: export --run of a directory that does not exist',
    argv: (d) => ['export', '--run', join(d, 'nope'), '--out', at('out', 'exported')],
    code: 'IO_FAILED',
    names: (d) => [join(d, 'nope')],
  },
];

/** PEFT adapter_config.json of the fixture adapter with `fields` changed. */
function peftConfig(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(readFileSync(join(ADAPTER, 'adapter_config.json'), 'utf8')), ...fields });
}

/** A copy of directory `dir` at `dir-bare` without `names`. */
function copyWithout(dir: string, names: readonly string[]): string {
  const bare = `${dir}-bare`;
  cpSync(dir, bare, { recursive: true, filter: (src) => !names.some((n) => src === join(dir, n)) });
  return bare;
}

/** argv resuming a copy of the fixture run (at `d/run`) whose files are overwritten by `files`. */
function resumeWith(d: string, files: Record<string, string | Uint8Array>): string[] {
  const run = copyWith(RUN, d, 'run', files);
  return ['train', '--model', MODEL, '--data', DATA, '--out', run, '--config', TRAIN_CONFIG, '--resume'];
}

/** hyparquet-writer columns of pair rows. */
function parquetColumns(pairs: readonly { task: string; input: string; output: string }[]) {
  return (['task', 'input', 'output'] as const).map((name) => ({
    name,
    data: pairs.map((r) => r[name]),
    type: 'STRING' as const,
  }));
}

const lineage = { configHash: 'bad-input', seed: 0, parents: [], createdBy: 'bad-input-campaign' };
const trainConfig = { adapt: { innerSteps: 1 }, workers: 0, devQuerySize: 2, checkpointEvery: 1 };

beforeAll(async () => {
  await initBackend({ quiet: true });
  await writeTinyModelDir(MODEL, { seed: 5, tokenizer: 'tiny', config: { num_hidden_layers: 1 } });
  await writeTinyAdapter(ADAPTER, MODEL, { seed: 1, lora: { r: 2, targetModules: ['q_proj'] } });

  // The earlier outputs, made by the CLI itself.
  put(root, { 'good.jsonl': jsonl([...rows('double'), ...rows('succ')]), 'train.json': JSON.stringify(trainConfig) });
  for (const argv of [build(GOOD), sample()]) {
    const r = await cli(argv);
    expect(r.err, argv.join(' ')).toBe('');
    expect(r.code).toBe(0);
  }
  const t = await cli(['train', '--model', MODEL, '--data', DATA, '--out', RUN, '--config', TRAIN_CONFIG]);
  expect(t.code, t.err).toBe(0);
  const a = await cli(adapt('--k', '2', '--steps', '1'));
  expect(a.code, a.err).toBe(0);
  expect(new Set(readArtifact(join(DATA, 'episodes.arrow'), EpisodesArtifact).rows.map((r) => r.iteration)).size).toBe(
    2,
  );
  mkdirSync(at('cases'));
  mkdirSync(at('cwd'));
  process.chdir(at('cwd')); // a default output path would land here, inside the snapshot
}, 120_000);

const cwd = process.cwd();
afterAll(() => process.chdir(cwd));

describe('bad-input campaign through the meta-lora CLI', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c, i) => [i + 1, c.name, c] as const))('%i. %s', async (n, _name, c) => {
    const dir = at('cases', String(n).padStart(2, '0'));
    mkdirSync(dir);
    const argv = await c.argv(dir);
    const before = snapshot(root);
    const { code, out, err } = await cli(argv);
    const shown = `meta-lora ${argv.join(' ')}\nstdout:\n${out}\nstderr:\n${err}`;
    expect(code, shown).not.toBe(0);
    expect(err, shown).toMatch(new RegExp(`error \\[${c.code}\\]`));
    for (const name of c.names(dir)) {
      if (typeof name === 'string') expect(err, shown).toContain(name);
      else expect(err, shown).toMatch(name);
    }
    expect(err, shown).toMatch(/\n {2}fix: \S/);
    expect(err, shown).not.toMatch(/\n\s+at /);
    expect(err, shown).not.toMatch(/unexpected error/);
    expect(err.length, 'the message stays short, whatever the input').toBeLessThan(2000);
    expect(snapshot(root), 'files already on disk are unchanged').toEqual(before);
  });

  it('the real binary reports a bad input the same way, exit code 2 and no stack trace', () => {
    const dir = at('cases', 'bin');
    mkdirSync(dir);
    put(dir, { 'd.jsonl': withRow3({ task: '../../x', input: 'a', output: 'b' }) });
    const before = snapshot(root);
    let status = 0;
    let stderr = '';
    try {
      // As `pnpm meta-lora` runs it in the repository: the bin script on the packages' sources.
      const bin = join(ROOT, 'packages', 'cli', 'bin', 'meta-lora.js');
      execFileSync(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        ['--conditions=@meta-lora/source', bin, ...build(join(dir, 'd.jsonl'))],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        },
      );
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/^meta-lora data: error \[DATA_INVALID\]: .*d\.jsonl:line 3: task id "\.\.\/\.\.\/x"/);
    expect(stderr).toMatch(/\n {2}fix: /);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(root)).toEqual(before);
  }, 180_000); // a second Node process compiling the CLI: about 3 CPU-seconds, longer on a loaded machine
});
