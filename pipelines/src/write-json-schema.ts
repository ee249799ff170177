/**
 * Writes the editor JSON Schemas of the experiment files (`pipelines/schema/<file>.schema.json`), generated from the
 * zod schemas. A test fails when the committed files are stale: run `pnpm --filter @meta-lora/pipelines schema`.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@meta-lora/artifacts';
import { z } from 'zod';
import { ExperimentSchema, PIPELINES_DIR, type StageFile } from './experiment.ts';

export const SCHEMA_DIR = join(PIPELINES_DIR, 'schema');

/** The JSON Schema text of each experiment file. */
export function experimentJsonSchemas(): Record<StageFile, string> {
  const out = {} as Record<StageFile, string>;
  for (const [file, schema] of Object.entries(ExperimentSchema.shape) as [StageFile, z.ZodType][]) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const props = (json.properties ?? {}) as Record<string, unknown>;
    json.properties = { $schema: { type: 'string', description: 'path of this JSON Schema, for editors' }, ...props };
    out[file] = `${JSON.stringify(json, null, 2)}\n`;
  }
  return out;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const [file, text] of Object.entries(experimentJsonSchemas())) {
    writeFileAtomic(join(SCHEMA_DIR, `${file}.schema.json`), text);
    process.stdout.write(`wrote pipelines/schema/${file}.schema.json\n`);
  }
}
