// The single place lora-core loads TensorFlow.js from; `tf.ts` gives it its types (tfjs.d.cts).
//
// CommonJS on purpose: the TF.js packages are CommonJS bundles of about 1 MB, and an ESM `import` of one makes Node
// scan its whole source for export names (cjs-module-lexer) and for module syntax before it runs: about 0.25 s of CPU
// for tfjs-core and the backends in every thread that loads them. `require` skips both.
//
// tfjs-core comes first: its engine, registries and Tensor class are the ones that tfjs-registrations.cjs (the
// gradients and chained ops, which the `@tensorflow/tfjs` umbrella used to register) and the backends register with.
// The wasm backend registers itself; the cpu backend is required by `initBackend` (backend.ts) only when it picks cpu
// (0.03 s of CPU a thread, which no worker on wasm needs).
//
// tfjs-registrations.cjs is generated (scripts/bundle-tfjs-registrations.mjs), not committed: lora-core's build and
// the workspace's `pnpm install` write it, and the published package ships it.
'use strict';
const tf = require('@tensorflow/tfjs-core');
try {
  require('./tfjs-registrations.cjs');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('tfjs-registrations.cjs')) throw error;
  throw new Error(
    `${__dirname}/tfjs-registrations.cjs is missing: it is generated, not committed. ` +
      'Run `pnpm install` or `pnpm build` in the workspace (or `node packages/lora-core/scripts/bundle-tfjs-registrations.mjs`).',
    { cause: error },
  );
}
require('@tensorflow/tfjs-backend-wasm');

module.exports = tf;
