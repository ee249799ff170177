/**
 * Lineage: where an artifact came from. Stored as JSON in the Arrow schema metadata under `meta_lora.lineage`, so an
 * artifact file alone says what it is, which config and seed made it, and which artifacts it was made from.
 * No wall-clock time anywhere: the same inputs give byte-identical files.
 */
import * as z from 'zod';

export const LineageSchema = z.strictObject({
  artifactId: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('sha256 of kind, schema version and the canonical JSON of the rows'),
  kind: z.string().min(1).describe('artifact kind, e.g. `tasks` or `episodes`'),
  schemaVersion: z.number().int().positive().describe('version of the kind’s row schema'),
  configHash: z.string().describe('configHash() of the resolved config that produced the artifact'),
  seed: z.number().int().nullable().describe('seed of the random choices, or null when none were made'),
  parents: z.array(z.string()).describe('artifactIds of the artifacts this one was derived from'),
  createdBy: z.string().describe('the producing function, e.g. `@meta-lora/data-sampling sampleEpisodes`'),
});

/** Provenance of one artifact. */
export type Lineage = z.infer<typeof LineageSchema>;

/** What a writer supplies; `artifactId`, `kind` and `schemaVersion` are filled in by `writeArtifact`. */
export type LineageInput = Omit<Lineage, 'artifactId' | 'kind' | 'schemaVersion'>;
