/**
 * The `meta-lora` command line. Expected failures (bad input, bad files) print one clear message and exit 2; they
 * never print a stack trace. Set META_LORA_DEBUG=1 to see stacks of unexpected errors.
 */
import { isMetaLoraError } from '@meta-lora/artifacts';
import { type Command, helpText, parseCommandArgs } from './command.ts';
import { adaptCommand } from './commands/adapt.ts';
import { dataCommand } from './commands/data.ts';
import { evalCommand } from './commands/eval.ts';
import { exportCommand } from './commands/export.ts';
import { generateCommand } from './commands/generate.ts';
import { reportCommand } from './commands/report.ts';
import { runCommand } from './commands/run.ts';
import { trainCommand } from './commands/train.ts';

const COMMANDS: readonly Command[] = [
  runCommand,
  dataCommand,
  trainCommand,
  adaptCommand,
  evalCommand,
  reportCommand,
  generateCommand,
  exportCommand,
];

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
    "Run `meta-lora <command> --help` for a command's options.",
    '',
  ].join('\n');
}

/**
 * Runs one CLI invocation and returns its exit code (0 ok, 1 usage, 2 bad input, 70 internal error).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`meta-lora: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args === 'help') {
      process.stdout.write(helpText(command));
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    if (isMetaLoraError(error)) {
      process.stderr.write(`meta-lora ${command.name}: error [${error.code}]: ${error.message}\n`);
      return 2;
    }
    const e = error as Error;
    process.stderr.write(`meta-lora ${command.name}: unexpected error: ${e?.message ?? String(error)}\n`);
    if (process.env.META_LORA_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('  (this is a bug; rerun with META_LORA_DEBUG=1 for the stack trace and report it)\n');
    return 70;
  }
}
