// tfjs.cjs exports @tensorflow/tfjs-core's module object, so a default import of it is both that namespace's values
// and its types (`tf.Tensor`), with the chained ops that tfjs-registrations.cjs adds (`tensor.add(b)`).
import tf = require('@tensorflow/tfjs-core');

import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
export = tf;
