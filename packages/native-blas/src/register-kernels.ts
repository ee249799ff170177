/**
 * `BatchMatMul` for the TF.js wasm backend through OpenBLAS `cblas_sgemm`, reading and writing the backend's tensors in
 * place in the wasm heap. It replaces the backend's own kernel, whose transposed and batched cases fall off XNNPACK's
 * fast path (PERF-NOTES.md): sgemm takes `transposeA`/`transposeB` and each batch at full speed. Cases it does not
 * cover (non-float32, empty operands, batch shapes that broadcast other than one-against-many) go to the original
 * kernel unchanged.
 *
 * Dimension letters: m rows of op(A), k inner, n columns of op(B).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { NativeBlas } from './native-blas.ts';

/** The parts of the wasm backend this kernel touches (BackendWasm in @tensorflow/tfjs-backend-wasm). */
interface WasmBackendLike {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  readonly wasm: { readonly HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tfc.DataType): tfc.TensorInfo;
}

const registered = new Map<string, tfc.KernelConfig>();

/**
 * Registers the OpenBLAS `BatchMatMul` on the wasm backend of `tf` (meta-lora's tfjs-core instance); returns the
 * kernel names now served natively. Call after the wasm backend is initialised. Idempotent.
 *
 * @example
 * const status = loadNativeBlas();
 * if (status.available) registerBlasKernels(tf, status.blas); // ['BatchMatMul']
 */
export function registerBlasKernels(tf: typeof tfc, blas: NativeBlas): string[] {
  const key = 'BatchMatMul/wasm';
  if (!registered.has(key)) {
    const original = tf.getKernel('BatchMatMul', 'wasm');
    if (original === undefined) return [];
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      kernelFunc: (args) => batchMatMul(tf, blas, original, args),
    });
    registered.set(key, original);
  }
  return ['BatchMatMul'];
}

/**
 * Puts the backend's own kernels back (tests compare both paths in one process).
 *
 * @example
 * unregisterBlasKernels(tf);
 */
export function unregisterBlasKernels(tf: typeof tfc): void {
  for (const [key, original] of registered) {
    const [name, backend] = key.split('/') as [string, string];
    tf.unregisterKernel(name, backend);
    tf.registerKernel(original);
    registered.delete(key);
  }
}

function batchMatMul(
  tf: typeof tfc,
  blas: NativeBlas,
  original: tfc.KernelConfig,
  args: Parameters<tfc.KernelFunc>[0],
): tfc.TensorInfo | tfc.TensorInfo[] {
  const { a, b } = args.inputs as { a: tfc.TensorInfo; b: tfc.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as unknown as WasmBackendLike;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return original.kernelFunc(args);
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (k !== kb || m * n * k === 0 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    return original.kernelFunc(args); // its error message for a shape mismatch; empty or odd broadcasts
  }
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outBatch, m, n], 'float32'); // [..., m, n]
  const offset = (t: tfc.TensorInfo) => (backend.dataIdMap.get(t.dataId)?.memoryOffset as number) / 4;
  // Read the heap after makeOutput: allocating can grow wasm memory, which replaces the buffer.
  blas.sgemm(
    backend.wasm.HEAPU8.buffer as ArrayBuffer,
    Math.max(batchA, batchB),
    m,
    n,
    k,
    transposeA,
    transposeB,
    offset(a),
    offset(b),
    offset(out),
    batchA === 1 ? 0 : m * k,
    batchB === 1 ? 0 : k * n,
  );
  return out;
}
