// Worker-thread entry: the package ships TypeScript sources, so register tsx in this thread, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./eval-worker.ts');
