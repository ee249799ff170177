/**
 * A model directory's optional `generation_config.json`: the decoding defaults its authors chose, in Hugging Face's
 * field names. meta-lora reads the sampling fields below; other keys (token ids, `_from_model_config`,
 * `transformers_version`, …) are ignored as transformers ignores keys it does not use. Null values count as unset.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, readJsonFile } from '@meta-lora/artifacts';
import * as z from 'zod';

export const GENERATION_CONFIG_FILE = 'generation_config.json';

export const GenerationConfigSchema = z.looseObject({
  do_sample: z.boolean().nullish().describe('Sample (true) or take the argmax (false)'),
  temperature: z.number().positive().nullish().describe('Sampling temperature, > 0'),
  top_p: z.number().gt(0).lte(1).nullish().describe('Nucleus sampling mass, in (0, 1]'),
  repetition_penalty: z.number().positive().nullish().describe('Repetition penalty, > 0; 1 is off'),
  max_new_tokens: z.number().int().nonnegative().nullish().describe('Tokens to generate after the prompt'),
});

/** The fields of `generation_config.json` that were set, camelCased as `GenerateOptions` names them. */
export interface GenerationConfig {
  readonly doSample?: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
  readonly maxNewTokens?: number;
}

/**
 * Validates a parsed `generation_config.json`; `path` is only used in error messages.
 *
 * @example
 * parseGenerationConfig({ do_sample: true, temperature: 0.8 }); // { doSample: true, temperature: 0.8 }
 */
export function parseGenerationConfig(json: unknown, path = GENERATION_CONFIG_FILE): GenerationConfig {
  const parsed = GenerationConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    const value = issue.path.reduce<unknown>(
      (o, k) => (o !== null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined),
      json,
    );
    throw new MetaLoraError(
      'CONFIG_INVALID',
      `invalid generation config field \`${field || '(root)'}\`: ${issue.message} (got ${JSON.stringify(value)})`,
      {
        path,
        field,
        value,
        fix: `fix ${GENERATION_CONFIG_FILE} (Hugging Face names: do_sample, temperature, top_p, repetition_penalty, max_new_tokens) or delete it`,
      },
    );
  }
  const raw = parsed.data;
  return {
    ...(raw.do_sample == null ? {} : { doSample: raw.do_sample }),
    ...(raw.temperature == null ? {} : { temperature: raw.temperature }),
    ...(raw.top_p == null ? {} : { topP: raw.top_p }),
    ...(raw.repetition_penalty == null ? {} : { repetitionPenalty: raw.repetition_penalty }),
    ...(raw.max_new_tokens == null ? {} : { maxNewTokens: raw.max_new_tokens }),
  };
}

/**
 * Reads `dir/generation_config.json`, or returns null when the directory has none.
 *
 * @example
 * const defaults = readGenerationConfig('models/meta-lora-base'); // { doSample: true, temperature: 0.8, … }
 */
export function readGenerationConfig(dir: string): GenerationConfig | null {
  const path = join(dir, GENERATION_CONFIG_FILE);
  if (!existsSync(path)) return null;
  return parseGenerationConfig(readJsonFile(path, { what: GENERATION_CONFIG_FILE }), path);
}
