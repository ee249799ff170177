export type { Command, OptionSpec, ParsedArgs } from './command.ts';
export { helpText, parseCommandArgs } from './command.ts';
export { DEFAULT_MODEL_DIR, resolveModelDir } from './default-model.ts';
export { main } from './main.ts';
