/**
 * Resumable pretraining checkpoints: one directory, replaced atomically, holding
 *
 * - `model.safetensors`: every weight as F32 under its HF name (bit-exact);
 * - `optimizer.safetensors`: AdamW's moments as `<weight name>.exp_avg` / `.exp_avg_sq` (PyTorch's names), F32;
 * - `trainer_state.json`: the step, the window sampler's RNG state, the optimizer's step count, tokens seen, time
 *   spent, the optimizer's warm restarts, and the hash of the config the run was started with.
 *
 * Restoring all of it makes a resumed run continue exactly as the uninterrupted run would have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, type RngState, writeDirAtomic, writeFileAtomic } from '@meta-lora/artifacts';
import {
  type LlamaModel,
  type OptimizerState,
  readSafetensors,
  serializeSafetensors,
  type TensorData,
  type TensorToWrite,
} from '@meta-lora/lora-core';
import type { OptimizerRestart } from './lr-schedule.ts';

export interface TrainerState {
  /** Optimizer steps done. */
  readonly step: number;
  /** The window sampler's state after `step` steps. */
  readonly rng: RngState;
  readonly optimizerStep: number;
  /** Tokens trained on (targets), over all sittings. */
  readonly tokensSeen: number;
  /** Seconds inside training steps, over all sittings. */
  readonly trainSeconds: number;
  /** Wall seconds of the run (steps, evaluations, checkpoints), over all sittings. */
  readonly wallSeconds: number;
  readonly sittings: number;
  /** `configHash` of the resolved pretraining config. */
  readonly configHash: string;
  /**
   * Sittings started from a committed model directory (`--init-from`): fresh AdamW moments and a ramp of the rate
   * from each one's step. Absent in runs that never restarted (and in checkpoints written before this field existed).
   */
  readonly optimizerRestarts?: readonly OptimizerRestart[];
}

export interface PretrainCheckpoint {
  readonly tensors: Map<string, TensorData>;
  readonly optimizer: OptimizerState;
  readonly state: TrainerState;
}

const MOMENTS = ['exp_avg', 'exp_avg_sq'] as const;

/**
 * Writes the checkpoint directory `dir` atomically.
 *
 * @example
 * await savePretrainCheckpoint('.cache/run/checkpoint', model, optimizer.state(), state);
 */
export async function savePretrainCheckpoint(
  dir: string,
  model: LlamaModel,
  optimizer: OptimizerState,
  state: TrainerState,
): Promise<void> {
  const weights = new Map<string, TensorToWrite>();
  const moments = new Map<string, TensorToWrite>();
  [...model.namedWeights()].forEach(([name, t], i) => {
    weights.set(name, { dtype: 'F32', shape: [...t.shape], data: t.dataSync() as Float32Array });
    optimizer.slots[i]?.forEach((slot, j) => {
      moments.set(`${name}.${MOMENTS[j]}`, { dtype: 'F32', shape: [...t.shape], data: slot });
    });
  });
  await writeDirAtomic(dir, (tmp) => {
    writeFileAtomic(join(tmp, 'model.safetensors'), serializeSafetensors(weights, { format: 'pt' }));
    writeFileAtomic(join(tmp, 'optimizer.safetensors'), serializeSafetensors(moments, { format: 'pt' }));
    writeFileAtomic(join(tmp, 'trainer_state.json'), `${JSON.stringify(state, null, 2)}\n`);
  });
}

/**
 * Reads a checkpoint written by `savePretrainCheckpoint`; `weightNames` gives the model's weight order (the optimizer's).
 *
 * @example
 * const ckpt = loadPretrainCheckpoint('.cache/run/checkpoint', [...model.namedWeights().keys()]);
 */
export function loadPretrainCheckpoint(dir: string, weightNames: readonly string[]): PretrainCheckpoint {
  const statePath = join(dir, 'trainer_state.json');
  if (!existsSync(statePath)) {
    throw new MetaLoraError('CHECKPOINT_INVALID', `no pretraining checkpoint at ${dir}`, {
      path: dir,
      fix:
        'pass the --run-dir of the run to continue; where the run directory is gone (a fresh clone), start from the ' +
        "committed model directory with --init-from DIR and the run's --config instead of --resume; or run " +
        'without --resume to start a new run',
    });
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainerState;
  const weightsFile = readSafetensors(join(dir, 'model.safetensors'));
  const tensors = new Map<string, TensorData>();
  for (const [name, t] of weightsFile.tensors) tensors.set(name, { shape: t.shape, data: Float32Array.from(t.data) });
  const momentsFile = readSafetensors(join(dir, 'optimizer.safetensors'));
  const slots = weightNames.map((name) =>
    MOMENTS.map((m) => {
      const t = momentsFile.tensors.get(`${name}.${m}`);
      if (!t) {
        throw new MetaLoraError('CHECKPOINT_INVALID', `optimizer.safetensors has no ${name}.${m}`, {
          path: join(dir, 'optimizer.safetensors'),
          field: `${name}.${m}`,
          fix: 'the checkpoint is from a different model config; resume with the config it was written with',
        });
      }
      return Float32Array.from(t.data);
    }),
  );
  const optimizer: OptimizerState = {
    type: 'adamw',
    step: state.optimizerStep,
    slots: state.optimizerStep > 0 ? slots : [],
  };
  return { tensors, optimizer, state };
}
