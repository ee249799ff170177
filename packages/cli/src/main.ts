/**
 * The `meta-lora` command line. Expected failures (bad input, bad files) print one clear message and exit 2; they
 * never print a stack trace. Set META_LORA_DEBUG=1 to see stacks of unexpected errors.
 *
 * A command's module (and with it TF.js, Arrow, zod) loads only when that command runs, so `meta-lora --help` starts
 * at once.
 */
import type { Command } from './command.ts';

/** A command as `--help` lists it; `load` imports its module. */
interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Each command's summary, in `--help` order; it repeats the command's own (a test checks that they agree). */
const SUMMARIES = {
  run: 'run an experiment end to end (turbo-cached stages), or its full k × seed study',
  data: 'build task suites, sample k-shot pools and episodes, inspect Arrow artifacts',
  train: 'meta-train a shared LoRA adapter (MeTA-LoRA), resumable, with optional baselines',
  adapt: 'adapt the shared adapter to a new task from k examples and write a PEFT adapter',
  eval: 'score MeTA-LoRA and the baselines on the test splits (eval-results.arrow)',
  report: 'write report.md and report.html (charts, no network) for a run',
  generate: 'continue a prompt with a base model (and an optional LoRA adapter)',
  export: "collect a run's PEFT adapters with a manifest, or merge one into a standalone HF model",
};

/** Command `name` is `<name>Command` of `commands/<name>.ts`. */
export const COMMANDS: readonly CommandEntry[] = Object.entries(SUMMARIES).map(([name, summary]) => ({
  name,
  summary,
  load: async () => ((await import(`./commands/${name}.ts`)) as Record<string, Command>)[`${name}Command`]!,
}));

export interface MainOptions {
  /** Tune V8's heap for a long run (`tuneHeap`) before a command loads: the bin's choice, not a test's. */
  readonly tuneHeap?: boolean;
}

function usage(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return [
    'meta-lora — data-efficient multi-task LoRA fine-tuning (MeTA-LoRA)',
    '',
    'usage: meta-lora <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    "Run `meta-lora <command> --help` for a command's options. Commands that load a model take --model DIR (a",
    'Hugging Face model directory); in a meta-lora checkout they default to its embedded models/meta-lora-base.',
    '',
  ].join('\n');
}

/**
 * Runs one CLI invocation and returns its exit code (0 ok, 1 usage, 2 bad input, 70 internal error).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { tuneHeap: true });
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`meta-lora: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  const { isMetaLoraError, readEnv, tuneHeap } = await import('@meta-lora/artifacts');
  if (options.tuneHeap) tuneHeap();
  try {
    const [{ helpText, parseCommandArgs }, command] = await Promise.all([import('./command.ts'), entry.load()]);
    const args = parseCommandArgs(command, rest);
    if (args === 'help') {
      process.stdout.write(helpText(command));
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    if (isMetaLoraError(error)) {
      process.stderr.write(`meta-lora ${entry.name}: error [${error.code}]: ${error.message}\n`);
      return 2;
    }
    const e = error as Error;
    process.stderr.write(`meta-lora ${entry.name}: unexpected error: ${e?.message ?? String(error)}\n`);
    if (readEnv('META_LORA_DEBUG')) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('  (this is a bug; rerun with META_LORA_DEBUG=1 for the stack trace and report it)\n');
    return 70;
  }
}
