/**
 * The single place lora-core imports TensorFlow.js from: `@tensorflow/tfjs-core` with every kernel's gradient and the
 * chained ops, and the cpu and wasm backends registered (tfjs.cjs loads them as CommonJS; `initBackend` in backend.ts
 * picks one).
 */
import tf from './tfjs.cjs';

export { tf };
