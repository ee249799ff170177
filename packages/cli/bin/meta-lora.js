#!/usr/bin/env node
// The `meta-lora` command. `#main` is the built dist/main.js, what npm installs; in the repository `pnpm meta-lora`
// runs src/main.ts instead (tsx with the `@meta-lora/source` condition).
import { main } from '#main';

process.exitCode = await main(process.argv.slice(2), { tuneHeap: true });
