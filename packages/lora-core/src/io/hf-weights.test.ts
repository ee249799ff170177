import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetaLoraError } from '@meta-lora/artifacts';
import { expectCode, thrownBy } from '@meta-lora/vitest-config';
import { afterAll, describe, expect, it } from 'vitest';
import { hfWeightTensor, openHfWeights, readHfWeights } from './hf-weights.ts';
import { type TensorToWrite, writeSafetensors } from './safetensors-write.ts';

/** A real pretrained checkpoint, in shared/ beside the repository. */
const STORIES = fileURLToPath(new URL('../../../../../shared/models/stories260K', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'meta-lora-checkpoint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCounter = 0;
function modelDir(): string {
  const dir = join(root, `model-${dirCounter++}`);
  mkdirSync(dir);
  return dir;
}

const t = (...values: number[]): TensorToWrite => ({ dtype: 'F32', shape: [values.length], data: values });

/** A 2-shard checkpoint: a and b in shard 1, c in shard 2, with a matching index unless `weightMap` overrides it. */
function sharded(weightMap?: Record<string, string>): string {
  const dir = modelDir();
  writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), { a: t(1, 2), b: t(3) });
  writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), {
    c: { dtype: 'BF16', shape: [1, 2], data: [5, 6] },
  });
  const map = weightMap ?? {
    a: 'model-00001-of-00002.safetensors',
    b: 'model-00001-of-00002.safetensors',
    c: 'model-00002-of-00002.safetensors',
  };
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: 16 }, weight_map: map }),
  );
  return dir;
}

const expectInvalid = (fn: () => unknown, ...fragments: string[]): void =>
  expectCode(thrownBy(fn, MetaLoraError), 'CHECKPOINT_INVALID', ...fragments);

describe('readHfWeights', () => {
  it('loads a single-file model directory', () => {
    const ckpt = readHfWeights(STORIES);
    expect(ckpt.files).toEqual([join(STORIES, 'model.safetensors')]);
    expect(ckpt.tensors.size).toBe(48);
    expect(ckpt.tensors.get('model.embed_tokens.weight')?.shape).toEqual([512, 64]);
  });

  it('loads a 2-shard directory through its index, as float32', () => {
    const dir = sharded();
    const ckpt = readHfWeights(dir);
    expect(ckpt.files).toHaveLength(2);
    expect([...ckpt.tensors.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(ckpt.tensors.get('a')?.data).toEqual(new Float32Array([1, 2]));
    expect(ckpt.tensors.get('c')).toEqual({
      shape: [1, 2],
      data: new Float32Array([5, 6]),
      file: join(dir, 'model-00002-of-00002.safetensors'),
    });
  });

  it('prefers model.safetensors when both layouts are present, as transformers does', () => {
    const dir = sharded();
    writeSafetensors(join(dir, 'model.safetensors'), { only: t(9) });
    expect([...readHfWeights(dir).tensors.keys()]).toEqual(['only']);
  });

  it('says which files it expected when a directory has no weights', () => {
    const dir = modelDir();
    writeFileSync(join(dir, 'config.json'), '{}');
    writeFileSync(join(dir, 'pytorch_model.bin'), '');
    expectInvalid(() => readHfWeights(dir), dir, 'model.safetensors or model.safetensors.index.json', 'config.json');
    expect(() => readHfWeights(dir)).toThrow(/safe_serialization=True/);
  });

  it('names a shard that the index lists but the directory lacks', () => {
    const dir = sharded({ a: 'model-00001-of-00002.safetensors', z: 'model-00003-of-00003.safetensors' });
    expectInvalid(() => readHfWeights(dir), 'model.safetensors.index.json', 'model-00003-of-00003.safetensors', '"z"');
  });

  it('names a tensor that the index lists but its shard does not hold', () => {
    const dir = sharded({
      a: 'model-00001-of-00002.safetensors',
      b: 'model-00001-of-00002.safetensors',
      c: 'model-00001-of-00002.safetensors',
    });
    expectInvalid(() => readHfWeights(dir), 'tensor "c"', 'model-00001-of-00002.safetensors', 'does not hold it');
  });

  it('names a tensor that a shard holds but the index does not list', () => {
    const dir = sharded({ a: 'model-00001-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' });
    expectInvalid(() => readHfWeights(dir), 'tensor "b"', 'does not list');
  });

  it('names a tensor that is in two shards', () => {
    const dir = sharded();
    writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), { a: t(1, 2), c: t(5, 6) });
    expectInvalid(() => readHfWeights(dir), 'tensor "a" is in two shards', 'model-00001-of-00002.safetensors');
  });

  it('rejects an index that is not JSON or has no weight_map, naming the index', () => {
    const dir = modelDir();
    writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": {');
    expectInvalid(() => readHfWeights(dir), 'model.safetensors.index.json', 'not valid JSON');
    writeFileSync(join(dir, 'model.safetensors.index.json'), '{"metadata": {}}');
    expectInvalid(() => readHfWeights(dir), 'model.safetensors.index.json', 'weight_map');
  });

  it('rejects a shard path outside the model directory', () => {
    const dir = sharded({ a: '../elsewhere.safetensors' });
    expectInvalid(() => readHfWeights(dir), 'points outside the model directory');
  });

  it('passes on a corrupt shard error with the shard path', () => {
    const dir = sharded();
    writeFileSync(join(dir, 'model-00002-of-00002.safetensors'), new Uint8Array([1, 2, 3]));
    expectInvalid(() => readHfWeights(dir), join(dir, 'model-00002-of-00002.safetensors'));
  });

  it('reports a missing directory', () => {
    expectInvalid(() => readHfWeights(join(root, 'nope')), 'model directory not found');
  });

  it('loads a single .safetensors file passed directly', () => {
    const dir = modelDir();
    copyFileSync(join(STORIES, 'model.safetensors'), join(dir, 'weights.safetensors'));
    expect(readHfWeights(join(dir, 'weights.safetensors')).tensors.size).toBe(48);
  });
});

describe('openHfWeights', () => {
  const messageOf = (fn: () => unknown): string => thrownBy(fn, MetaLoraError).message;

  it('finds the tensors readHfWeights reads, and each read gives the same float32 values', () => {
    for (const dir of [STORIES, sharded()]) {
      const read = readHfWeights(dir);
      const open = openHfWeights(dir);
      expect(open.files).toEqual(read.files);
      expect([...open.tensors.keys()]).toEqual([...read.tensors.keys()]);
      for (const [name, source] of open.tensors) {
        const values = new Float32Array(source.shape.reduce((a, b) => a * b, 1));
        source.read(values);
        const expected = read.tensors.get(name);
        expect([source.shape, source.file]).toEqual([expected?.shape, expected?.file]);
        const data = expected?.data ?? new Float32Array(0);
        expect(Buffer.from(values.buffer).equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength))).toBe(
          true,
        );
      }
    }
  });

  it('fails as readHfWeights fails on a bad index, a missing shard and a tensor in two shards', () => {
    const twice = sharded();
    writeSafetensors(join(twice, 'model-00002-of-00002.safetensors'), { a: t(1, 2), c: t(5, 6) });
    const dirs = [
      sharded({ a: 'model-00001-of-00002.safetensors', z: 'model-00003-of-00003.safetensors' }),
      sharded({ a: 'model-00001-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' }),
      sharded({ a: '../elsewhere.safetensors' }),
      twice,
      join(root, 'nope'),
    ];
    for (const dir of dirs) expect(messageOf(() => openHfWeights(dir))).toBe(messageOf(() => readHfWeights(dir)));
  });
});

describe('hfWeightTensor', () => {
  const ckpt = readHfWeights(STORIES);

  it('returns a tensor whose shape matches', () => {
    expect(hfWeightTensor(ckpt, 'model.norm.weight', [64]).data).toHaveLength(64);
  });

  it('is SHAPE_MISMATCH for a wrong shape and CHECKPOINT_INVALID for a missing name', () => {
    expect(() => hfWeightTensor(ckpt, 'model.norm.weight', [32])).toThrow(
      /shape \[64\] but config.json implies \[32\]/,
    );
    expectInvalid(() => hfWeightTensor(ckpt, 'model.layers.9.mlp.up_proj.weight'), 'model.layers.9.mlp.up_proj.weight');
  });
});
