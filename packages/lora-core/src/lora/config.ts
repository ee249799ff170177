/**
 * LoRA configuration, with PEFT's field names (camelCase) and PEFT's defaults. `adapter_config.json` maps these names
 * back to PEFT's snake_case (peft-io.ts), so files round-trip with Python PEFT.
 */
import * as z from 'zod';

export const LoraConfigSchema = z.strictObject({
  r: z.number().int().positive().default(8).describe('LoRA rank r: lora_A is [r, in], lora_B is [out, r]'),
  loraAlpha: z.number().positive().default(8).describe('LoRA alpha; the update is scaled by loraAlpha / r'),
  loraDropout: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe('Dropout probability on the LoRA branch input during training'),
  targetModules: z
    .union([z.array(z.string().min(1)).min(1), z.string().min(1)])
    .default(['q_proj', 'v_proj'])
    .describe(
      'Modules to adapt: names matched as a suffix of the module path (q_proj, mlp.down_proj), a regex string matched ' +
        'against the whole path, or "all-linear" for every linear layer except lm_head',
    ),
  useRslora: z.boolean().default(false).describe('Rank-stabilised LoRA: scale by loraAlpha / sqrt(r) instead of / r'),
  initLoraWeights: z
    .union([z.boolean(), z.literal('gaussian')])
    .default(true)
    .describe(
      'true: lora_A Kaiming-uniform (a=sqrt 5), lora_B zero (PEFT default); "gaussian": lora_A ~ N(0, 1/r), lora_B ' +
        'zero; false: both random (the adapter is not a no-op)',
    ),
  bias: z.literal('none').default('none').describe('Which biases to train; only "none" is supported'),
});

export type LoraConfigInput = z.input<typeof LoraConfigSchema>;
export type LoraConfig = z.output<typeof LoraConfigSchema>;

/** `loraAlpha / r`, or `loraAlpha / sqrt(r)` with rsLoRA. */
export function loraScaling(config: Pick<LoraConfig, 'r' | 'loraAlpha' | 'useRslora'>): number {
  return config.useRslora ? config.loraAlpha / Math.sqrt(config.r) : config.loraAlpha / config.r;
}
