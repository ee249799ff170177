/**
 * The `adaptation` artifact: what test-time stage-1 adaptation did to each task, measured on the task's whole support
 * set with no dropout before and after the inner steps (the per-step `supportLosses` are losses of different
 * minibatches when the support set is larger than `innerBatchSize`, so they cannot show this).
 */
import { defineArtifactKind } from '@meta-lora/artifacts';
import * as z from 'zod';

export const AdaptationRowSchema = z.strictObject({
  taskId: z.string().min(1).describe('task name'),
  examples: z.number().int().min(0).describe('support examples the task adapted on'),
  innerLr: z.number().positive().describe('stage-1 learning rate used'),
  innerSteps: z.number().int().min(0).describe('stage-1 steps taken'),
  supportLossBefore: z.number().describe('mean target-token loss of the whole support set under θ'),
  supportLossAfter: z.number().describe('the same under the adapted θᵢ'),
});
export type AdaptationRow = z.infer<typeof AdaptationRowSchema>;

export const ADAPTATION_FILE = 'adaptation.arrow';

export const AdaptationArtifact = defineArtifactKind({
  kind: 'adaptation',
  schemaVersion: 1,
  row: AdaptationRowSchema,
});
