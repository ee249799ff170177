#!/usr/bin/env node
// The package ships TypeScript sources; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
const { tuneHeap } = await import('@meta-lora/artifacts');
tuneHeap();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
