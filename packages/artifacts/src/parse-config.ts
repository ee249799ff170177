/** Validating a config object against its zod schema, with a CONFIG_INVALID error that names the field and the fix. */
import type { z } from 'zod';
import { MetaLoraError, showValue } from './errors.ts';

/**
 * Validates a config against a zod schema; the first problem becomes a CONFIG_INVALID error naming the field (with the
 * `label` prefix), the bad value and the fix; `where` adds the file it came from and a better fix.
 *
 * @example
 * const config = parseConfig(AdaptConfigSchema, { innerLr: 0 }, 'adapt'); // throws: `adapt.innerLr` … got 0
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  label: string,
  where: { path?: string; fix?: string } = {},
): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [label, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const hint = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : ` (got ${showValue(value)})`;
  throw new MetaLoraError('CONFIG_INVALID', `config \`${field}\`: ${issue.message}${hint}`, {
    ...(where.path ? { path: where.path } : {}),
    field,
    value,
    fix: where.fix ?? `fix \`${field}\` (see the .describe() text of the ${label} config schema)`,
  });
}
