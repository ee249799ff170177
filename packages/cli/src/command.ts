/**
 * The shape of a CLI command and the argument parsing they share: `node:util` `parseArgs` with strict options, and a
 * `--help` generated from the option table, so every command documents itself.
 */
import { parseArgs } from 'node:util';
import { MetaLoraError } from '@meta-lora/artifacts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly placeholder?: string;
  readonly short?: string;
  readonly multiple?: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Returns the process exit code. */
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `argv` against the command's options; unknown options are a CONFIG_INVALID error naming them. */
export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedArgs | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    if (values.help) return 'help';
    return { values: values as ParsedArgs['values'], positionals };
  } catch (cause) {
    throw new MetaLoraError('CONFIG_INVALID', `meta-lora ${command.name}: ${(cause as Error).message}`, {
      fix: `run \`meta-lora ${command.name} --help\` for the accepted options`,
    });
  }
}

/** The `--help` text of a command. */
export function helpText(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(28)} ${spec.description}`;
  });
  return [
    `meta-lora ${command.name} — ${command.summary}`,
    '',
    `usage: ${command.usage}`,
    '',
    'options:',
    ...rows,
    `  ${'--help'.padEnd(28)} show this help`,
    '',
  ].join('\n');
}

/** A required string option, or a CONFIG_INVALID error that names it. */
export function requireString(args: ParsedArgs, name: string, command: string): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value === '') {
    throw new MetaLoraError('CONFIG_INVALID', `meta-lora ${command}: --${name} is required`, {
      field: `--${name}`,
      fix: `run \`meta-lora ${command} --help\``,
    });
  }
  return value;
}

/** An integer option with a default; a non-integer is a CONFIG_INVALID error showing the value. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0): number {
  const value = args.values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min) {
    throw new MetaLoraError('CONFIG_INVALID', `--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`, {
      field: `--${name}`,
      value,
      fix: `pass e.g. --${name} ${Math.max(min, fallback)}`,
    });
  }
  return n;
}

/** A number option with a default. */
export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = args.values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n)) {
    throw new MetaLoraError('CONFIG_INVALID', `--${name} must be a number, got ${JSON.stringify(value)}`, {
      field: `--${name}`,
      value,
      fix: `pass e.g. --${name} ${fallback}`,
    });
  }
  return n;
}
