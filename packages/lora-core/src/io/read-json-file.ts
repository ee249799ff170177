/** `readJsonFile` and `parseJsonText` moved to `@meta-lora/artifacts`; lora-core still exports them from there. */
export type { ReadJsonFileOptions } from '@meta-lora/artifacts';
export { parseJsonText, readJsonFile } from '@meta-lora/artifacts';
