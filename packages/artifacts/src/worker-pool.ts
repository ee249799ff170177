/**
 * A small pool of worker threads, both ends of its message protocol. `WorkerPool.start` spawns `size` workers on the
 * worker module, one bundled file (bundle-worker.cjs: as built, dist/<name>.js is the bundle; from source in the
 * workspace, the `.ts` module is bundled on the spot, once per process); that module calls `serveJobs` with a setup
 * function (run once per worker: backend, model) returning the job handler. `run` hands the jobs out in a given order, each to the next idle worker, reports each result as it
 * arrives (`onResult`) and returns the results in job order. A job's error comes back with its code and message and
 * is rethrown as a MetaLoraError (or an Error naming the worker when it was not one). A handler may retire its worker
 * with a result (`Served.retire`): before that worker's next job the pool stops it and starts a fresh one, set up
 * again (a worker retired by its last job is simply stopped by `close`). That is how a worker whose memory has grown
 * past what it can keep hands it back. Every stage that runs jobs on threads
 * uses it: stage 1's task updates, stage 2's baselines and evaluation cells.
 */
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { parentPort, type Transferable, Worker, workerData } from 'node:worker_threads';
import { type ErrorCode, type ErrorDetails, isMetaLoraError, MetaLoraError, showValue } from './errors.ts';

/** `workerData` of a pool worker. */
interface PoolWorkerData<Init> {
  readonly init: Init;
}

interface PoolRequest<Job> {
  readonly id: number;
  readonly job: Job;
}

type PoolReply<Result> =
  | { readonly id: number; readonly result: Result; readonly retire?: boolean }
  | { readonly id: number; readonly progress: unknown }
  | {
      readonly id: number;
      readonly error: { code: ErrorCode; message: string; details: ErrorDetails; known: boolean };
    };

/** What a job handler returns: the result, and the buffers in it to move (not copy) to the main thread. */
export interface Served<Result> {
  readonly result: Result;
  readonly transfer?: readonly Transferable[];
  /**
   * Replace this worker with a fresh one (its setup run again) before it takes another job: for a worker whose memory
   * has grown past what it can keep (a wasm heap only grows). Default false. The result is kept either way.
   */
  readonly retire?: boolean;
}

export interface WorkerPoolOptions<Init> {
  /**
   * The worker module: a `.js` file (or `.ts`, from source) that calls `serveJobs`; see `siblingModule`. A `.ts` module
   * is bundled into one file first (esbuild, which the workspace has through tsx).
   */
  readonly module: URL;
  /** Passed to the module's setup function in every worker (plain data). */
  readonly init: Init;
  /** Worker threads to start. */
  readonly size: number;
  /**
   * Of those, the workers that take no job until `release()` (default 0): they start and set up at once, so they are
   * ready when released. For a caller that shares the cores with other work for a while.
   */
  readonly held?: number;
  /** Names a worker in errors: `${label} ${i} crashed: …`. */
  readonly label: string;
}

export interface PoolRunOptions<Result = unknown> {
  /** Positions of the jobs in the order they are handed out (default: job order). */
  readonly order?: readonly number[];
  /** After a job fails, hand out no further jobs (the running ones finish). Default false: every job runs. */
  readonly failFast?: boolean;
  /** Called with each job's position and result as it arrives (completion order); if it throws, that job fails. */
  readonly onResult?: (index: number, result: Result) => void;
  /** Called with a job's position and each progress value its handler reports (`serveJobs`' `report`). */
  readonly onProgress?: (index: number, progress: unknown) => void;
}

interface Slot<Result> {
  worker: Worker;
  /** Its position in the pool, which names it in errors. */
  readonly index: number;
  /** Its worker said to replace it before its next job (`Served.retire`). */
  retiring: boolean;
  readonly pending: Map<
    number,
    { resolve: (result: Result) => void; reject: (error: Error) => void; progress?: (progress: unknown) => void }
  >;
  failure: Error | null;
  /** Whether a job of this pool is running on the worker. */
  busy: boolean;
  /** Held back from jobs until `release()`. */
  held: boolean;
}

/** One `run` call's bookkeeping. */
interface Batch<Job, Result> {
  readonly jobs: readonly Job[];
  readonly options: PoolRunOptions<Result>;
  readonly results: Result[];
  readonly failures: { index: number; reason: unknown }[];
  /** Jobs handed out and not finished. */
  running: number;
  /** Jobs not handed out yet (they sit in the pool's queue). */
  queued: number;
  readonly settle: (error: unknown, results?: Result[]) => void;
}

export class WorkerPool<Job, Result> {
  private readonly slots: Slot<Result>[] = [];
  private nextId = 0;
  /** Jobs waiting for a worker, of every `run` in progress, in the order they go out. */
  private readonly queue: { batch: Batch<Job, Result>; index: number }[] = [];
  /** How many workers were replaced after a job retired them. */
  private retiredCount = 0;
  /** Set by `close`: no worker is started after it. */
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions<unknown>) {}

  /**
   * Starts the workers (each runs the module's setup in the background; the first job waits for it).
   *
   * @example
   * const pool = WorkerPool.start<Init, Job, Result>({ module: siblingModule('my-worker', import.meta.url), init, size: 2, label: 'my worker' });
   * const results = await pool.run(jobs); await pool.close();
   */
  static start<Init, Job, Result>(options: WorkerPoolOptions<Init>): WorkerPool<Job, Result> {
    const module = runnableModule(options.module);
    const pool = new WorkerPool<Job, Result>({ ...options, module });
    for (let index = 0; index < options.size; index++) {
      const held = index >= options.size - (options.held ?? 0);
      const worker = pool.newWorker();
      const slot: Slot<Result> = {
        worker,
        index,
        pending: new Map(),
        failure: null,
        busy: false,
        held,
        retiring: false,
      };
      pool.listen(slot);
      pool.slots.push(slot);
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** How many workers were replaced by fresh ones after a job retired them (`Served.retire`). */
  get retirements(): number {
    return this.retiredCount;
  }

  /** A fresh worker on the pool's module, which runs its setup. */
  private newWorker(): Worker {
    const data: PoolWorkerData<unknown> = { init: this.options.init };
    return new Worker(this.options.module, { workerData: data });
  }

  /** Listens to the worker of `slot` (at the pool's start, or replacing a retired one). */
  private listen(slot: Slot<Result>): void {
    const { label } = this.options;
    const worker = slot.worker;
    const fail = (error: Error) => {
      slot.failure = error;
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
    };
    worker.on('message', (reply: PoolReply<Result>) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      if ('progress' in reply) {
        p.progress?.(reply.progress);
        return;
      }
      slot.pending.delete(reply.id);
      if ('result' in reply) {
        slot.retiring = reply.retire === true;
        p.resolve(reply.result);
      } else if (reply.error.known) p.reject(restoreError(reply.error));
      else p.reject(new Error(`${label} ${slot.index} failed: ${reply.error.message}`));
    });
    worker.on('error', (error) =>
      fail(new Error(`${label} ${slot.index} crashed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) => fail(new Error(`${label} ${slot.index} exited with code ${code}`)));
  }

  /**
   * Replaces the retiring worker of `slot` with a fresh one, stopping it first (its memory handed back before the
   * fresh one loads). Rejects when the pool was closed meanwhile.
   */
  private async replace(slot: Slot<Result>): Promise<void> {
    const old = slot.worker;
    old.removeAllListeners();
    old.on('error', () => {}); // stopping it is the point; an error on the way out changes nothing
    await old.terminate();
    if (this.closed) throw new Error(`${this.options.label} ${slot.index}: the worker pool was closed`);
    slot.worker = this.newWorker();
    slot.retiring = false;
    slot.failure = null; // the stopped worker's; the fresh one has none
    this.retiredCount++;
    this.listen(slot);
  }

  /**
   * Runs `jobs`, each on the next worker that falls idle, and returns their results in job order; the order they go
   * out in changes no result. Rejects with the failure of the first failed job (in job order) once none of its jobs
   * is running.
   *
   * Runs may overlap: the jobs of a `run` called while another is in progress queue behind that one's jobs not yet
   * handed out, so a caller can keep the workers busy across a point where it would otherwise wait for a whole batch
   * (stage 2 starts the next meta-iteration's adaptations while this one's last query losses are computed).
   *
   * @example
   * const results = await pool.run(jobs, { order: longestFirst(costs), onResult: (i) => console.log('done', i) });
   */
  run(jobs: readonly Job[], options: PoolRunOptions<Result> = {}): Promise<Result[]> {
    const order = options.order ?? jobs.map((_, i) => i);
    return new Promise((resolve, reject) => {
      const batch: Batch<Job, Result> = {
        jobs,
        options,
        results: new Array(jobs.length),
        failures: [],
        running: 0,
        queued: order.length,
        settle: (error, results) => (results ? resolve(results) : reject(error)),
      };
      if (order.length === 0) {
        resolve(batch.results);
        return;
      }
      if (this.slots.length === 0) {
        reject(new Error('the worker pool has no workers (it was closed)'));
        return;
      }
      for (const index of order) this.queue.push({ batch, index });
      this.dispatch();
    });
  }

  /**
   * Lets the held workers (`held` of `start`) take jobs.
   *
   * @example
   * const pool = WorkerPool.start({ ...options, size: 2, held: 1 }); // one worker takes jobs
   * await otherWork; pool.release(); // now both do
   */
  release(): void {
    for (const slot of this.slots) slot.held = false;
    this.dispatch();
  }

  /** Hands queued jobs to the idle workers. */
  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || slot.held) continue;
      const next = this.takeQueued();
      if (!next) return;
      this.start(slot, next.batch, next.index);
    }
  }

  private takeQueued(): { batch: Batch<Job, Result>; index: number } | undefined {
    const entry = this.queue.shift();
    if (entry) entry.batch.queued--;
    return entry;
  }

  private start(slot: Slot<Result>, batch: Batch<Job, Result>, index: number): void {
    slot.busy = true;
    batch.running++;
    const onProgress = batch.options.onProgress;
    const progress = onProgress ? (value: unknown) => onProgress(index, value) : undefined;
    const post = () => this.post(slot, batch.jobs[index] as Job, progress);
    // Posted at once unless the worker is to be replaced first (the caller's next step may wait for the job to start).
    (slot.retiring ? this.replace(slot).then(post) : post()).then(
      (result) => this.finish(slot, batch, index, { ok: true, result }),
      (reason: unknown) => this.finish(slot, batch, index, { ok: false, reason }),
    );
  }

  private finish(
    slot: Slot<Result>,
    batch: Batch<Job, Result>,
    index: number,
    outcome: { ok: true; result: Result } | { ok: false; reason: unknown },
  ): void {
    slot.busy = false;
    batch.running--;
    if (!outcome.ok) this.fail(batch, index, outcome.reason);
    // The worker gets its next job before this result is handled, so it computes while `onResult` runs.
    this.dispatch();
    if (outcome.ok) {
      batch.results[index] = outcome.result;
      try {
        batch.options.onResult?.(index, outcome.result);
      } catch (reason) {
        this.fail(batch, index, reason);
      }
    }
    this.finishIfDone(batch);
  }

  /** Records a failed job; a failFast run's jobs still queued are dropped. */
  private fail(batch: Batch<Job, Result>, index: number, reason: unknown): void {
    batch.failures.push({ index, reason });
    if (!batch.options.failFast || batch.queued === 0) return;
    const kept = this.queue.filter((entry) => entry.batch !== batch);
    this.queue.splice(0, this.queue.length, ...kept);
    batch.queued = 0;
  }

  private finishIfDone(batch: Batch<Job, Result>): void {
    if (batch.running > 0 || batch.queued > 0) return;
    const first = batch.failures.sort((a, b) => a.index - b.index)[0];
    if (first) batch.settle(first.reason);
    else batch.settle(undefined, batch.results);
  }

  private post(slot: Slot<Result>, job: Job, progress?: (value: unknown) => void): Promise<Result> {
    if (slot.failure) return Promise.reject(slot.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, ...(progress ? { progress } : {}) });
      const request: PoolRequest<Job> = { id, job };
      slot.worker.postMessage(request);
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    this.queue.length = 0;
    for (const slot of slots) slot.worker.removeAllListeners('exit');
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

/**
 * The URL of the worker module `name` next to the calling module, with the caller's extension: `.ts` when it runs from
 * source (tsx, vitest), `.js` when it runs built (dist/). A literal `new URL('./x.ts', import.meta.url)` would point
 * at a file the build does not have.
 *
 * @example
 * siblingModule('task-worker', import.meta.url); // file:///…/src/task-worker.ts, or file:///…/dist/task-worker.js
 */
export function siblingModule(name: string, callerUrl: string): URL {
  return new URL(`./${name}${extname(new URL(callerUrl).pathname)}`, callerUrl);
}

/** A `.ts` worker module (a run from source) as one bundled file made from its sources now; a `.js` module as it is. */
function runnableModule(module: URL): URL {
  if (!module.pathname.endsWith('.ts')) return module;
  const bundler = createRequire(import.meta.url)('./bundle-worker.cjs') as typeof import('./bundle-worker.cjs');
  return new URL(bundler.sourceWorkerBundle(module.href));
}

/**
 * The worker side: runs `setup(init)` once (backend, model), then answers each job with `handler(job, report)`'s
 * result, moving its `transfer` buffers; errors go back with their code and message. `report(value)` sends a progress
 * value (plain data) to the run's `onProgress` while the job computes.
 *
 * @example
 * serveJobs<Init, Job, Result>(async (init) => { const model = await load(init); return (job) => ({ result: solve(model, job) }); });
 */
export function serveJobs<Init, Job, Result>(
  setup: (
    init: Init,
  ) => Promise<(job: Job, report: (progress: unknown) => void) => Served<Result> | Promise<Served<Result>>>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs in a worker thread started by WorkerPool');
  const handler = setup((workerData as PoolWorkerData<Init>).init);
  handler.catch(() => {}); // a setup failure is answered to each job, not raised as unhandled
  port.on('message', async (request: PoolRequest<Job>) => {
    try {
      const report = (progress: unknown) => port.postMessage({ id: request.id, progress });
      const { result, transfer = [], retire = false } = await (await handler)(request.job, report);
      const reply: PoolReply<Result> = { id: request.id, result, ...(retire ? { retire } : {}) };
      port.postMessage(reply, [...transfer]);
    } catch (error) {
      const reply: PoolReply<Result> = isMetaLoraError(error)
        ? {
            id: request.id,
            error: { code: error.code, message: error.message, details: cloneable(error.details), known: true },
          }
        : {
            id: request.id,
            error: { code: 'IO_FAILED', message: (error as Error)?.stack ?? String(error), details: {}, known: false },
          };
      port.postMessage(reply);
    }
  });
}

/**
 * Positions ordered by cost, highest first, ties by position: the order for handing out jobs of unequal length so
 * the workers finish together.
 *
 * @example
 * longestFirst([60, 180, 100, 30]); // [1, 2, 0, 3]
 */
export function longestFirst(costs: readonly number[]): number[] {
  return costs.map((_, i) => i).sort((a, b) => (costs[b] as number) - (costs[a] as number) || a - b);
}

/** `details` as a message can carry them: as they are when they structured-clone, with `value` shown as text if not. */
function cloneable(details: ErrorDetails): ErrorDetails {
  try {
    return structuredClone(details);
  } catch {
    return { ...details, value: showValue(details.value) };
  }
}

/** The worker's MetaLoraError on this side: same code, message (already formatted) and details. */
function restoreError(error: { code: ErrorCode; message: string; details: ErrorDetails }): MetaLoraError {
  const restored = new MetaLoraError(error.code, '', error.details);
  restored.message = error.message;
  return restored;
}
