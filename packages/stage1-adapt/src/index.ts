export type { AdaptResult } from './adapt-task.ts';
export { adaptTask } from './adapt-task.ts';
export type { AdaptationRow } from './adaptation-artifact.ts';
export { ADAPTATION_FILE, AdaptationArtifact, AdaptationRowSchema } from './adaptation-artifact.ts';
export type { AdaptConfig, AdaptConfigInput } from './config.ts';
export { AdaptConfigSchema, parseAdaptConfig } from './config.ts';
export { innerMinibatches } from './minibatches.ts';
export type { ModelSource, SourcedModel } from './model-source.ts';
export { loadModelSource, loadSourceModel } from './model-source.ts';
export type { LossOptions, TargetLoss } from './target-loss.ts';
export { countTokens, targetLoss, targetLossAndGradients } from './target-loss.ts';
export type { TaskRunnerOptions } from './task-runner.ts';
export { partOrder, resolveWorkers, TaskRunner } from './task-runner.ts';
export type { AdaptedUpdate, TaskData, TaskJob, TaskUpdateRow, UpdateMode } from './task-update.ts';
export {
  computeAdaptedUpdate,
  computeTaskUpdate,
  flattenAdapter,
  queryLossBefore,
  TaskUpdateRowSchema,
  TaskUpdatesArtifact,
  taskUpdatesFromIPC,
  taskUpdatesToIPC,
  UPDATE_MODES,
  unflattenAdapter,
} from './task-update.ts';
export type { DevPoint, DevSelection, DevSet, TrainAdapterOptions, TrainAdapterResult } from './train-adapter.ts';
export { adapterValues, devLoss, trainAdapter } from './train-adapter.ts';
