/**
 * Float32 tensors whose values are read where the tensor keeps them. On the wasm backend a tensor lives in the wasm
 * heap, so `read` writes straight into it; on the other backends it fills the array that becomes the tensor. Either
 * way the values are written once: a model's weights never pass through a second buffer, which in a fresh worker
 * thread is memory it would touch for the first time, at a cost in CPU (tooling/bench/README.md, "worker ready").
 */
import { tf } from './tf.ts';

/** Values still to be read: `read` fills `out`, which has the tensor's element count, with them as float32. */
export interface TensorSource {
  readonly shape: readonly number[];
  readonly read: (out: Float32Array) => void;
}

/** The parts of the wasm backend (BackendWasm in @tensorflow/tfjs-backend-wasm) that hold a tensor's memory. */
interface WasmHeapBackend {
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  readonly wasm: { readonly HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/**
 * A float32 tensor of `shape` holding the values `source.read` writes.
 *
 * @example
 * const t = tensorFromSource({ shape: [2], read: (out) => out.set([1, 2]) }, [2]); // tensor [1, 2]
 */
export function tensorFromSource(source: TensorSource, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (tf.getBackend() !== 'wasm') {
    const values = new Float32Array(size);
    source.read(values);
    return tf.tensor(values, [...shape], 'float32');
  }
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const info = backend.makeOutput([...shape], 'float32'); // allocated in the heap, not written
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  try {
    const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset as number;
    // The heap's buffer is read after the allocation: growing the wasm memory replaces it.
    source.read(new Float32Array(backend.wasm.HEAPU8.buffer, offset, size));
  } catch (error) {
    tensor.dispose();
    throw error;
  }
  return tensor;
}
