/**
 * An artifact's Arrow fields derived from its zod row schema, so a column is declared once. Each zod column maps to the
 * Arrow type its values are written as:
 *
 *   z.string(), z.enum(…), z.literal('…')   Utf8
 *   z.number().int()                        Int32
 *   z.number(), z.literal(0)                Float64
 *   z.union([a, b, …])                      the options' type, when they all have the same one
 *   z.boolean()                             Bool
 *   z.array(item)                           List<item's type> (child field `item`, not nullable)
 *   .optional() / .nullable()               the same type, nullable
 *
 * A column whose Arrow type is none of these (List<Float32> for long float vectors) names its type in `types`.
 */
import { Bool, type DataType, Field, Float64, Int32, List, Utf8 } from 'apache-arrow';
import type { z } from 'zod';
import { MetaLoraError } from './errors.ts';

/** The parts of a zod 4 schema's definition this module reads. */
interface ZodDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly values?: readonly unknown[];
  readonly options?: readonly z.ZodType[];
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

/** The Arrow type of a zod column (its optional/nullable wrappers already removed), or undefined when none fits. */
function arrowType(schema: z.ZodType): DataType | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
    case 'enum':
      return new Utf8();
    case 'literal':
      return def.values?.every((v) => typeof v === 'number') ? new Float64() : new Utf8();
    case 'number':
      return (schema as z.ZodNumber).isInt ? new Int32() : new Float64();
    case 'boolean':
      return new Bool();
    case 'array': {
      const item = def.element === undefined ? undefined : arrowType(def.element);
      return item && new List(new Field('item', item, false));
    }
    case 'union': {
      // One type when every option maps to it (z.union([z.literal(0), z.literal(100)]) is Float64).
      const types = (def.options ?? []).map(arrowType);
      const first = types[0];
      return first && types.every((t) => t !== undefined && String(t) === String(first)) ? first : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The Arrow fields of `row`'s columns, in its order; `types` gives the type of a column no zod type maps to.
 *
 * @example
 * arrowFields(z.strictObject({ taskId: z.string(), k: z.number().int().optional() }));
 * // [Field taskId: Utf8 (not null), Field k: Int32 (nullable)]
 */
export function arrowFields(row: z.ZodObject, types: Readonly<Record<string, DataType>> = {}): Field[] {
  return Object.entries(row.shape).map(([name, column]) => {
    let schema = column as z.ZodType;
    let nullable = false;
    for (let def = defOf(schema); def.type === 'optional' || def.type === 'nullable'; def = defOf(schema)) {
      nullable = true;
      schema = def.innerType as z.ZodType;
    }
    const type = types[name] ?? arrowType(schema);
    if (type === undefined) {
      throw new MetaLoraError(
        'ARTIFACT_INVALID',
        `column \`${name}\`: no Arrow type for zod type ${defOf(schema).type}`,
        {
          field: name,
          fix: 'give the column its Arrow type in `types`, or use a string, number, boolean or array column',
        },
      );
    }
    return new Field(name, type, nullable);
  });
}
