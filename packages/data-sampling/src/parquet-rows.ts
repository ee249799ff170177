/**
 * The rows of a Parquet file, decoded by hyparquet in a worker thread with a heap cap and a time limit. hyparquet
 * trusts a file's page headers and run lengths: a few hundred bytes can make it fill an array of 2^31 values, and a
 * corrupt footer can leave a column decode rejecting with nobody listening, which ends a Node process. In a worker,
 * any of these ends the worker, and the caller gets an Error that says why.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The worker: import hyparquet, decode, post the rows (or the failure's message) back. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.hyparquet)
  .then(({ parquetReadObjects }) => parquetReadObjects({ file: workerData.file }))
  .then((rows) => parentPort.postMessage({ rows }), (error) => parentPort.postMessage({ error: String(error?.message ?? error) }));
`;

const hyparquet = pathToFileURL(createRequire(import.meta.url).resolve('hyparquet')).href;

/**
 * Decodes `file` into row objects (column name → value). Refuses, with an Error, a file hyparquet cannot read, one
 * whose rows need more than 256 MiB + 64 × its size of heap, and one that takes longer than 10 s + 10 s per MiB
 * (hyparquet reads tens of MiB a second).
 *
 * @example
 * const rows = await readParquetRows(readFileSync('data.parquet').buffer); // [{ task: 'a', input: '…', output: '…' }]
 */
export function readParquetRows(file: ArrayBuffer): Promise<Record<string, unknown>[]> {
  const mib = file.byteLength / 2 ** 20;
  const limitMs = 10_000 + 10_000 * mib;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { hyparquet, file },
    transferList: [file],
    resourceLimits: { maxOldGenerationSizeMb: Math.ceil(256 + 64 * mib), maxYoungGenerationSizeMb: 32 },
  });
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`decoding took longer than ${Math.round(limitMs / 1000)} s`))),
      limitMs,
    );
    worker.once('message', (reply: { rows: Record<string, unknown>[] } | { error: string }) =>
      settle(() => ('error' in reply ? reject(new Error(reply.error)) : resolve(reply.rows))),
    );
    worker.once('error', (error) =>
      settle(() =>
        reject(
          (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new Error(`its rows need more than ${Math.ceil(256 + 64 * mib)} MiB`)
            : error,
        ),
      ),
    );
    worker.once('exit', (code) => settle(() => reject(new Error(`the decoder stopped (exit code ${code})`))));
  });
}
