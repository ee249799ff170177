/**
 * The single place lora-core imports TensorFlow.js from: `@tensorflow/tfjs-core` with every kernel's gradient and the
 * chained ops, and the wasm backend registered (tfjs.cjs loads them as CommonJS; `initBackend` in backend.ts picks a
 * backend, and registers the cpu one when it picks it).
 */
import tf from './tfjs.cjs';

export { tf };
