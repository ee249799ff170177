/**
 * The unit of data: one prompt/target pair of one task, and the `tasks` artifact that holds a suite of them.
 *
 * Prompts are plain text that ends without a trailing space; targets start with a space (`"Review: …\nSentiment:"` →
 * `" positive"`), so prompt + target tokenizes like running text. Classification tasks list their `choices` (each a
 * possible target, with the same leading space).
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import * as z from 'zod';

export const SPLITS = ['train', 'dev', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export const ExampleSchema = z.strictObject({
  exampleId: z.string().min(1).describe('content hash of taskId, input and target (16 hex digits)'),
  taskId: z.string().min(1).describe('task name, e.g. `sentiment` or `valence.ja`'),
  family: z.string().min(1).describe('task family: equal across the languages of a multilingual task'),
  language: z.string().min(1).describe('ISO 639-1 code of the input text'),
  split: z.enum(SPLITS).describe('train, dev or test'),
  input: z.string().describe('the prompt'),
  target: z.string().min(1).describe('the expected continuation'),
  choices: z.array(z.string()).optional().describe('the label set, for classification tasks'),
});

/** One example of one task. */
export type Example = z.infer<typeof ExampleSchema>;

/** The `tasks` artifact: every example of a suite or user dataset, with its split. */
export const TasksArtifact = defineArtifactKind({
  kind: 'tasks',
  schemaVersion: 1,
  row: ExampleSchema,
});
