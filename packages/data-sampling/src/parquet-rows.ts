/**
 * The rows of a Parquet file, decoded by hyparquet in a child process with a heap cap and a time limit. hyparquet
 * trusts a file's page headers and run lengths: a few hundred bytes can make it fill an array of 2^31 values, loop
 * forever, or leave a column decode rejecting with nobody listening. A worker thread with `resourceLimits` is not
 * enough: V8 aborts the whole process when some allocation shapes reach a worker's heap limit (an array grown by
 * `push`; nodejs/node#47224), which the parser fuzz hit. In a child process any of these ends the child only, and the
 * caller gets an Error that says why.
 */
import { type Serializable, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The child: receive the file, import hyparquet, decode, send the rows (or the failure's message) back. */
const DECODER = `
process.once('message', ({ hyparquet, file }) => {
  import(hyparquet)
    .then(({ parquetReadObjects }) => parquetReadObjects({ file }))
    .then((rows) => ({ rows }), (error) => ({ error: String(error?.message ?? error) }))
    .then((reply) => process.send(reply, () => process.exit(0)));
});
`;

const hyparquet = pathToFileURL(createRequire(import.meta.url).resolve('hyparquet')).href;

/** What the decoding child may use: heap in MiB and wall time in ms. */
export interface DecodeLimits {
  readonly heapMib: number;
  readonly ms: number;
}

/**
 * Runs `script` in a child Node process (IPC with structured-clone serialization), sends it `payload`, and resolves
 * with its one reply. Rejects with an Error when the child runs out of its heap, exceeds the time limit, or stops
 * without replying; the calling process is never taken down by the child.
 *
 * @example
 * const reply = await inChildProcess(DECODER, { hyparquet, file }, { heapMib: 256, ms: 10_000 });
 */
export function inChildProcess<T>(script: string, payload: Serializable, limits: DecodeLimits): Promise<T> {
  const child = spawn(process.execPath, [`--max-old-space-size=${limits.heapMib}`, '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    if (stderr.length < 16_384) stderr += String(chunk);
  });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`decoding took longer than ${Math.round(limits.ms / 1000)} s`))),
      limits.ms,
    );
    child.once('message', (reply) => settle(() => resolve(reply as T)));
    child.once('error', (error) => settle(() => reject(error)));
    // 'close', not 'exit': by then the IPC channel has delivered every message the child sent.
    child.once('close', (code, signal) =>
      settle(() =>
        reject(
          /heap out of memory|Allocation failed/.test(stderr)
            ? new Error(`its rows need more than ${limits.heapMib} MiB`)
            : new Error(`the decoder stopped (${signal ? `signal ${signal}` : `exit code ${code}`})`),
        ),
      ),
    );
    child.send(payload);
  });
}

/**
 * Decodes `file` into row objects (column name → value). Refuses, with an Error, a file hyparquet cannot read, one
 * whose rows need more than 256 MiB + 64 × its size of heap, and one that takes longer than 10 s + 10 s per MiB
 * (hyparquet reads tens of MiB a second).
 *
 * @example
 * const rows = await readParquetRows(readFileSync('data.parquet').buffer); // [{ task: 'a', input: '…', output: '…' }]
 */
export async function readParquetRows(file: ArrayBuffer): Promise<Record<string, unknown>[]> {
  const mib = file.byteLength / 2 ** 20;
  const limits = { heapMib: Math.ceil(256 + 64 * mib), ms: 10_000 + 10_000 * mib };
  const reply = await inChildProcess<{ rows: Record<string, unknown>[] } | { error: string }>(
    DECODER,
    { hyparquet, file },
    limits,
  );
  if ('error' in reply) throw new Error(reply.error);
  return reply.rows;
}
