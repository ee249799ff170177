/**
 * Typed Arrow artifacts: the files that pass between meta-lora stages. A kind is defined once — a zod row schema, the
 * matching Arrow fields, a `kind` name and a `schemaVersion` — and every file of that kind is an Arrow IPC *file*
 * (`tableToIPC(table, 'file')`) whose schema metadata carries
 *
 *   meta_lora.kind            the kind name
 *   meta_lora.schema_version  the row schema version, as a decimal string
 *   meta_lora.lineage         JSON `Lineage` (artifactId, configHash, seed, parents, createdBy)
 *
 * `artifactId` is the sha256 of kind, version and the canonical JSON of the rows — no clock — so equal inputs give
 * byte-identical files. Readers check kind, version, Arrow fields, every row against zod, and the content hash.
 *
 * Column types: Utf8, Int32, Float64, Bool and List of those, and List<Float32> for long float vectors (gradients,
 * weights): its cells are Float32Array both ways (pair it with `z.instanceof(Float32Array)`), written and read as one
 * block and hashed by their bytes. A null cell reads back as an absent key, so nullable Arrow fields pair with
 * `.optional()` zod fields.
 */
import {
  type DataType,
  type Field,
  Float32,
  type List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import type { z } from 'zod';
import { arrowFields } from './arrow-fields.ts';
import { tableFromArrowIPC } from './arrow-ipc.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { canonicalJson, sha256Hex } from './config-hash.ts';
import { MetaLoraError, showValue } from './errors.ts';
import { type Lineage, type LineageInput, LineageSchema } from './lineage.ts';
import { readFileBytes } from './read-file.ts';

export const META_KIND = 'meta_lora.kind';
export const META_SCHEMA_VERSION = 'meta_lora.schema_version';
export const META_LINEAGE = 'meta_lora.lineage';

/** One artifact kind: its name, version, zod row schema and Arrow fields (same names, same order). */
export interface ArtifactKind<Row> {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly row: z.ZodType<Row>;
  readonly fields: readonly Field[];
}

/** Rows plus where they came from. */
export interface Artifact<Row> {
  readonly rows: Row[];
  readonly lineage: Lineage;
}

/** Any artifact's header and table, for tools that do not know the kind in advance (`meta-lora data inspect`). */
export interface ArtifactInfo {
  readonly path: string;
  readonly kind: string;
  readonly schemaVersion: number;
  readonly lineage: Lineage;
  readonly table: Table;
}

const SUPPORTED = new Set([Type.Utf8, Type.Int, Type.Float, Type.Bool]);

/** A List<Float32> column: its cells are Float32Array. */
function isFloat32List(field: Field): boolean {
  const child = field.type.typeId === Type.List ? field.type.children[0]?.type : undefined;
  return child instanceof Float32 || (child?.typeId === Type.Float && child.precision === 1);
}

/** One List<Float32> column from Float32Array cells, copied into one contiguous block. */
function float32ListData(field: Field, cells: readonly unknown[]) {
  const offsets = new Int32Array(cells.length + 1);
  cells.forEach((cell, i) => {
    offsets[i + 1] = (offsets[i] as number) + (cell as Float32Array).length;
  });
  const values = new Float32Array(offsets[cells.length] as number);
  for (const [i, cell] of cells.entries()) values.set(cell as Float32Array, offsets[i]);
  const listType = field.type as List<Float32>;
  const child = makeData({ type: listType.children[0]!.type, length: values.length, nullCount: 0, data: values });
  return makeData({ type: listType, length: cells.length, nullCount: 0, valueOffsets: offsets, child });
}

/**
 * Defines an artifact kind. The Arrow fields are derived from the zod shape (`arrowFields`) unless given; given ones
 * must name the same columns in the same order.
 *
 * @example
 * const Scores = defineArtifactKind({
 *   kind: 'scores', schemaVersion: 1,
 *   row: z.strictObject({ taskId: z.string(), score: z.number() }),
 * }); // fields: taskId Utf8, score Float64
 */
export function defineArtifactKind<S extends z.ZodObject>(spec: {
  kind: string;
  schemaVersion: number;
  row: S;
  /** The Arrow fields; default: derived from `row` (`arrowFields`). */
  fields?: readonly Field[];
  /** With derived fields: the Arrow type of a column no zod type maps to (List<Float32>). */
  types?: Readonly<Record<string, DataType>>;
}): ArtifactKind<z.output<S>> {
  const fields = spec.fields ?? arrowFields(spec.row, spec.types);
  const zodNames = Object.keys(spec.row.shape);
  const arrowNames = fields.map((f) => f.name);
  if (zodNames.join('\0') !== arrowNames.join('\0')) {
    throw new MetaLoraError(
      'ARTIFACT_INVALID',
      `artifact kind \`${spec.kind}\`: zod columns [${zodNames.join(', ')}] differ from Arrow fields [${arrowNames.join(', ')}]`,
      { field: spec.kind, fix: 'list the same columns, in the same order, in both schemas' },
    );
  }
  for (const field of fields) {
    const inner = field.type.typeId === Type.List ? field.type.children[0]?.type : field.type;
    if (!inner || !SUPPORTED.has(inner.typeId)) {
      throw new MetaLoraError(
        'ARTIFACT_INVALID',
        `artifact kind \`${spec.kind}\`: column \`${field.name}\` has unsupported type ${field.type}`,
        {
          field: field.name,
          fix: 'use Utf8, Int32, Float64, Bool or a List of them',
        },
      );
    }
  }
  // A ZodObject parses to its output type; TS cannot see that through the generic under exactOptionalPropertyTypes.
  const rowSchema = spec.row as unknown as z.ZodType<z.output<S>>;
  return { kind: spec.kind, schemaVersion: spec.schemaVersion, row: rowSchema, fields };
}

/** The content hash of rows of a kind: sha256 over kind, version and canonical row JSON (absent cells dropped). */
export function artifactIdOf(kind: ArtifactKind<unknown>, rows: readonly unknown[]): string {
  const names = kind.fields.map((f) => f.name);
  const projected = rows.map((row) => {
    const r = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const name of names) if (r[name] !== undefined && r[name] !== null) out[name] = r[name];
    return out;
  });
  return sha256Hex(`${kind.kind}\n${kind.schemaVersion}\n${canonicalJson(projected)}`);
}

/**
 * Validates `rows` and encodes them as Arrow IPC file bytes with kind, version and lineage metadata.
 *
 * @example
 * const { bytes, lineage } = artifactToIPC(Scores, [{ taskId: 'a', score: 1 }], { configHash: 'x', seed: null, parents: [], createdBy: 'me' });
 */
export function artifactToIPC<Row>(
  kind: ArtifactKind<Row>,
  rows: readonly Row[],
  lineageInput: LineageInput,
): { bytes: Uint8Array; lineage: Lineage } {
  rows.forEach((row, i) => {
    const parsed = kind.row.safeParse(row);
    if (!parsed.success) throw rowError(kind, `<${kind.kind} being written>`, i, row, parsed.error);
  });
  const lineage: Lineage = {
    artifactId: artifactIdOf(kind, rows),
    kind: kind.kind,
    schemaVersion: kind.schemaVersion,
    ...lineageInput,
  };
  const metadata = new Map([
    [META_KIND, kind.kind],
    [META_SCHEMA_VERSION, String(kind.schemaVersion)],
    [META_LINEAGE, canonicalJson(lineage)],
  ]);
  const schema = new Schema([...kind.fields], metadata);
  const children = kind.fields.map((field) => {
    const values = rows.map((row) => {
      const v = (row as Record<string, unknown>)[field.name];
      return v === undefined ? null : v;
    });
    if (isFloat32List(field)) return float32ListData(field, values);
    const vector = vectorFromArray(values, field.type);
    return vector.data.length === 1 ? vector.data[0]! : vectorFromArray(vector.toArray(), field.type).data[0]!;
  });
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  const table = new Table(schema, [new RecordBatch(schema, data)]);
  return { bytes: tableToIPC(table, 'file'), lineage };
}

/**
 * Writes rows as an artifact file, atomically. Returns the full lineage (with the computed `artifactId`).
 *
 * @example
 * const lineage = writeArtifact('runs/x/scores.arrow', Scores, rows, { configHash: configHash(cfg), seed: 1, parents: [], createdBy: 'eval' });
 */
export function writeArtifact<Row>(
  path: string,
  kind: ArtifactKind<Row>,
  rows: readonly Row[],
  lineage: LineageInput,
): Lineage {
  const out = artifactToIPC(kind, rows, lineage);
  writeFileAtomic(path, out.bytes);
  return out.lineage;
}

/**
 * Reads an artifact of any kind: checks it is an Arrow IPC file with valid meta_lora metadata, without validating rows.
 *
 * @example
 * const info = readArtifactInfo('runs/x/episodes.arrow'); info.kind; info.table.numRows;
 */
export function readArtifactInfo(path: string): ArtifactInfo {
  return artifactInfoFromIPC(readFileBytes(path, 'artifact'), path);
}

/** `readArtifactInfo` on bytes already in memory; `path` only labels errors. */
export function artifactInfoFromIPC(bytes: Uint8Array, path: string): ArtifactInfo {
  const table = tableFromArrowIPC(bytes, {
    path,
    code: 'ARTIFACT_INVALID',
    fix: 'pass a .arrow file written by meta-lora',
  });
  const meta = table.schema.metadata;
  const kind = meta.get(META_KIND);
  const version = meta.get(META_SCHEMA_VERSION);
  const lineageJson = meta.get(META_LINEAGE);
  if (kind === undefined || version === undefined || lineageJson === undefined) {
    throw new MetaLoraError(
      'ARTIFACT_INVALID',
      `Arrow file has no meta_lora metadata (${META_KIND}, ${META_SCHEMA_VERSION}, ${META_LINEAGE})`,
      {
        path,
        fix: 'pass a file written by meta-lora, or convert your data with `meta-lora data build`',
      },
    );
  }
  let lineage: Lineage;
  try {
    lineage = LineageSchema.parse(JSON.parse(lineageJson));
  } catch (cause) {
    throw new MetaLoraError(
      'ARTIFACT_INVALID',
      `bad ${META_LINEAGE} metadata: ${showValue(lineageJson)}`,
      {
        path,
        field: META_LINEAGE,
        value: lineageJson,
        fix: 'rebuild the artifact with meta-lora',
      },
      { cause },
    );
  }
  return { path, kind, schemaVersion: Number(version), lineage, table };
}

/**
 * Reads and checks an artifact of a known kind: kind, schema version, Arrow fields, every row (zod) and the content
 * hash. A version mismatch is `SCHEMA_VERSION_MISMATCH`; anything else wrong is `ARTIFACT_INVALID`.
 *
 * @example
 * const { rows, lineage } = readArtifact('runs/x/scores.arrow', Scores);
 */
export function readArtifact<Row>(path: string, kind: ArtifactKind<Row>): Artifact<Row> {
  return checkArtifact(readArtifactInfo(path), kind);
}

/** `readArtifact` on bytes already in memory; `path` only labels errors. */
export function artifactFromIPC<Row>(bytes: Uint8Array, kind: ArtifactKind<Row>, path = '<bytes>'): Artifact<Row> {
  return checkArtifact(artifactInfoFromIPC(bytes, path), kind);
}

function checkArtifact<Row>(info: ArtifactInfo, kind: ArtifactKind<Row>): Artifact<Row> {
  const { path, table } = info;
  if (info.kind !== kind.kind) {
    throw new MetaLoraError(
      'ARTIFACT_INVALID',
      `expected a \`${kind.kind}\` artifact, found a \`${info.kind}\` artifact`,
      {
        path,
        field: META_KIND,
        value: info.kind,
        fix: `pass a ${kind.kind} artifact here`,
      },
    );
  }
  if (info.schemaVersion !== kind.schemaVersion) {
    throw new MetaLoraError(
      'SCHEMA_VERSION_MISMATCH',
      `\`${kind.kind}\` artifact has schema version ${showValue(info.schemaVersion)}, this meta-lora reads version ${kind.schemaVersion}`,
      {
        path,
        field: META_SCHEMA_VERSION,
        value: info.schemaVersion,
        fix: `rebuild ${path} with this version of meta-lora (schema version ${kind.schemaVersion})`,
      },
    );
  }
  const found = table.schema.fields.map((f) => `${f.name}: ${f.type}`);
  const expected = kind.fields.map((f) => `${f.name}: ${f.type}`);
  if (found.join('\0') !== expected.join('\0')) {
    throw new MetaLoraError('ARTIFACT_INVALID', `columns [${found.join(', ')}] differ from [${expected.join(', ')}]`, {
      path,
      fix: `rebuild ${path} with this version of meta-lora`,
    });
  }
  const columns = kind.fields.map((f) => ({
    name: f.name,
    list: f.type.typeId === Type.List,
    float32: isFloat32List(f),
    vector: table.getChild(f.name)!,
  }));
  const rows: Row[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const raw: Record<string, unknown> = {};
    for (const { name, list, float32, vector } of columns) {
      const cell = vector.get(i);
      if (cell === null || cell === undefined) continue;
      // A copy: the cell is a view into the IPC bytes.
      if (float32) raw[name] = (cell as { toArray(): Float32Array }).toArray().slice();
      else raw[name] = list ? Array.from(cell as Iterable<unknown>) : cell;
    }
    const parsed = kind.row.safeParse(raw);
    if (!parsed.success) throw rowError(kind, path, i, raw, parsed.error);
    rows.push(parsed.data);
  }
  const id = artifactIdOf(kind, rows);
  if (id !== info.lineage.artifactId) {
    throw new MetaLoraError(
      'ARTIFACT_INVALID',
      `rows do not match the artifactId in the lineage (content hash ${id})`,
      {
        path,
        field: 'artifactId',
        value: info.lineage.artifactId,
        fix: `the file was edited or corrupted; rebuild ${path} with meta-lora`,
      },
    );
  }
  return { rows, lineage: info.lineage };
}

function rowError(
  kind: ArtifactKind<unknown>,
  path: string,
  index: number,
  row: unknown,
  error: z.ZodError,
): MetaLoraError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const value = (row as Record<string, unknown>)[String(issue?.path[0] ?? '')];
  return new MetaLoraError(
    'ARTIFACT_INVALID',
    `row ${index + 1}: \`${field}\` ${issue?.message ?? 'is invalid'}, got ${showValue(value)}`,
    {
      path,
      line: index + 1,
      field,
      value,
      fix: `rebuild ${path} with meta-lora (rows must match the \`${kind.kind}\` v${kind.schemaVersion} schema)`,
    },
  );
}
