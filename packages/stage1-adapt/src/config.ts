/**
 * Stage 1 config: how a copy θᵢ of the shared adapter is adapted to one task on its support set. The paper gives no
 * values; the defaults are the common MAML-for-LMs choices, small enough for a CPU: 3 inner SGD steps at 1e-2 on
 * minibatches of 8 support examples, gradient norm clipped to 1.
 */
import { MetaLoraError, showValue } from '@meta-lora/artifacts';
import { z } from 'zod';

export const AdaptConfigSchema = z.strictObject({
  innerSteps: z
    .number()
    .int()
    .min(0)
    .default(3)
    .describe('optimizer steps θᵢ takes on the support set (k in the paper); 0 leaves θᵢ = θ'),
  innerLr: z.number().positive().default(1e-2).describe('learning rate of the inner steps (must be > 0)'),
  innerOptimizer: z
    .enum(['sgd', 'adam'])
    .default('sgd')
    .describe('optimizer of the inner steps: plain SGD (MAML’s choice), or Adam with fresh state per task'),
  innerBatchSize: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('support examples per inner step; a support set no larger than this is used whole every step'),
  clipGradNorm: z
    .number()
    .positive()
    .nullable()
    .default(1)
    .describe('clip each inner step’s global gradient norm to this value; null turns clipping off'),
  maxSeqLen: z
    .number()
    .int()
    .min(2)
    .default(256)
    .describe('longest training sequence in tokens; longer prompts lose tokens from the left'),
});

export type AdaptConfig = z.output<typeof AdaptConfigSchema>;
export type AdaptConfigInput = z.input<typeof AdaptConfigSchema>;

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

/**
 * The stage 1 config with defaults filled in.
 *
 * @example
 * parseAdaptConfig({ innerSteps: 5 }).innerLr; // 0.01
 */
export function parseAdaptConfig(input: unknown): AdaptConfig {
  return parseConfig(AdaptConfigSchema, input, 'adapt');
}
