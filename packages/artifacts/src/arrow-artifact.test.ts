import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { Field, Float32, Float64, List, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  artifactFromIPC,
  artifactToIPC,
  defineArtifactKind,
  readArtifact,
  readArtifactInfo,
  writeArtifact,
} from './arrow-artifact.ts';
import { MetaLoraError } from './errors.ts';

const fields = [
  new Field('taskId', new Utf8(), false),
  new Field('score', new Float64(), false),
  new Field('tags', new List(new Field('item', new Utf8(), false)), true),
];
const row = z.strictObject({ taskId: z.string(), score: z.number(), tags: z.array(z.string()).optional() });
const Scores = defineArtifactKind({ kind: 'scores', schemaVersion: 1, row, fields });
const lineage = { configHash: 'c0ffee', seed: 7, parents: [], createdBy: 'arrow-artifact.test' };
const rows = [
  { taskId: 'a', score: 0.5, tags: ['x', 'y'] },
  { taskId: 'b', score: -1 },
];

function dir(): string {
  return tempDir('meta-lora-artifact');
}

const thrown = (fn: () => unknown) => thrownBy(fn, MetaLoraError);

describe('arrow artifacts', () => {
  it('round-trips rows, absent optional cells included', () => {
    const path = join(dir(), 'scores.arrow');
    writeArtifact(path, Scores, rows, lineage);
    expect(readArtifact(path, Scores).rows).toEqual(rows);
  });

  it('writes byte-identical files for equal rows and lineage', () => {
    const d = dir();
    writeArtifact(join(d, 'a.arrow'), Scores, rows, lineage);
    writeArtifact(join(d, 'b.arrow'), Scores, rows, lineage);
    expect(readFileSync(join(d, 'a.arrow')).equals(readFileSync(join(d, 'b.arrow')))).toBe(true);
  });

  it('stores kind, version and lineage in the schema metadata', () => {
    const path = join(dir(), 'scores.arrow');
    const written = writeArtifact(path, Scores, rows, lineage);
    const info = readArtifactInfo(path);
    expect([info.kind, info.schemaVersion, info.lineage]).toEqual(['scores', 1, written]);
  });

  it('names the file, both versions and the fix on a version mismatch', () => {
    const path = join(dir(), 'scores.arrow');
    writeArtifact(path, Scores, rows, lineage);
    const v2 = defineArtifactKind({ kind: 'scores', schemaVersion: 2, row, fields });
    const error = thrown(() => readArtifact(path, v2));
    expect(error.code).toBe('SCHEMA_VERSION_MISMATCH');
    expect(error.message).toMatch(new RegExp(`${path}.*schema version 1.*reads version 2[\\s\\S]*fix: rebuild`));
  });

  it('refuses an artifact of another kind', () => {
    const path = join(dir(), 'scores.arrow');
    writeArtifact(path, Scores, rows, lineage);
    const other = defineArtifactKind({ kind: 'results', schemaVersion: 1, row, fields });
    expect(thrown(() => readArtifact(path, other)).code).toBe('ARTIFACT_INVALID');
  });

  it('reports the row number of a row that fails the schema', () => {
    const path = join(dir(), 'scores.arrow');
    writeArtifact(path, Scores, rows, lineage);
    const strict = defineArtifactKind({
      kind: 'scores',
      schemaVersion: 1,
      row: row.extend({ score: z.number().min(0) }),
      fields,
    });
    const error = thrown(() => readArtifact(path, strict));
    expect([error.code, error.details.line, error.details.field]).toEqual(['ARTIFACT_INVALID', 2, 'score']);
  });

  it('refuses to write a row that fails the schema', () => {
    expect(thrown(() => writeArtifact(join(dir(), 'x.arrow'), Scores, [{ taskId: 1 } as never], lineage)).code).toBe(
      'ARTIFACT_INVALID',
    );
  });

  it('refuses a file that is not Arrow', () => {
    const path = join(dir(), 'junk.arrow');
    writeFileSync(path, 'not arrow');
    expect(thrown(() => readArtifactInfo(path)).code).toBe('ARTIFACT_INVALID');
  });

  it('refuses a kind whose zod and Arrow columns differ', () => {
    expect(() => defineArtifactKind({ kind: 'bad', schemaVersion: 1, row, fields: fields.slice(0, 2) })).toThrow(
      /zod columns/,
    );
  });

  it('detects rows edited after writing through the content hash', () => {
    const path = join(dir(), 'scores.arrow');
    writeArtifact(path, Scores, [{ taskId: 'alpha', score: 1 }], lineage);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('alpha');
    bytes.write('alphb', at); // same length: the file stays valid Arrow, only the data changes
    writeFileSync(path, bytes);
    const error = thrown(() => readArtifact(path, Scores));
    expect([error.code, error.details.field]).toEqual(['ARTIFACT_INVALID', 'artifactId']);
  });

  describe('List<Float32> columns (long float vectors)', () => {
    const Vectors = defineArtifactKind({
      kind: 'vectors',
      schemaVersion: 1,
      row: z.strictObject({ name: z.string(), values: z.custom<Float32Array>((v) => v instanceof Float32Array) }),
      fields: [
        new Field('name', new Utf8(), false),
        new Field('values', new List(new Field('item', new Float32(), false)), false),
      ],
    });
    const vectors = [
      { name: 'a', values: Float32Array.of(0.1, -2.5, 3e-38, 7) },
      { name: 'b', values: new Float32Array(0) },
      { name: 'c', values: Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i)) },
    ];

    it('round-trips Float32Array cells bit-exactly, as arrays of their own', () => {
      const { bytes } = artifactToIPC(Vectors, vectors, lineage);
      const back = artifactFromIPC(bytes, Vectors).rows;
      expect(back.map((r) => r.name)).toEqual(['a', 'b', 'c']);
      back.forEach((r, i) => {
        expect(r.values).toBeInstanceOf(Float32Array);
        expect([...r.values]).toEqual([...vectors[i]!.values]);
        expect(r.values.buffer).not.toBe(bytes.buffer);
      });
    });

    it('gives a different artifactId when one value changes in its last bit', () => {
      const changed = vectors.map((v) => ({ ...v, values: v.values.slice() }));
      const bits = new Uint32Array(changed[2]!.values.buffer);
      bits[999] = (bits[999] as number) ^ 1;
      const a = artifactToIPC(Vectors, vectors, lineage).lineage.artifactId;
      const b = artifactToIPC(Vectors, changed, lineage).lineage.artifactId;
      expect(a).not.toBe(b);
    });

    it('refuses a NaN, naming the row and the position', () => {
      const bad = [{ name: 'a', values: Float32Array.of(1, Number.NaN) }];
      expect(thrown(() => artifactToIPC(Vectors, bad, lineage)).message).toMatch(/values\[1\]/);
    });
  });
});
