/**
 * The pretraining state committed with an exported model directory, so that the next sitting, on a fresh clone where
 * the run directory (`.cache/`, not in git) is gone, continues the run from the committed weights:
 *
 * - `pretrain-state.json`: the trainer state at the exported step (step, the window sampler's RNG state, tokens seen,
 *   time spent, sittings, optimizer restarts), the resolved config and its hash, the held-out evaluations so far, and
 *   a digest of the weights it belongs to;
 * - `pretrain-log.jsonl`: the run's `log.jsonl` up to that step, so a later sitting's model card still covers every
 *   step.
 *
 * The AdamW moments are not committed (they would triple the weights' size): `pretrain` with `initFrom` loads the
 * weights, restores the step, schedule position and sampler, and restarts AdamW warm (fresh moments, a short ramp of
 * the rate, `rampedLearningRate`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { type LlamaModel, readHfWeights, type TensorData } from '@meta-lora/lora-core';
import { z } from 'zod';
import type { TrainerState } from './pretrain-checkpoint.ts';
import { type PretrainConfig, parsePretrainConfig, pretrainConfigHash } from './pretrain-config.ts';
import type { PretrainLogLine } from './pretrain-log.ts';

export const PRETRAIN_STATE_FILE = 'pretrain-state.json';
export const PRETRAIN_LOG_FILE = 'pretrain-log.jsonl';
export const PRETRAIN_STATE_VERSION = 1;

const uint32 = z.number().int().min(0).max(0xffffffff);

export const PretrainStateSchema = z.strictObject({
  version: z.literal(PRETRAIN_STATE_VERSION).describe('Format version of pretrain-state.json'),
  step: z.number().int().min(0).describe('Optimizer steps done: the exported weights are those after this step'),
  rng: z.tuple([uint32, uint32, uint32, uint32]).describe("The window sampler's sfc32 state after `step` steps"),
  optimizerStep: z.number().int().min(0).describe('Updates applied with the current AdamW moments (not committed)'),
  tokensSeen: z.number().int().min(0).describe('Tokens trained on, over all sittings'),
  trainSeconds: z.number().min(0).describe('Seconds inside training steps, over all sittings'),
  wallSeconds: z.number().min(0).describe('Wall seconds of the run, over all sittings'),
  sittings: z.number().int().min(1).describe('Sittings that trained'),
  configHash: z.string().describe('pretrainConfigHash of `config`'),
  optimizerRestarts: z
    .array(z.strictObject({ step: z.number().int().min(0), warmupSteps: z.number().int().min(0) }))
    .optional()
    .describe('Warm restarts of AdamW (--init-from): fresh moments from `step`, the rate ramped over warmupSteps'),
  weightsDigest: z.string().describe('weightsDigest of model.safetensors: the weights this state belongs to'),
  heldOut: z
    .array(z.strictObject({ step: z.number().int(), heldOutLoss: z.number(), tokens: z.number().int() }))
    .describe('The held-out evaluations so far'),
  config: z.unknown().describe('The resolved pretraining config (PretrainConfigSchema)'),
});

/** A model directory's committed state, read and checked. */
export interface CommittedRun {
  readonly state: TrainerState;
  readonly config: PretrainConfig;
  /** The weights of `model.safetensors`, F32, by HF name. */
  readonly tensors: Map<string, TensorData>;
  /** `pretrain-log.jsonl` up to `state.step` (empty when the file is absent). */
  readonly log: PretrainLogLine[];
}

/**
 * sha256 over every weight's name, shape and F32 bytes, by name: ties `pretrain-state.json` to the weights it was
 * written with, whatever order or file layout holds them.
 *
 * @example
 * weightsDigest([...model.namedWeights()].map(([n, t]) => [n, { shape: t.shape, data: t.dataSync() as Float32Array }]));
 */
export function weightsDigest(weights: Iterable<readonly [string, TensorData]>): string {
  const hash = createHash('sha256');
  const byName = [...weights].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, t] of byName) {
    hash.update(`${name}[${t.shape.join(',')}]\n`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest('hex');
}

/**
 * The files to write into an exported model directory next to `model.safetensors` (pass them as `extraFiles`, so they
 * land in the same atomic replacement as the weights).
 *
 * @example
 * await exportModel(model, out, { tokenizerDir, tokens, extraFiles: pretrainStateFiles(model, config, state, log) });
 */
export function pretrainStateFiles(
  model: LlamaModel,
  config: PretrainConfig,
  state: TrainerState,
  log: readonly PretrainLogLine[],
): Record<string, string> {
  const weights = [...model.namedWeights()].map(
    ([name, t]) => [name, { shape: [...t.shape], data: t.dataSync() as Float32Array }] as const,
  );
  const kept = log.filter((l) => l.step <= state.step);
  const json = {
    version: PRETRAIN_STATE_VERSION,
    ...state,
    weightsDigest: weightsDigest(weights),
    heldOut: kept.flatMap((l) =>
      l.type === 'eval' ? [{ step: l.step, heldOutLoss: l.heldOutLoss, tokens: l.tokens }] : [],
    ),
    config,
  };
  return {
    [PRETRAIN_STATE_FILE]: `${JSON.stringify(json, null, 2)}\n`,
    [PRETRAIN_LOG_FILE]: kept.map((l) => `${JSON.stringify(l)}\n`).join(''),
  };
}

/**
 * Reads the committed state of model directory `dir` for a run with `config`: refuses a state written under another
 * config (by hash), or weights that are not the ones the state was written with.
 *
 * @example
 * const { state, tensors } = readCommittedRun('../../models/meta-lora-base', config);
 */
export function readCommittedRun(dir: string, config: PretrainConfig): CommittedRun {
  const path = join(dir, PRETRAIN_STATE_FILE);
  if (!existsSync(path)) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `${path} does not exist: ${dir} holds no committed pretraining state`,
      {
        path,
        fix:
          'export the run first (pretrain … --export with its --run-dir writes it next to model.safetensors), ' +
          'or start a new run without --init-from',
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new MetaLoraError('CHECKPOINT_INVALID', `${path} is not JSON: ${(cause as Error).message}`, {
      path,
      fix: 'restore it from git (git checkout -- <file>), or re-export the run with --export',
    });
  }
  const parsed = PretrainStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new MetaLoraError('CHECKPOINT_INVALID', `${path}: \`${field}\`: ${issue.message}`, {
      path,
      field,
      fix: 'restore it from git (git checkout -- <file>), or re-export the run with --export',
    });
  }
  const { version: _version, weightsDigest: digest, heldOut: _heldOut, config: stateConfig, ...state } = parsed.data;
  const hash = pretrainConfigHash(config);
  if (state.configHash !== hash) {
    const committed = parsePretrainConfig(stateConfig, path);
    const fields = differingFields(committed, config);
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `${path} was written by a run with config ${state.configHash}, this run's config is ${hash}` +
        (fields.length > 0 ? ` (they differ in ${fields.slice(0, 4).join(', ')})` : ''),
      {
        path,
        field: '--config',
        fix:
          `pass the config the run was started with (${PRETRAIN_STATE_FILE} holds it under "config"; ` +
          (committed.data.corpus === 'v1'
            ? 'here: no --config, the defaults'
            : `here: --config configs/${committed.data.corpus}.json`) +
          ') and no --max-steps or --seed, or start a new run without --init-from',
      },
    );
  }
  const weights = readHfWeights(dir);
  const tensors = new Map<string, TensorData>();
  for (const [name, t] of weights.tensors) tensors.set(name, { shape: t.shape, data: t.data });
  if (weightsDigest(tensors) !== digest) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `the weights in ${dir} are not the ones ${path} was written with (step ${state.step})`,
      {
        path: join(dir, 'model.safetensors'),
        fix:
          'commit model.safetensors and pretrain-state.json together (git checkout both from the same commit), or ' +
          're-export the run with --export',
      },
    );
  }
  const logPath = join(dir, PRETRAIN_LOG_FILE);
  const log = existsSync(logPath)
    ? readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as PretrainLogLine)
        .filter((l) => l.step <= state.step)
    : [];
  const trainer: TrainerState = {
    step: state.step,
    rng: state.rng,
    optimizerStep: state.optimizerStep,
    tokensSeen: state.tokensSeen,
    trainSeconds: state.trainSeconds,
    wallSeconds: state.wallSeconds,
    sittings: state.sittings,
    configHash: state.configHash,
    ...(state.optimizerRestarts ? { optimizerRestarts: state.optimizerRestarts } : {}),
  };
  return { state: trainer, config: parsePretrainConfig(stateConfig, path), tensors, log };
}

/** Dotted paths of the leaves where `a` and `b` differ. */
function differingFields(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(a) || !isObject(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => differingFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
}
