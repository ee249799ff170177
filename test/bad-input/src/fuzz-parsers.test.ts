/**
 * Fuzzing of every parser that reads a file a user hands meta-lora (issue #19), with fast-check: safetensors, user
 * datasets (JSONL, CSV, Parquet, Arrow IPC), typed Arrow artifacts, `adapter_config.json` (loaded onto a model),
 * `config.json` and `tokenizer.json` (loaded, then used once). The property, for every input:
 *
 *   it parses, or it throws a `MetaLoraError`: never another error, and never an allocation far beyond its size (a
 *   header that claims 100 GB is refused before anything is allocated).
 *
 * Inputs are valid files bent by byte edits (bit flips, cuts, splices, large u32s over length fields), structured
 * near-misses (right keys, wrong values), and raw noise. Seeded and bounded: in CI each parser gets `RUNS` inputs or
 * `TIME_LIMIT_MS`, whichever ends first. `META_LORA_FUZZ_RUNS=10000` runs the long mode and prints each parser's count
 * and time, with no time limit unless `META_LORA_FUZZ_SECONDS` sets one per parser (Parquet decodes each input in a
 * worker thread of its own, and a corrupt page can hold it for its full 10 s limit); `META_LORA_FUZZ_SEED` changes the
 * seed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactFromIPC, artifactToIPC, isMetaLoraError, Rng } from '@meta-lora/artifacts';
import { type Example, loadUserDatasets, parseDataConfig, TasksArtifact } from '@meta-lora/data-sampling';
import {
  createLoraAdapter,
  createTinyModel,
  initBackend,
  loadPeftAdapter,
  loadTokenizer,
  parseSafetensors,
  readModelConfig,
  savePeftAdapter,
  serializeSafetensors,
  type TensorToWrite,
  TINY_MODEL_CONFIG,
} from '@meta-lora/lora-core';
import { tempDir, tinyTokenizer } from '@meta-lora/vitest-config';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LONG = process.env.META_LORA_FUZZ_RUNS !== undefined;
const RUNS = Number(process.env.META_LORA_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.META_LORA_FUZZ_SEED ?? 19);
const TIME_LIMIT_MS = LONG ? Number(process.env.META_LORA_FUZZ_SECONDS ?? 0) * 1000 : 5_000;
const TEST_TIMEOUT_MS = LONG ? 4 * 3_600_000 : 60_000;
/** Bytes a parse may leave allocated beyond 64 × its input: generous, and far below any "claims 100 GB" header. */
const SLACK_BYTES = 64 * 1024 * 1024;

const root = tempDir('meta-lora-fuzz');
const split = parseDataConfig({}).split;

/**
 * Passes when `parse` returns or throws a MetaLoraError; fails on any other error, and when the process's array
 * buffers and heap grew by more than 64 × `size` + 64 MiB across it.
 */
async function parsesOrRefuses(size: number, parse: () => unknown): Promise<void> {
  const before = process.memoryUsage();
  try {
    await parse();
  } catch (error) {
    if (!isMetaLoraError(error)) throw error;
  }
  const after = process.memoryUsage();
  const grew = after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed);
  if (grew > 64 * size + SLACK_BYTES) throw new Error(`a ${size}-byte input grew memory by ${grew} bytes`);
}

/** Runs `check` over `input` with the seed and bounds above; in long mode, prints how many inputs ran and how long. */
async function fuzz<T>(name: string, input: fc.Arbitrary<T>, check: (value: T) => Promise<void> | void) {
  let ran = 0;
  let slowest = 0;
  const start = performance.now();
  await fc.assert(
    fc.asyncProperty(input, async (value) => {
      ran++;
      const began = performance.now();
      await check(value);
      slowest = Math.max(slowest, performance.now() - began);
    }),
    {
      seed: SEED,
      numRuns: RUNS,
      ...(TIME_LIMIT_MS > 0 ? { interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false } : {}),
    },
  );
  if (LONG) {
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const stopped = ran < RUNS ? `, stopped by META_LORA_FUZZ_SECONDS=${TIME_LIMIT_MS / 1000}` : '';
    const slow = `slowest ${(slowest / 1000).toFixed(1)} s`;
    process.stderr.write(
      `fuzz ${name}: ${ran} inputs in ${seconds} s (${slow}), none failed (seed ${SEED})${stopped}\n`,
    );
  }
  expect(ran).toBeGreaterThan(0);
}

// ── input generators ──────────────────────────────────────────────────────────────────────────────────────────────

/** One byte-level edit; positions wrap around the input. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    op: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000000),
  }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdits(input: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let bytes = input.slice();
  for (const e of edits) {
    if (bytes.length === 0) break;
    const at = e.at % bytes.length;
    if (e.op === 'flip') bytes[at] = (bytes[at] as number) ^ (1 << e.bit);
    else if (e.op === 'cut') bytes = bytes.slice(0, at);
    else if (e.op === 'splice') bytes = new Uint8Array([...bytes.subarray(0, at), ...e.bytes, ...bytes.subarray(at)]);
    else if (at + 4 <= bytes.length) new DataView(bytes.buffer).setUint32(at, e.value, true);
  }
  return bytes;
}

/** `base` unchanged, bent by up to 4 edits, or replaced by noise. */
function bent(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: base },
    {
      weight: 6,
      arbitrary: fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([b, e]) => applyEdits(b, e)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  );
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const json = fc.jsonValue({ maxDepth: 2 });
/** A value that is usually of the expected kind and sometimes any JSON. */
const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: json });
const count = fc.oneof(fc.nat(6), fc.constantFrom(-1, 1.5, 2 ** 31, 2 ** 53, 1e15, 1e300));

/** `value` with the node at `path` (indices taken modulo each level's size) replaced by `by`, or removed. */
function replaceAt(value: unknown, path: readonly number[], by: unknown, remove: boolean): unknown {
  if (value === null || typeof value !== 'object') return by;
  const keys = Object.keys(value);
  if (keys.length === 0 || path.length === 0) return by;
  const key = keys[(path[0] as number) % keys.length] as string;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  if (path.length === 1 && remove && !Array.isArray(copy)) delete copy[key];
  else
    (copy as Record<string, unknown>)[key] = replaceAt(
      (value as Record<string, unknown>)[key],
      path.slice(1),
      by,
      remove,
    );
  return copy;
}
/** `base` with one to three subtrees replaced or removed. */
const jsonMutant = (base: unknown) =>
  fc
    .array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), json, fc.boolean()), {
      minLength: 1,
      maxLength: 3,
    })
    .map((edits) => edits.reduce((v, [path, by, remove]) => replaceAt(v, path, by, remove), base));

const DTYPES = ['F64', 'F32', 'F16', 'BF16', 'I64', 'U64', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL', 'F8_E4M3'];
/** Valid safetensors files of up to 3 small tensors. */
const safetensorsFile = fc
  .dictionary(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc
      .tuple(
        fc.constantFrom('F32', 'F16', 'BF16', 'I32', 'I64'),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      )
      .map(([dtype, shape]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return { dtype, shape, data: Array.from({ length: n }, (_, i) => i - 2) } as TensorToWrite;
      }),
    { maxKeys: 3 },
  )
  .filter((t) => !('__metadata__' in t))
  .chain((tensors) =>
    fc
      .option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }), {
        nil: undefined,
      })
      .map((metadata) => serializeSafetensors(tensors, metadata)),
  );
/** Hand-made headers: any keys, entries with near-miss values, a true or a lying length. */
const safetensorsHeader = fc
  .tuple(
    fc.dictionary(
      fc.oneof(fc.constantFrom('__metadata__', 'w', 'b'), fc.string({ maxLength: 6 })),
      mostly(
        fc.record(
          {
            dtype: mostly(fc.constantFrom(...DTYPES)),
            shape: mostly(fc.array(count, { maxLength: 4 })),
            data_offsets: mostly(fc.tuple(count, count)),
          },
          { requiredKeys: [] },
        ),
      ),
      { maxKeys: 4 },
    ),
    fc.uint8Array({ maxLength: 128 }),
    fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
  )
  .map(([header, data, claimed]) => {
    const text = utf8(JSON.stringify(header));
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, claimed ?? BigInt(text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  });

const taskId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('double', 'succ', 't-1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('../x', '/abs', 'a\\b', 'a\u0000b', 'x'.repeat(200), '.', '..') },
);
const text = fc.oneof(
  fc.constantFrom('the cat', 'Number: 3\nAnswer:', ' 6', 'yes', 'no'),
  fc.string({ maxLength: 16 }),
);
/** User rows: mostly well-formed pairs and chats of a few tasks, some fields of the wrong kind or missing. */
const userRow = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        task: mostly(taskId),
        input: mostly(text),
        output: mostly(text),
        choices: mostly(fc.array(text, { maxLength: 3 })),
        split: mostly(fc.constantFrom('train', 'dev', 'test', 'validation')),
        language: mostly(fc.constantFrom('en', 'fr', 'und', '../x')),
      },
      { requiredKeys: ['task', 'input', 'output'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        task: mostly(taskId),
        messages: mostly(
          fc.array(fc.record({ role: mostly(fc.constantFrom('system', 'user', 'assistant')), content: mostly(text) }), {
            maxLength: 4,
          }),
        ),
      },
      { requiredKeys: ['task'] },
    ),
  },
  { weight: 1, arbitrary: json },
);
const userRows = fc.array(userRow, { maxLength: 30 });
const CSV_COLUMNS = ['task', 'input', 'output', 'choices', 'split', 'language', 'messages'];

/** The own field `name` of a row that is an object, else undefined. */
function field(row: unknown, name: string): unknown {
  return row !== null && typeof row === 'object' && !Array.isArray(row) && Object.hasOwn(row, name)
    ? (row as Record<string, unknown>)[name]
    : undefined;
}

function csvCell(value: unknown, quote: boolean): string {
  const raw = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return quote || /[",\r\n]/.test(raw) ? `"${raw.replaceAll('"', '""')}"` : raw;
}
const csvText = fc
  .tuple(
    fc.oneof(
      fc.shuffledSubarray(CSV_COLUMNS, { minLength: 1 }),
      fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }),
    ),
    userRows,
    fc.boolean(),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([columns, rows, quote, eol]) =>
    [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(field(r, c), quote)).join(','))].join(eol),
  );

/** Parquet files of user rows: each column STRING, JSON, INT32, DOUBLE or BOOLEAN, as the values allow. */
const parquetFile = fc.tuple(userRows, fc.shuffledSubarray(CSV_COLUMNS, { minLength: 1 })).map(([rows, columns]) => {
  const columnData = columns.map((name) => {
    const data = rows.map((r) => field(r, name) ?? null);
    const kinds = new Set(data.filter((v) => v !== null).map((v) => (Array.isArray(v) ? 'array' : typeof v)));
    if (
      kinds.size === 1 &&
      kinds.has('number') &&
      data.every((v) => v === null || (Number.isInteger(v) && Math.abs(v as number) < 2 ** 31))
    ) {
      return { name, data, type: 'INT32' as const };
    }
    if (kinds.size === 1 && kinds.has('number')) return { name, data, type: 'DOUBLE' as const };
    if (kinds.size === 1 && kinds.has('boolean')) return { name, data, type: 'BOOLEAN' as const };
    if (kinds.size <= 1 && (kinds.has('string') || kinds.size === 0)) return { name, data, type: 'STRING' as const };
    return { name, data, type: 'JSON' as const };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
});

/** Arrow IPC files (file or stream format) of user rows, string columns. */
const arrowFile = fc
  .tuple(
    userRows,
    fc.shuffledSubarray(CSV_COLUMNS, { minLength: 1 }),
    fc.constantFrom('file' as const, 'stream' as const),
  )
  .map(([rows, columns, format]) => {
    const cell = (r: unknown, c: string) => {
      const v = field(r, c);
      return v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
    };
    return tableToIPC(
      tableFromArrays(Object.fromEntries(columns.map((c) => [c, rows.map((r) => cell(r, c))]))),
      format,
    );
  });

/** Valid `tasks` artifacts of a few examples. */
const tasksArtifact = fc
  .array(
    fc.record({
      taskId: fc.constantFrom('double', 'succ'),
      split: fc.constantFrom('train' as const, 'dev' as const, 'test' as const),
      input: fc.string({ minLength: 1, maxLength: 12 }),
      target: fc.string({ minLength: 1, maxLength: 6 }),
    }),
    { maxLength: 8 },
  )
  .map((rows) => {
    const examples: Example[] = rows.map((r, i) => ({ ...r, exampleId: `e${i}`, family: r.taskId, language: 'en' }));
    return artifactToIPC(TasksArtifact, examples, { configHash: 'fuzz', seed: 0, parents: [], createdBy: 'fuzz' })
      .bytes;
  });

// ── fixtures ──────────────────────────────────────────────────────────────────────────────────────────────────────

const HF_CONFIG = { ...TINY_MODEL_CONFIG, num_hidden_layers: 1 };
const ADAPTER = join(root, 'adapter');
let adapterConfig: Record<string, unknown> = {};
let adapterWeights = new Uint8Array();
let model: ReturnType<typeof createTinyModel>;
const TOKENIZER = tinyTokenizer('<s>', '</s>').json;
const TOKENIZER_CONFIG = {
  bos_token: '<s>',
  eos_token: '</s>',
  chat_template: "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
};

beforeAll(async () => {
  await initBackend({ quiet: true });
  model = createTinyModel(0, HF_CONFIG);
  const adapter = createLoraAdapter(model, { r: 2, targetModules: ['q_proj', 'v_proj'] }, Rng.fromSeed(0));
  await savePeftAdapter(adapter, ADAPTER);
  adapter.dispose();
  adapterConfig = JSON.parse(readFileSync(join(ADAPTER, 'adapter_config.json'), 'utf8'));
  adapterWeights = new Uint8Array(readFileSync(join(ADAPTER, 'adapter_model.safetensors')));
});
afterAll(() => model.dispose());

/** A fresh directory for one parser's inputs. */
function dirFor(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Inputs that break one of `files` (name → good content: bytes, or a JSON value) and leave the others good: subtree
 * mutations of each JSON file, then byte edits of each file.
 */
function oneFileBroken(files: Record<string, unknown>): fc.Arbitrary<Record<string, Uint8Array>> {
  const bytesOf = (value: unknown) => (value instanceof Uint8Array ? value : utf8(JSON.stringify(value)));
  const good = Object.fromEntries(Object.entries(files).map(([name, value]) => [name, bytesOf(value)]));
  const jsonFiles = Object.entries(files).filter(([, value]) => !(value instanceof Uint8Array));
  return fc.oneof(
    ...jsonFiles.map(([name, value]) => jsonMutant(value).map((mutant) => ({ ...good, [name]: bytesOf(mutant) }))),
    ...Object.entries(good).map(([name, bytes]) =>
      bent(fc.constant(bytes)).map((edited) => ({ ...good, [name]: edited })),
    ),
  );
}

/** `it(title)`: fuzzes `parse` of a directory of `files()` (taken when the test starts) with one of them broken. */
function itFuzzesFiles(
  title: string,
  name: string,
  files: () => Record<string, unknown>,
  parse: (dir: string) => unknown,
): void {
  it(
    title,
    async () => {
      const dir = dirFor(name.replace(/\W+/g, '-'));
      await fuzz(name, oneFileBroken(files()), (broken) => {
        let size = 0;
        for (const [file, bytes] of Object.entries(broken)) {
          writeFileSync(join(dir, file), bytes);
          size += bytes.length;
        }
        return parsesOrRefuses(size, () => parse(dir));
      });
    },
    TEST_TIMEOUT_MS,
  );
}

// ── the parsers ───────────────────────────────────────────────────────────────────────────────────────────────────

describe(`fuzzing the parsers (seed ${SEED}, up to ${RUNS} inputs each)`, () => {
  it(
    'safetensors: parseSafetensors',
    async () => {
      await fuzz('safetensors', fc.oneof(bent(safetensorsFile), safetensorsHeader), (bytes) =>
        parsesOrRefuses(bytes.length, () => parseSafetensors(bytes, 'fuzz.safetensors')),
      );
    },
    TEST_TIMEOUT_MS,
  );

  for (const [name, ext, input] of [
    ['JSONL', 'jsonl', bent(userRows.map((rows) => utf8(rows.map((r) => JSON.stringify(r)).join('\n'))))],
    ['CSV', 'csv', bent(csvText.map(utf8))],
    ['Parquet', 'parquet', bent(parquetFile)],
    ['Arrow IPC', 'arrow', bent(arrowFile)],
  ] as const) {
    it(
      `user dataset ${name}: loadUserDatasets`,
      async () => {
        const path = join(dirFor(ext), `data.${ext}`);
        await fuzz(`${name} dataset`, input, (bytes) => {
          writeFileSync(path, bytes);
          return parsesOrRefuses(bytes.length, () => loadUserDatasets([path], { split }));
        });
      },
      TEST_TIMEOUT_MS,
    );
  }

  it(
    'Arrow artifacts: artifactFromIPC (tasks)',
    async () => {
      await fuzz('Arrow artifact', bent(tasksArtifact), (bytes) =>
        parsesOrRefuses(bytes.length, () => artifactFromIPC(bytes, TasksArtifact, 'fuzz.arrow')),
      );
    },
    TEST_TIMEOUT_MS,
  );

  itFuzzesFiles(
    'adapter_config.json and adapter weights: loadPeftAdapter onto a model',
    'adapter_config.json + weights',
    () => ({ 'adapter_config.json': adapterConfig, 'adapter_model.safetensors': adapterWeights }),
    (dir) => loadPeftAdapter(dir, model, 'fuzz').dispose(),
  );

  itFuzzesFiles('config.json: readModelConfig', 'config.json', () => ({ 'config.json': HF_CONFIG }), readModelConfig);

  itFuzzesFiles(
    'tokenizer.json and tokenizer_config.json: loadTokenizer, then encode and decode once',
    'tokenizer.json + tokenizer_config.json',
    () => ({ 'tokenizer.json': TOKENIZER, 'tokenizer_config.json': TOKENIZER_CONFIG }),
    async (dir) => {
      const loaded = await loadTokenizer(dir);
      const ids = loaded?.encode('the cat sat') ?? [];
      loaded?.decode(ids);
      if (loaded?.hasChatTemplate) loaded.chatPrompt('the cat');
    },
  );

  it('refuses length claims far beyond the file before allocating', async () => {
    const claims: [string, () => unknown][] = [
      ['safetensors header of 100 GB', () => parseSafetensors(headerClaiming(100_000_000_000n), 'x')],
      ['safetensors header of 2^64 - 1 bytes', () => parseSafetensors(headerClaiming(2n ** 64n - 1n), 'x')],
      [
        'safetensors tensor of 10^15 elements',
        () =>
          parseSafetensors(
            headerWith({ w: { dtype: 'F32', shape: [1_000_000, 1_000_000, 1_000], data_offsets: [0, 4e15] } }),
            'x',
          ),
      ],
      [
        'Arrow message of 2 GB',
        () => artifactFromIPC(lengthField(tasksArtifactBytes(), 0x7fffffff), TasksArtifact, 'x'),
      ],
    ];
    for (const [what, parse] of claims) {
      const before = process.memoryUsage().arrayBuffers;
      let error: unknown;
      try {
        parse();
      } catch (e) {
        error = e;
      }
      expect(isMetaLoraError(error), `${what}: ${String(error)}`).toBe(true);
      expect(process.memoryUsage().arrayBuffers - before, what).toBeLessThan(SLACK_BYTES);
    }
    const parquet = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'task', data: ['a'], type: 'STRING' }] }));
    new DataView(parquet.buffer).setUint32(parquet.length - 8, 0x7fffffff, true); // footer length: 2 GB
    const path = join(dirFor('claims'), 'huge.parquet');
    writeFileSync(path, parquet);
    await expect(loadUserDatasets([path], { split })).rejects.toMatchObject({ code: 'DATA_INVALID' });
  });
});

function headerClaiming(length: bigint): Uint8Array {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(0, length, true);
  return out;
}

function headerWith(header: unknown): Uint8Array {
  const text = utf8(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + 16);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

function tasksArtifactBytes(): Uint8Array {
  const example: Example = {
    exampleId: 'e0',
    taskId: 'double',
    family: 'double',
    language: 'en',
    split: 'train',
    input: 'the cat',
    target: ' sat',
  };
  return artifactToIPC(TasksArtifact, [example], { configHash: 'x', seed: 0, parents: [], createdBy: 'x' }).bytes;
}

/** An Arrow IPC file whose first message length (after the 8-byte `ARROW1` magic and the continuation marker) is `n`. */
function lengthField(bytes: Uint8Array, n: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(12, n, true);
  return out;
}
