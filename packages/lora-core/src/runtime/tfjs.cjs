// The single place lora-core loads TensorFlow.js from; `tf.ts` gives it its types (tfjs.d.cts).
//
// CommonJS on purpose: the TF.js packages are CommonJS bundles of about 1 MB, and an ESM `import` of one makes Node
// scan its whole source for export names (cjs-module-lexer) and for module syntax before it runs: about 0.25 s of CPU
// for tfjs-core and the backends in every thread that loads them. `require` skips both.
//
// tfjs-core comes first: its engine, registries and Tensor class are the ones that tfjs-registrations.cjs (the
// gradients and chained ops, which the `@tensorflow/tfjs` umbrella used to register) and the backends register with.
// The cpu and wasm backends register themselves; `initBackend` (backend.ts) picks one.
'use strict';
const tf = require('@tensorflow/tfjs-core');
require('./tfjs-registrations.cjs');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');

module.exports = tf;
