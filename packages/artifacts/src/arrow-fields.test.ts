import { Bool, Field, Float32, Float64, Int32, List, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { arrowFields } from './arrow-fields.ts';
import { MetaLoraError } from './errors.ts';

const show = (fields: readonly Field[]) =>
  fields.map((f) => `${f.name}: ${f.type} ${f.nullable ? 'null' : 'not null'}`);

describe('arrowFields', () => {
  it('maps each zod column to the Arrow type it is written as, in order', () => {
    const row = z.strictObject({
      taskId: z.string().min(1),
      method: z.enum(['a', 'b']),
      steps: z.number().int().min(1),
      loss: z.number(),
      selected: z.boolean(),
      hit: z.union([z.literal(0), z.literal(100)]),
      losses: z.array(z.number()),
    });
    expect(show(arrowFields(row))).toEqual(
      show([
        new Field('taskId', new Utf8(), false),
        new Field('method', new Utf8(), false),
        new Field('steps', new Int32(), false),
        new Field('loss', new Float64(), false),
        new Field('selected', new Bool(), false),
        new Field('hit', new Float64(), false),
        new Field('losses', new List(new Field('item', new Float64(), false)), false),
      ]),
    );
  });

  it('makes optional and nullable columns nullable', () => {
    const row = z.strictObject({ k: z.number().int().positive().optional(), cosine: z.number().nullable() });
    expect(arrowFields(row).map((f) => [String(f.type), f.nullable])).toEqual([
      ['Int32', true],
      ['Float64', true],
    ]);
  });

  it('takes the type of a column no zod type maps to from `types`', () => {
    const float32s = new List(new Field('item', new Float32(), false));
    const row = z.strictObject({ values: z.custom<Float32Array>((v) => v instanceof Float32Array) });
    expect(arrowFields(row, { values: float32s })[0]?.type).toBe(float32s);
    expect(() => arrowFields(row)).toThrow(MetaLoraError);
    expect(() => arrowFields(row)).toThrow(/column `values`: no Arrow type for zod type custom/);
  });
});
