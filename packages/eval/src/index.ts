export type { BootstrapInterval, BootstrapOptions, PairedTaskSamples, TaskAggregate } from './bootstrap.ts';
export { BOOTSTRAP_REPLICATES, pairedBootstrap, quantile, Resamples } from './bootstrap.ts';
export type { EvalCellRow, TrainedScope } from './cells-artifact.ts';
export { EVAL_CELLS_FILE, EvalCellRowSchema, EvalCellsArtifact, TRAINED_SCOPES } from './cells-artifact.ts';
export type { ChrfOptions } from './chrf.ts';
export { chrfFromStatistics, chrfStatistics, corpusChrf, sentenceChrf } from './chrf.ts';
export { accuracy, macroF1, majorityClassRate } from './classification-metrics.ts';
export type { ComparisonKey, IntervalOptions, MethodAtK, ResultsSide } from './comparison-intervals.ts';
export { comparisonIntervals, crossIntervals } from './comparison-intervals.ts';
export type { EvalCondition, EvalConditionInput, Method } from './conditions.ts';
export { ALL_TASKS, EvalConditionSchema, METHOD_LABELS, METHODS, parseCondition } from './conditions.ts';
export type { EvalPlan } from './eval-plan.ts';
export { EVAL_PLAN_FILE, EvalPlanSchema, readEvalPlan } from './eval-plan.ts';
export type { EvaluateOptions, EvaluateResult } from './evaluate.ts';
export { evaluate, FINGERPRINT_KEY } from './evaluate.ts';
export type { EvalExample, ExampleScore, TaskEvalOptions, TaskMetrics } from './evaluate-task.ts';
export { evaluateTask } from './evaluate-task.ts';
export type { EvalExampleRow } from './examples-artifact.ts';
export {
  EVAL_EXAMPLES_FILE,
  EvalExampleRowSchema,
  EvalExamplesArtifact,
  sortExampleRows,
} from './examples-artifact.ts';
export { familyTable } from './family-table.ts';
export { macroF1Table } from './macro-f1-table.ts';
export type { MergedResults } from './merge-results.ts';
export { mergeEvalResults } from './merge-results.ts';
export { exactMatch, normalizeAnswer } from './normalize-answer.ts';
export type { Demonstration } from './prompts.ts';
export { DEMONSTRATION_SEPARATOR, inContextPrefix } from './prompts.ts';
export type { RenderedReport, ReportInput } from './render-report.ts';
export { renderReport } from './render-report.ts';
export type { EvalResultRow } from './results-artifact.ts';
export { EVAL_RESULTS_FILE, EvalResultRowSchema, EvalResultsArtifact, sortResultRows } from './results-artifact.ts';
export type {
  BaselineTraining,
  CellFlag,
  CheckOutcome,
  MetaIterationLoss,
  SanityCheck,
  SanityCheckName,
  SanityRun,
  TaskAdaptation,
} from './sanity-checks.ts';
export {
  adaptationLowersSupportLoss,
  beatsMajorityClass,
  isFlagged,
  lossFalls,
  metaQueryLossFalls,
  SANITY_CHECKS,
  sanityChecks,
} from './sanity-checks.ts';
export type { ScoredSequence, SequenceScore, SequenceScoreOptions } from './sequence-scores.ts';
export { maxSequenceLength, scoreSequences } from './sequence-scores.ts';
export type { PairedComparison } from './statistics.ts';
export { mean, pairedComparison, sampleStd, signTestP } from './statistics.ts';
export type { StudyDifference, StudyDifferences } from './study-difference.ts';
export { studyDifferences, studyDifferenceTable } from './study-difference.ts';
export type {
  CellSummary,
  ComparisonSummary,
  MacroScore,
  ResultsSummary,
  SummarizeOptions,
  SweepPoint,
} from './summarize.ts';
export { referenceMethod, summarizeResults } from './summarize.ts';
export type { BarChartSpec, BarSeries, LineChartSpec, LineSeries } from './svg-charts.ts';
export { barChart, escapeXml, lineChart, PALETTE } from './svg-charts.ts';
export type { TaskType } from './task-type.ts';
export { inferTaskType, PRIMARY_METRIC, TASK_TYPES } from './task-type.ts';
export type { TextCodec } from './text-codec.ts';
export type { CurveSeries, TrainingCurves } from './training-curves.ts';
export { findMetricLogs, MAX_CURVE_POINTS, readTrainingCurves } from './training-curves.ts';
export type { BaselineChoice, MetaTuningChoice, RunTuning } from './tuning-table.ts';
export { tuningTable } from './tuning-table.ts';
export type { WriteReportOptions, WrittenReport } from './write-report.ts';
export { REPORT_HTML_FILE, REPORT_MARKDOWN_FILE, writeReport } from './write-report.ts';
