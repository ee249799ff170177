/** The command-line flags the base-model commands share. */
import { MetaLoraError, readJsonFile } from '@meta-lora/artifacts';

/** An integer flag ≥ `min`, or undefined when it is not given. */
export function intFlag(value: string | undefined, flag: string, min = 1, example = 100): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new MetaLoraError('CONFIG_INVALID', `${flag} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`, {
      field: flag,
      value,
      fix: `pass e.g. ${flag} ${example}`,
    });
  }
  return n;
}

/** A `--config FILE` of PretrainConfigInput fields. */
export function readConfigJson(path: string): unknown {
  return readJsonFile(path, {
    what: 'the pretraining config',
    missingFix: 'pass a JSON file of PretrainConfigInput fields',
  });
}
