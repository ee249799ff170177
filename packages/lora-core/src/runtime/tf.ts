/**
 * The single place lora-core imports TensorFlow.js from.
 *
 * tfjs-core registers no gradients by itself, and its ESM `register_all_gradients` entry uses directory imports that
 * Node's ESM loader rejects; the `@tensorflow/tfjs` CommonJS bundle registers them all on the same tfjs-core instance.
 * The wasm and cpu backends register themselves on import; `initBackend` (backend.ts) picks one.
 */
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

export { tf };
