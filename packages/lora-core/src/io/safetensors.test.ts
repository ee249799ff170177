import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetaLoraError, Rng } from '@meta-lora/artifacts';
import { expectCode, thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors, readSafetensors, readSafetensorsEntry, readSafetensorsLayout } from './safetensors.ts';
import type { SafetensorsTensor } from './safetensors-decode.ts';
import { serializeSafetensors, writeSafetensors } from './safetensors-write.ts';

/** A real pretrained checkpoint, in shared/ beside the repository. */
const STORIES = fileURLToPath(new URL('../../../../../shared/models/stories260K', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'meta-lora-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function tempFile(bytes: Uint8Array): string {
  const path = join(dir, `case-${fileCounter++}.safetensors`);
  writeFileSync(path, bytes);
  return path;
}

/** Builds a safetensors file by hand, independently of `serializeSafetensors`, so corrupt headers are possible. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

const expectInvalid = (fn: () => unknown, ...fragments: string[]): void =>
  expectCode(thrownBy(fn, MetaLoraError), 'CHECKPOINT_INVALID', ...fragments);

/** Reading `bytes` from a file is CHECKPOINT_INVALID, naming the file and each fragment. */
function expectFileInvalid(bytes: Uint8Array, ...fragments: string[]): void {
  const path = tempFile(bytes);
  expectInvalid(() => readSafetensors(path), path, ...fragments);
}

function roundTrip(t: Parameters<typeof serializeSafetensors>[0]): ReadonlyMap<string, SafetensorsTensor> {
  return readSafetensors(tempFile(serializeSafetensors(t))).tensors;
}

describe('serializeSafetensors', () => {
  it('matches the reference serializer byte for byte (header padded with spaces to 8 bytes)', () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    const expected = craft(undefined, bytesOf(data), `${header}       `); // 65 + 7 = 72 bytes
    expect(Array.from(serializeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } }))).toEqual(
      Array.from(expected),
    );
  });

  it('writes metadata first and an empty file as the reference does', () => {
    const header = '{"__metadata__":{"framework":"pt"}}     ';
    expect(Array.from(serializeSafetensors({}, { framework: 'pt' }))).toEqual(
      Array.from(craft(undefined, undefined, header)),
    );
    expect(Array.from(serializeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  });

  it('orders tensors by descending dtype alignment, then by name, whatever the input order', () => {
    const t = (dtype: 'F32' | 'BF16' | 'I64') => ({ dtype, shape: [1], data: [1] });
    const a = serializeSafetensors({ b: t('F32'), z: t('BF16'), a: t('F32'), y: t('I64') });
    const b = serializeSafetensors(
      new Map([
        ['y', t('I64')],
        ['a', t('F32')],
        ['z', t('BF16')],
        ['b', t('F32')],
      ]),
    );
    expect(a).toEqual(b);
    const n = Number(new DataView(a.buffer).getBigUint64(0, true));
    const keys = Object.keys(JSON.parse(new TextDecoder().decode(a.subarray(8, 8 + n))));
    expect(keys).toEqual(['y', 'a', 'b', 'z']);
  });

  it('rejects data whose length does not match the shape', () => {
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(5) } })).toThrow(
      /tensor "w": shape \[2, 3\] holds 6 values but data has 5/,
    );
  });

  it('rejects non-integers and out-of-range values in integer tensors', () => {
    expect(() => serializeSafetensors({ ids: { dtype: 'I32', shape: [2], data: [1, 1.5] } })).toThrow(/1\.5/);
    expect(() => serializeSafetensors({ ids: { dtype: 'I32', shape: [1], data: [2 ** 31] } })).toThrow(/2147483648/);
  });
});

describe('readSafetensors round trip', () => {
  it('F32 is exact and keeps metadata', () => {
    const data = new Float32Array([0.1, -2.5, 3e-40, Number.POSITIVE_INFINITY, -0, 7]);
    const path = tempFile(serializeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data } }, { format: 'pt' }));
    const file = readSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('w')).toEqual({ dtype: 'F32', shape: [2, 3], data });
  });

  it('F16 and BF16 store representable values exactly and round others to nearest', () => {
    const f16 = [1, -2, 0.5, 65504, 2 ** -24, 0.1];
    const bf16 = [1, -123.5, 3.140625, 2 ** -133, 0.1];
    const got = roundTrip({
      h: { dtype: 'F16', shape: [6], data: f16 },
      b: { dtype: 'BF16', shape: [5], data: bf16 },
    });
    expect(got.get('h')?.dtype).toBe('F16');
    expect(Array.from(got.get('h')?.data ?? [])).toEqual([1, -2, 0.5, 65504, 2 ** -24, 0.0999755859375]);
    expect(Array.from(got.get('b')?.data ?? [])).toEqual([1, -123.5, 3.140625, 2 ** -133, 0.10009765625]);
  });

  it('I32 and I64 load as Int32Array, full int32 range included', () => {
    const values = [-(2 ** 31), 2 ** 31 - 1, 0, -7];
    const got = roundTrip({
      i: { dtype: 'I32', shape: [4], data: values },
      l: { dtype: 'I64', shape: [2, 2], data: values },
    });
    expect(got.get('i')).toEqual({ dtype: 'I32', shape: [4], data: new Int32Array(values) });
    expect(got.get('l')).toEqual({ dtype: 'I64', shape: [2, 2], data: new Int32Array(values) });
  });

  it('handles scalars and zero-size tensors', () => {
    const got = roundTrip({
      s: { dtype: 'F32', shape: [], data: [3] },
      e: { dtype: 'F32', shape: [0, 4], data: [] },
    });
    expect(got.get('s')).toEqual({ dtype: 'F32', shape: [], data: new Float32Array([3]) });
    expect(got.get('e')).toEqual({ dtype: 'F32', shape: [0, 4], data: new Float32Array(0) });
  });

  it('reads the read-only dtypes F64, U8, I8, I16, U16, U32, U64 and BOOL', () => {
    const parts: [string, string, number[], Uint8Array][] = [
      ['f64', 'F64', [2], bytesOf(new Float64Array([0.1, -1e300]))],
      ['u8', 'U8', [2], new Uint8Array([0, 255])],
      ['i8', 'I8', [2], bytesOf(new Int8Array([-128, 127]))],
      ['i16', 'I16', [2], bytesOf(new Int16Array([-32768, 32767]))],
      ['u16', 'U16', [1], bytesOf(new Uint16Array([65535]))],
      ['u32', 'U32', [1], bytesOf(new Uint32Array([2 ** 31 - 1]))],
      ['u64', 'U64', [1], bytesOf(new BigUint64Array([5n]))],
      ['flag', 'BOOL', [3], new Uint8Array([0, 1, 1])],
    ];
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, dtype, shape, bytes] of parts) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
      offset += bytes.length;
    }
    const data = new Uint8Array(offset);
    parts.reduce((at, [, , , bytes]) => {
      data.set(bytes, at);
      return at + bytes.length;
    }, 0);
    const got = readSafetensors(tempFile(craft(header, data))).tensors;
    expect(Array.from(got.get('f64')?.data ?? [])).toEqual([Math.fround(0.1), Number.NEGATIVE_INFINITY]);
    expect(got.get('f64')?.data).toBeInstanceOf(Float32Array);
    expect(Array.from(got.get('u8')?.data ?? [])).toEqual([0, 255]);
    expect(Array.from(got.get('i8')?.data ?? [])).toEqual([-128, 127]);
    expect(Array.from(got.get('i16')?.data ?? [])).toEqual([-32768, 32767]);
    expect(Array.from(got.get('u16')?.data ?? [])).toEqual([65535]);
    expect(Array.from(got.get('u32')?.data ?? [])).toEqual([2 ** 31 - 1]);
    expect(Array.from(got.get('u64')?.data ?? [])).toEqual([5]);
    expect(got.get('flag')).toEqual({ dtype: 'BOOL', shape: [3], data: new Int32Array([0, 1, 1]) });
  });

  it('writes atomically to a new path, creating directories', () => {
    const path = join(dir, 'nested', 'adapter_model.safetensors');
    writeSafetensors(path, { w: { dtype: 'F32', shape: [1], data: [2] } });
    expect(readSafetensors(path).tensors.get('w')?.data).toEqual(new Float32Array([2]));
  });
});

describe('the stories260K checkpoint', () => {
  const config = JSON.parse(readFileSync(join(STORIES, 'config.json'), 'utf8'));
  const file = readSafetensors(join(STORIES, 'model.safetensors'));
  const shape = (name: string) => file.tensors.get(name)?.shape;

  it('has the tensors and shapes its config.json implies', () => {
    const d = config.hidden_size;
    const kv = config.num_key_value_heads * config.head_dim;
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(3 + 9 * config.num_hidden_layers);
    expect(shape('model.embed_tokens.weight')).toEqual([config.vocab_size, d]);
    expect(shape('lm_head.weight')).toEqual([config.vocab_size, d]);
    expect(shape('model.norm.weight')).toEqual([d]);
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const p = `model.layers.${i}`;
      expect(shape(`${p}.self_attn.q_proj.weight`)).toEqual([config.num_attention_heads * config.head_dim, d]);
      expect(shape(`${p}.self_attn.k_proj.weight`)).toEqual([kv, d]);
      expect(shape(`${p}.self_attn.v_proj.weight`)).toEqual([kv, d]);
      expect(shape(`${p}.self_attn.o_proj.weight`)).toEqual([d, d]);
      expect(shape(`${p}.mlp.gate_proj.weight`)).toEqual([config.intermediate_size, d]);
      expect(shape(`${p}.mlp.up_proj.weight`)).toEqual([config.intermediate_size, d]);
      expect(shape(`${p}.mlp.down_proj.weight`)).toEqual([d, config.intermediate_size]);
      expect(shape(`${p}.input_layernorm.weight`)).toEqual([d]);
      expect(shape(`${p}.post_attention_layernorm.weight`)).toEqual([d]);
    }
  });

  it('stores lm_head as an exact copy of the tied embedding, and the values are finite', () => {
    const emb = file.tensors.get('model.embed_tokens.weight')?.data as Float32Array;
    const head = file.tensors.get('lm_head.weight')?.data as Float32Array;
    expect(Buffer.compare(bytesOf(head), bytesOf(emb))).toBe(0);
    expect(emb.every(Number.isFinite)).toBe(true);
    expect(emb.some((v) => v !== 0)).toBe(true);
  });

  it('survives a write/read round trip unchanged', () => {
    const again = roundTrip(
      new Map(
        [...file.tensors].map(([name, t]) => [name, { dtype: 'F32' as const, shape: t.shape, data: t.data }] as const),
      ),
    );
    for (const [name, t] of file.tensors) {
      const back = again.get(name);
      expect(back?.shape).toEqual(t.shape);
      expect(Buffer.compare(bytesOf(back?.data ?? new Float32Array(0)), bytesOf(t.data))).toBe(0);
    }
  });
});

describe('corrupt files are CHECKPOINT_INVALID errors naming the file and the tensor', () => {
  const real = readFileSync(join(STORIES, 'model.safetensors'));
  const w = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });

  it('a file truncated in its data', () => {
    expectFileInvalid(real.subarray(0, real.length - 1000), 'lm_head.weight', 'truncated');
  });

  it('a file truncated in its header, or shorter than the length prefix', () => {
    expectFileInvalid(real.subarray(0, 100), 'header length 4936 runs past the end of the file (100 bytes)');
    expectFileInvalid(new Uint8Array(3), 'too short');
  });

  it('a header that is not JSON, or not an object', () => {
    expectFileInvalid(craft(undefined, undefined, '{"w": {"dtype": "F32",'), 'not valid UTF-8 JSON');
    expectFileInvalid(craft([]), 'must be a JSON object');
  });

  it('a header entry missing a field', () => {
    expectFileInvalid(craft({ w: { dtype: 'F32', data_offsets: [0, 4] } }, new Uint8Array(4)), 'tensor "w"', '"shape"');
  });

  it('overlapping offsets', () => {
    expectFileInvalid(
      craft({ a: w('F32', [2], [0, 8]), b: w('F32', [1], [4, 8]) }, new Uint8Array(8)),
      'tensor "b"',
      'overlap tensor "a"',
    );
  });

  it('offsets that leave a gap, or trailing bytes', () => {
    expectFileInvalid(
      craft({ a: w('F32', [1], [0, 4]), b: w('F32', [1], [8, 12]) }, new Uint8Array(12)),
      'tensor "b"',
      'unused',
    );
    expectFileInvalid(craft({ a: w('F32', [1], [0, 4]) }, new Uint8Array(12)), '8 trailing bytes');
  });

  it('offsets past the end of the data, or reversed', () => {
    expectFileInvalid(craft({ a: w('F32', [4], [0, 16]) }, new Uint8Array(8)), 'tensor "a"', 'run past the end');
    expectFileInvalid(craft({ a: w('F32', [0], [4, 0]) }, new Uint8Array(4)), 'tensor "a"', 'before begin');
  });

  it('a shape that does not match the byte count', () => {
    expectFileInvalid(
      craft({ w: w('F32', [3, 2], [0, 20]) }, new Uint8Array(20)),
      'tensor "w"',
      'needs 24 bytes',
      'span 20',
    );
  });

  it('an unsupported dtype, named with its tensor', () => {
    expectFileInvalid(craft({ q: w('F8_E4M3', [4], [0, 4]) }, new Uint8Array(4)), 'tensor "q"', 'F8_E4M3');
    expectFileInvalid(craft({ q: w('Q4_K', [4], [0, 4]) }, new Uint8Array(4)), 'tensor "q"', 'Q4_K');
  });

  it('a 64-bit integer that does not fit int32', () => {
    expectFileInvalid(
      craft({ ids: w('I64', [2], [0, 16]) }, bytesOf(new BigInt64Array([1n, -(2n ** 31n) - 1n]))),
      'tensor "ids"',
      '-2147483649',
      'flat index 1',
    );
    expectFileInvalid(
      craft({ ids: w('U64', [1], [0, 8]) }, bytesOf(new BigUint64Array([2n ** 63n]))),
      'tensor "ids"',
      '9223372036854775808',
    );
  });

  it('metadata that is not a map of strings', () => {
    expectFileInvalid(craft({ __metadata__: { format: 1 } }), '__metadata__.format');
  });

  it('a missing file', () => {
    const path = join(dir, 'absent.safetensors');
    expectInvalid(() => readSafetensors(path), path, 'cannot open');
  });

  it('a duplicated tensor name (the aliasing attack): the first range is left uncovered', () => {
    const header =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expectFileInvalid(craft(undefined, new Uint8Array(8), header), 'tensor "a"', 'unused');
  });

  it('random byte flips and truncations give either a file or CHECKPOINT_INVALID, never another error', () => {
    const valid = serializeSafetensors(
      {
        w: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        h: { dtype: 'F16', shape: [3], data: [1, 2, 3] },
        ids: { dtype: 'I64', shape: [2], data: [7, -8] },
      },
      { format: 'pt' },
    );
    const rng = Rng.fromSeed('safetensors-fuzz');
    const unexpected: string[] = [];
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = valid.slice(0, trial % 4 === 0 ? rng.int(valid.length) : valid.length);
      for (let flips = rng.int(3); flips >= 0 && bytes.length > 0; flips--) bytes[rng.int(bytes.length)] = rng.int(256);
      try {
        parseSafetensors(bytes, 'fuzz.safetensors');
      } catch (e) {
        const ok =
          e instanceof MetaLoraError && e.code === 'CHECKPOINT_INVALID' && e.message.includes('fuzz.safetensors');
        if (!ok) unexpected.push(`trial ${trial}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    expect(unexpected).toEqual([]);
  });
});

describe('readSafetensorsLayout and readSafetensorsEntry (a tensor read where the caller wants it)', () => {
  /** A tensor's float32 bytes, compared as text (quicker than element by element). */
  const hex = (values: Float32Array) =>
    Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
  /** The file as the two calls read it: each tensor as float32, or the error's message. */
  const readLazily = (path: string): Map<string, string> | string => {
    try {
      const out = new Map<string, string>();
      for (const entry of readSafetensorsLayout(path).entries) {
        const values = new Float32Array(entry.shape.reduce((a, b) => a * b, 1));
        readSafetensorsEntry(path, entry, values);
        out.set(entry.name, hex(values));
      }
      return out;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const readWhole = (path: string): Map<string, string> | string => {
    try {
      return new Map(
        [...readSafetensors(path).tensors].map(([name, t]) => [
          name,
          hex(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)),
        ]),
      );
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('read the values readSafetensors reads, as float32, for every dtype and the real checkpoint', () => {
    const mixed = tempFile(
      serializeSafetensors({
        w: { dtype: 'F32', shape: [2, 3], data: [0.1, -2.5, 3e-40, Number.POSITIVE_INFINITY, -0, 7] },
        h: { dtype: 'F16', shape: [3], data: [1, -2, 0.1] },
        b: { dtype: 'BF16', shape: [2], data: [3.140625, 0.1] },
        ids: { dtype: 'I64', shape: [2], data: [7, -8] },
        e: { dtype: 'F32', shape: [0, 4], data: [] },
      }),
    );
    for (const path of [mixed, join(STORIES, 'model.safetensors')]) {
      const whole = readWhole(path);
      expect(typeof whole).not.toBe('string');
      expect(readLazily(path)).toEqual(whole);
    }
  });

  it('fail with the errors of readSafetensors on truncated and corrupted files', () => {
    const valid = serializeSafetensors(
      {
        w: { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        ids: { dtype: 'I64', shape: [2], data: [7, -8] },
      },
      { format: 'pt' },
    );
    const rng = Rng.fromSeed('safetensors-layout');
    for (let trial = 0; trial < 200; trial++) {
      const bytes = valid.slice(0, trial % 2 === 0 ? rng.int(valid.length) : valid.length);
      for (let flips = rng.int(3); flips >= 0 && bytes.length > 0; flips--) bytes[rng.int(bytes.length)] = rng.int(256);
      const path = tempFile(bytes);
      expect(readLazily(path)).toEqual(readWhole(path));
    }
  });
});
