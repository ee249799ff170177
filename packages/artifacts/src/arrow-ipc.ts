/**
 * Arrow IPC bytes, bounds-checked before apache-arrow decodes them. apache-arrow trusts a file's FlatBuffer metadata:
 * a vector length of 2^31 in a 300-byte file makes it loop, and allocate, 2^31 times, and a batch that claims 2^31
 * rows makes every reader of the table loop over them. `tableFromArrowIPC` walks the framing of both IPC formats
 * (stream; file with its footer) and the metadata of every message apache-arrow will decode, refuses whatever does
 * not fit in the bytes at hand, and only then decodes.
 *
 * References: the Arrow columnar format, "Serialization and Interprocess Communication" (`format/Message.fbs`,
 * `Schema.fbs`, `File.fbs`), and the FlatBuffers binary layout (root offset, vtables, length-prefixed vectors).
 */
import { type Table, tableFromIPC } from 'apache-arrow';
import { type ErrorCode, isMetaLoraError, MetaLoraError } from './errors.ts';

/** Where the bytes came from and how to report them. */
export interface ArrowIPCSource {
  /** Named in errors. */
  readonly path: string;
  /** The code of every refusal, e.g. `ARTIFACT_INVALID` or `DATA_INVALID`. */
  readonly code: ErrorCode;
  readonly fix: string;
}

/**
 * Decodes Arrow IPC bytes (file or stream format) into a table, or throws `source.code` naming the file and what does
 * not fit. Never loops or allocates beyond a small multiple of `bytes.length`.
 *
 * @example
 * const table = tableFromArrowIPC(readFileSync(path), { path, code: 'DATA_INVALID', fix: 'write it with pyarrow' });
 */
export function tableFromArrowIPC(bytes: Uint8Array, source: ArrowIPCSource): Table {
  try {
    checkArrowIPC(bytes);
    return tableFromIPC(bytes);
  } catch (cause) {
    if (isMetaLoraError(cause)) throw cause;
    throw new MetaLoraError(
      source.code,
      `not an Arrow IPC file: ${(cause as Error).message}`,
      { path: source.path, fix: source.fix },
      { cause },
    );
  }
}

const MAGIC = 'ARROW1';
/** FlatBuffer union tags of `MessageHeader`. */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
/** Deepest nesting of schema fields accepted (a cycle of child offsets would otherwise never end). */
const MAX_DEPTH = 64;

/** Throws an Error saying what does not fit; the caller turns it into a MetaLoraError. */
function checkArrowIPC(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Every row costs at least one bit of some buffer (a validity bitmap, or 4 bytes of Utf8 offsets).
  const limits = { maxRows: 8 * bytes.length + 64 };
  const isFile = bytes.length >= MAGIC.length && String.fromCharCode(...bytes.subarray(0, MAGIC.length)) === MAGIC;
  if (!isFile) {
    for (let pos = 0; ; ) {
      const message = messageAt(view, pos, view.byteLength);
      if (message === null) return;
      pos = message.end;
    }
  }
  const footerEnd = view.byteLength - MAGIC.length - 4;
  if (footerEnd < 8) throw new Error(`${bytes.length} bytes is too short for the file format`);
  const footerLength = view.getInt32(footerEnd, true);
  const footerStart = footerEnd - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw new Error(`the footer length ${footerLength} does not fit the file`);
  const footer = new Flat(new DataView(bytes.buffer, bytes.byteOffset + footerStart, footerLength), limits);
  const root = footer.root();
  footer.schema(footer.ref(root, 1));
  // Blocks of dictionaries and of record batches: structs { offset: i64, metaDataLength: i32, bodyLength: i64 }. The
  // file reader rereads a block whose message has another type forever, so each must hold exactly its kind.
  for (const [slot, type] of [
    [2, DICTIONARY_BATCH],
    [3, RECORD_BATCH],
  ] as const) {
    const blocks = footer.ref(root, slot);
    for (let i = 0, n = footer.length(blocks, 24); i < n; i++) {
      const offset = footer.i64(blocks + 4 + 24 * i);
      if (offset < 8 || offset >= footerStart) throw new Error(`block ${i} at offset ${offset} lies outside the file`);
      const message = messageAt(view, offset, footerStart, limits);
      if (message?.type !== type) {
        throw new Error(
          `block ${i} at offset ${offset} holds a message of type ${message?.type ?? 'none'}, not ${type}`,
        );
      }
    }
  }
}

/** The message at `pos` (its metadata checked, its body within `end`), or null at end of stream. */
function messageAt(
  view: DataView,
  pos: number,
  end: number,
  limits = { maxRows: 8 * view.byteLength + 64 },
): { end: number; type: number } | null {
  if (pos + 4 > end) return null;
  let length = view.getInt32(pos, true);
  let start = pos + 4;
  if (length === -1) {
    if (pos + 8 > end) return null;
    length = view.getInt32(pos + 4, true);
    start = pos + 8;
  }
  if (length === 0) return null;
  if (length < 0 || start + length > end) {
    throw new Error(`a message's metadata length ${length} at byte ${pos} runs past the end (${end} bytes)`);
  }
  const flat = new Flat(new DataView(view.buffer, view.byteOffset + start, length), limits);
  const { type, bodyLength } = flat.message();
  if (bodyLength < 0 || start + length + bodyLength > end) {
    throw new Error(`a message body of ${bodyLength} bytes at byte ${start + length} runs past the end (${end} bytes)`);
  }
  return { end: start + length + bodyLength, type };
}

/** One FlatBuffer, read with every offset checked (DataView throws past its end) and every vector length bounded. */
class Flat {
  private visits = 0;

  constructor(
    private readonly view: DataView,
    private readonly limits: { readonly maxRows: number },
  ) {}

  root(): number {
    return this.view.getUint32(0, true);
  }

  /**
   * Position of field `slot` of the table at `table`; 0 when the field is absent. Read as the flatbuffers runtime
   * reads it (signed 16-bit vtable entries), so that this check sees the fields apache-arrow will see.
   */
  field(table: number, slot: number): number {
    const vtable = table - this.view.getInt32(table, true);
    const at = 4 + 2 * slot;
    if (at >= this.view.getInt16(vtable, true)) return 0;
    const offset = this.view.getInt16(vtable + at, true);
    return offset === 0 ? 0 : table + offset;
  }

  /** The table, vector or string that offset field `slot` points at; 0 when absent. */
  ref(table: number, slot: number): number {
    if (table === 0) return 0;
    const at = this.field(table, slot);
    return at === 0 ? 0 : at + this.view.getUint32(at, true);
  }

  /** Length of the vector at `vector`, which must fit in the buffer at `elementBytes` per element. */
  length(vector: number, elementBytes: number): number {
    if (vector === 0) return 0;
    const n = this.view.getUint32(vector, true);
    if (vector + 4 + n * elementBytes > this.view.byteLength) {
      throw new Error(`a metadata vector claims ${n} elements, more than its ${this.view.byteLength} bytes can hold`);
    }
    return n;
  }

  /** Table `i` of the vector of tables at `vector`. */
  element(vector: number, i: number): number {
    const at = vector + 4 + 4 * i;
    return at + this.view.getUint32(at, true);
  }

  i64(at: number): number {
    return Number(this.view.getBigInt64(at, true));
  }

  /** Checks a `Message` root and its header (a schema, a dictionary or a record batch); returns its type and body length. */
  message(): { type: number; bodyLength: number } {
    const message = this.root();
    this.keyValues(this.ref(message, 4));
    const typeAt = this.field(message, 1);
    const type = typeAt === 0 ? 0 : this.view.getUint8(typeAt);
    const header = this.ref(message, 2);
    const bodyAt = this.field(message, 3);
    const bodyLength = bodyAt === 0 ? 0 : this.i64(bodyAt);
    if (type === SCHEMA) this.schema(header);
    else if (type === RECORD_BATCH) this.recordBatch(header, bodyLength);
    else if (type === DICTIONARY_BATCH) this.recordBatch(this.ref(header, 1), bodyLength);
    else throw new Error(`a message has header type ${type}, not a schema, dictionary or record batch`);
    return { type, bodyLength };
  }

  schema(schema: number): void {
    if (schema === 0) return;
    this.fields(this.ref(schema, 1), 1);
    this.keyValues(this.ref(schema, 2));
    this.length(this.ref(schema, 3), 8);
  }

  private fields(vector: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new Error(`schema fields nest deeper than ${MAX_DEPTH} levels`);
    for (let i = 0, n = this.length(vector, 4); i < n; i++) {
      if (++this.visits > this.view.byteLength) throw new Error('schema fields refer to each other in a cycle');
      const field = this.element(vector, i);
      this.length(this.ref(field, 0), 1); // name
      this.fields(this.ref(field, 5), depth + 1); // children
      this.keyValues(this.ref(field, 6));
    }
  }

  private keyValues(vector: number): void {
    for (let i = 0, n = this.length(vector, 4); i < n; i++) {
      const pair = this.element(vector, i);
      this.length(this.ref(pair, 0), 1);
      this.length(this.ref(pair, 1), 1);
    }
  }

  /** A `RecordBatch`: row counts within what the file can hold, buffers within the body. */
  private recordBatch(batch: number, bodyLength: number): void {
    if (batch === 0) return;
    const { maxRows } = this.limits;
    const lengthAt = this.field(batch, 0);
    const rows = lengthAt === 0 ? 0 : this.i64(lengthAt);
    if (rows < 0 || rows > maxRows) throw new Error(`a record batch claims ${rows} rows, more than the file can hold`);
    const nodes = this.ref(batch, 1); // structs { length: i64, nullCount: i64 }
    for (let i = 0, n = this.length(nodes, 16); i < n; i++) {
      const length = this.i64(nodes + 4 + 16 * i);
      const nulls = this.i64(nodes + 12 + 16 * i);
      if (length < 0 || length > maxRows || nulls < 0 || nulls > length) {
        throw new Error(`column node ${i} claims ${length} values (${nulls} null), more than the file can hold`);
      }
    }
    const buffers = this.ref(batch, 2); // structs { offset: i64, length: i64 }
    for (let i = 0, n = this.length(buffers, 16); i < n; i++) {
      const offset = this.i64(buffers + 4 + 16 * i);
      const length = this.i64(buffers + 12 + 16 * i);
      if (offset < 0 || length < 0 || offset + length > bodyLength) {
        throw new Error(`buffer ${i} [${offset}, +${length}) lies outside the ${bodyLength}-byte message body`);
      }
    }
    this.length(this.ref(batch, 4), 8); // variadicBufferCounts
  }
}
