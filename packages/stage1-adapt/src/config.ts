/**
 * Stage 1 config: how a copy θᵢ of the shared adapter is adapted to one task on its support set. The paper gives no
 * values; the defaults are the common MAML-for-LMs choices, small enough for a CPU: 3 inner SGD steps at 1e-2 on
 * minibatches of 8 support examples, gradient norm clipped to 1.
 */
import { parseConfig } from '@meta-lora/artifacts';
import * as z from 'zod';

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
 * The stage 1 config with defaults filled in.
 *
 * @example
 * parseAdaptConfig({ innerSteps: 5 }).innerLr; // 0.01
 */
export function parseAdaptConfig(input: unknown): AdaptConfig {
  return parseConfig(AdaptConfigSchema, input, 'adapt');
}
