/**
 * Choosing the TensorFlow.js backend. In `auto` mode the order is:
 *   1. `tensorflow` — native libtensorflow through `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`. These are
 *      not dependencies (their install scripts download libtensorflow); they are used when the user has installed one
 *      and it loads.
 *   2. `wasm` — `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD), which ships its .wasm inside the npm package. Always
 *      single-threaded: the threaded build spawns its worker from a `blob:` URL, which Node 20 rejects (ERR_WORKER_PATH).
 *   3. `cpu` — plain JavaScript, always there, slow.
 * `META_LORA_BACKEND=tensorflow|wasm|cpu|auto` or the `backend` option (which wins) forces one; a forced backend that
 * cannot load is a `BACKEND_UNAVAILABLE` error that says what to install.
 *
 * On wasm, matmuls and the fused kernels go to the optional `@meta-lora/native-blas` addon when it built (its
 * `BatchMatMul` replaces the wasm kernel, whose transposed and batched cases are slow): on OpenBLAS where
 * `libopenblas.so.0` loads, else on the addon's built-in sgemm. `META_LORA_NATIVE=0` switches the addon off. Where the
 * addon cannot load (or runs without OpenBLAS), the run says so once per process, before any heavy work, with the
 * command that fixes it (backend-banner.ts), and carries on.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { type EnvVar, MetaLoraError, readEnv, showValue } from '@meta-lora/artifacts';
import { detectPlatform, type FastPathGap, fastPathBanner } from './backend-banner.ts';
import { tf } from './tf.ts';

// TF.js packages are required as CommonJS (an ESM import would scan their source again; see tfjs.cjs).
const requireTfjs = createRequire(import.meta.url);
// Loaded by tfjs.cjs already.
const wasmBackend = requireTfjs('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** A backend request: `auto` takes the fastest that loads. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** A backend that can run. */
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendOptions {
  /** Forces a backend; when absent, `META_LORA_BACKEND` decides, and when that is unset, `auto`. */
  readonly backend?: BackendChoice;
  /** Skip the one-line report on stderr. */
  readonly quiet?: boolean;
}

/** The backend in use. */
export interface BackendInfo {
  /** The TF.js backend name (`tf.getBackend()`). */
  readonly name: BackendName;
  /** The npm package that provides it, with its version. */
  readonly source: string;
  /** What was asked for, and where the request came from. */
  readonly requested: BackendChoice;
  readonly requestedBy: 'option' | 'META_LORA_BACKEND' | 'default';
  /** Threads the backend computes on (1 for wasm and cpu; libtensorflow manages its own pool, reported as 0). */
  readonly threads: number;
  /**
   * What runs the matmuls: e.g. `OpenBLAS cblas_sgemm (libopenblas.so.0, Haswell kernels, 1 thread)`,
   * `built-in sgemm (AVX2+FMA 6x16; no OpenBLAS found)` or `wasm kernels`.
   */
  readonly matmul: string;
  /** Whether `@meta-lora/native-blas`'s matmul and fused kernels are registered (wasm with the addon loaded). */
  readonly nativeKernels: boolean;
}

export const BACKEND_ENV = 'META_LORA_BACKEND' satisfies EnvVar;
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const INSTALL_NATIVE =
  `install a native backend next to meta-lora, at the version of @tensorflow/tfjs-core (${tf.version_core}): ` +
  `\`pnpm add @tensorflow/tfjs-node@${tf.version_core}\` (CPU) or \`pnpm add @tensorflow/tfjs-node-gpu@${tf.version_core}\` ` +
  `(CUDA); their install scripts download libtensorflow. Or use ${BACKEND_ENV}=wasm`;

let current: BackendInfo | undefined;
/** Whether this process has said that its fast path is missing (once is enough). */
let gapReported = false;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects and initialises the TF.js backend, and reports it on stderr (one line) unless `quiet`. Idempotent: once a
 * backend is up, `auto` or the same name returns it at once; a different forced name switches.
 *
 * @example
 * const { name } = await initBackend(); // 'wasm' here; 'tensorflow' where @tensorflow/tfjs-node is installed
 * await initBackend({ backend: 'cpu', quiet: true });
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  // Serialised, so concurrent callers never race tf.setBackend.
  const next = queue.then(() => selectBackend(options));
  queue = next.catch(() => undefined);
  return next;
}

/**
 * The backend `initBackend` chose, or `undefined` before it ran.
 *
 * @example
 * backendInfo()?.name; // 'wasm'
 */
export function backendInfo(): BackendInfo | undefined {
  return current !== undefined && tf.getBackend() === current.name ? current : undefined;
}

async function selectBackend(options: BackendOptions): Promise<BackendInfo> {
  const { choice, by } = resolveChoice(options);
  if (current !== undefined && tf.getBackend() === current.name && (choice === 'auto' || choice === current.name)) {
    return current;
  }
  const failures: string[] = [];
  const order: BackendName[] = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    const loaded = await tryBackend(name, failures);
    if (loaded === undefined) continue;
    const matmul: NativeMatmul =
      name === 'wasm' ? await nativeMatmul() : { text: `${name} kernels`, note: '', registered: false };
    current = {
      name,
      source: loaded.source,
      requested: choice,
      requestedBy: by,
      threads: loaded.threads,
      matmul: matmul.text,
      nativeKernels: matmul.registered,
    };
    // Worker threads run what their main thread started, which has said it already.
    if (!options.quiet && isMainThread && matmul.gap !== undefined && !gapReported) {
      gapReported = true;
      process.stderr.write(fastPathBanner(matmul.gap, detectPlatform()));
    }
    if (!options.quiet) {
      // A faster backend that is installed but broken is worth a mention; one that is simply absent is not.
      const skipped = failures.filter((f) => !f.endsWith('not installed'));
      const why = choice === 'auto' ? '' : ` (forced by ${by === 'option' ? 'the backend option' : BACKEND_ENV})`;
      const note = skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
      process.stderr.write(
        `meta-lora: TensorFlow.js backend "${name}" from ${loaded.source}, ${threadText(loaded.threads)}${matmul.note}${why}${note}\n`,
      );
    }
    return current;
  }
  const where = by === 'option' ? `backend: '${choice}'` : `${BACKEND_ENV}=${choice}`;
  throw new MetaLoraError(
    'BACKEND_UNAVAILABLE',
    choice === 'auto'
      ? `no TensorFlow.js backend could start: ${failures.join('; ')}`
      : `backend "${choice}" was requested (${where}) but cannot start: ${failures.join('; ')}`,
    {
      field: by === 'option' ? 'backend' : BACKEND_ENV,
      value: choice,
      fix:
        choice === 'tensorflow'
          ? INSTALL_NATIVE
          : `reinstall meta-lora's dependencies (pnpm install), or choose another backend with ${BACKEND_ENV}`,
    },
  );
}

function resolveChoice(options: BackendOptions): { choice: BackendChoice; by: BackendInfo['requestedBy'] } {
  if (options.backend !== undefined) {
    if (!(BACKEND_CHOICES as readonly string[]).includes(options.backend)) {
      throw new MetaLoraError('CONFIG_INVALID', `backend must be one of ${BACKEND_CHOICES.join(', ')}`, {
        field: 'backend',
        value: options.backend,
        fix: `got ${showValue(options.backend)}; pass one of ${BACKEND_CHOICES.join(', ')}`,
      });
    }
    return { choice: options.backend, by: 'option' };
  }
  const raw = readEnv(BACKEND_ENV);
  if (raw === undefined || raw.trim() === '') return { choice: 'auto', by: 'default' };
  const value = raw.trim().toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `${BACKEND_ENV} must be one of ${BACKEND_CHOICES.join(', ')}, got ${showValue(raw)}`,
      { field: BACKEND_ENV, value: raw, fix: `unset ${BACKEND_ENV} or set it to one of ${BACKEND_CHOICES.join(', ')}` },
    );
  }
  return { choice: value as BackendChoice, by: BACKEND_ENV };
}

/** Starts one backend; on failure appends the reason to `failures` and returns undefined. */
async function tryBackend(
  name: BackendName,
  failures: string[],
): Promise<{ source: string; threads: number } | undefined> {
  if (name === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      const problem = await importOptional(pkg);
      if (problem !== undefined) {
        failures.push(`${pkg}: ${problem}`);
        continue;
      }
      if (tf.findBackendFactory('tensorflow') === null) {
        failures.push(
          `${pkg}: loaded, but registered no "tensorflow" backend with meta-lora's @tensorflow/tfjs-core ` +
            `${tf.version_core} (a different tfjs-core version?)`,
        );
        continue;
      }
      if (await startBackend('tensorflow')) return { source: `${pkg} ${versionOf(pkg)}`, threads: 0 };
      failures.push(`${pkg}: the "tensorflow" backend failed to initialise`);
    }
    return undefined;
  }
  if (name === 'wasm') {
    // Node has no worker for the threaded build; say so explicitly rather than rely on the feature probe.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasmBackend.setThreadsCount(1);
    if (await startBackend('wasm')) {
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD';
      return {
        source: `@tensorflow/tfjs-backend-wasm ${tf.version_core} (${simd})`,
        threads: wasmBackend.getThreadsCount(),
      };
    }
    failures.push('wasm: @tensorflow/tfjs-backend-wasm failed to initialise');
    return undefined;
  }
  requireTfjs('@tensorflow/tfjs-backend-cpu'); // registers the "cpu" backend, once per thread (only here: see tfjs.cjs)
  if (await startBackend('cpu')) return { source: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`, threads: 1 };
  failures.push('cpu: @tensorflow/tfjs-backend-cpu failed to initialise');
  return undefined;
}

/** What runs the matmuls on wasm, for the report; `gap`: what is missing from the fast path, if anything. */
interface NativeMatmul {
  readonly text: string;
  readonly note: string;
  readonly registered: boolean;
  readonly gap?: FastPathGap;
}

/** Registers the matmul and fused kernels of `@meta-lora/native-blas` on the wasm backend, where the addon loads. */
async function nativeMatmul(): Promise<NativeMatmul> {
  const pkg = '@meta-lora/native-blas';
  let native: typeof import('@meta-lora/native-blas');
  try {
    // A literal specifier, so that a worker bundle (@meta-lora/artifacts' bundle-worker.cjs) carries the package.
    native = await import('@meta-lora/native-blas');
  } catch {
    const reason = `${pkg} is not installed`;
    return {
      text: 'wasm kernels',
      note: `; matmul: wasm kernels (${reason})`,
      registered: false,
      gap: { missing: 'addon', reason },
    };
  }
  const loaded = native.loadNativeBlas(); // a bad META_LORA_THREADS or META_LORA_SGEMM_KERNEL throws: the user's typo
  if (!loaded.available) {
    const note = `; matmul: wasm kernels (native path off: ${loaded.reason})`;
    const chosen = loaded.switchedOff; // META_LORA_NATIVE=0: nothing to fix
    return {
      text: 'wasm kernels',
      note,
      registered: false,
      ...(chosen ? {} : { gap: { missing: 'addon', reason: loaded.reason } }),
    };
  }
  const { blas } = loaded;
  native.registerBlasKernels(tf, blas);
  if (blas.gemm.kind === 'openblas') {
    const text = `OpenBLAS cblas_sgemm (${blas.library}, ${openBlasKernels(blas.config)}${threadText(blas.threads())})`;
    return { text, note: `; matmul: ${text}`, registered: true };
  }
  const kernel = blas.config.replace(/^built-in sgemm, /, '');
  const why = blas.gemm.why;
  const text = `built-in sgemm (${kernel}; ${why.replace(/ \(.*$/, '')})`;
  const chosen = blas.gemm.chosen; // META_LORA_OPENBLAS=none: nothing to fix
  return {
    text,
    note: `; matmul: ${text}`,
    registered: true,
    ...(chosen ? {} : { gap: { missing: 'openblas', reason: why, kernel } }),
  };
}

/** `tf.setBackend` (false on failure), then `tf.ready`. */
async function startBackend(name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    // The cpu backend's first write prints a banner telling Node users to install tfjs-node; our report replaces it.
    if (name === 'cpu') (tf.backend() as { firstUse?: boolean }).firstUse = false;
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Imports an optional package, resolved from here or else from the working directory; a reason when it fails. */
async function importOptional(pkg: string): Promise<string | undefined> {
  const resolved = resolveFrom(import.meta.url, pkg) ?? resolveFrom(join(process.cwd(), 'noop.js'), pkg);
  if (resolved === undefined) return 'not installed';
  try {
    await import(pathToFileURL(resolved).href);
    return undefined;
  } catch (cause) {
    return `installed at ${resolved} but failed to load: ${(cause as Error).message.split('\n')[0]}`;
  }
}

function resolveFrom(from: string, pkg: string): string | undefined {
  try {
    return createRequire(from).resolve(pkg);
  } catch {
    return undefined;
  }
}

function versionOf(pkg: string): string {
  const path =
    resolveFrom(import.meta.url, `${pkg}/package.json`) ??
    resolveFrom(join(process.cwd(), 'noop.js'), `${pkg}/package.json`);
  try {
    return path === undefined ? '' : (createRequire(import.meta.url)(path) as { version: string }).version;
  } catch {
    return '';
  }
}

/**
 * The CPU kernels a DYNAMIC_ARCH OpenBLAS chose, as `Haswell kernels, ` (empty when its config does not say): they set
 * the rounding of every product, and OPENBLAS_CORETYPE changes them, so the report names them.
 *
 * @example
 * openBlasKernels('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64'); // 'Haswell kernels, '
 */
function openBlasKernels(config: string): string {
  const core = /\bDYNAMIC_ARCH\b.*?(\S+) MAX_THREADS=/.exec(config)?.[1];
  return core ? `${core} kernels, ` : '';
}

function threadText(threads: number): string {
  return threads === 0 ? 'native thread pool' : `${threads} thread${threads === 1 ? '' : 's'}`;
}
