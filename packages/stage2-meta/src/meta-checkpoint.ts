/**
 * Resumable checkpoints of meta-training. Each checkpoint is a new directory `checkpoints/iter-NNNNNN/` written
 * atomically (temporary sibling, then rename), holding
 *
 *   adapter/                  the shared adapter θ as PEFT files
 *   optimizer.safetensors     the meta-optimizer's slots (`slot.<variable>.<k>`, F32, exact)
 *   state.json                next iteration, optimizer type and step, RNG state, run hash, early-stopping state
 *
 * Only then is `checkpoints/latest` (a one-line file naming the directory) replaced, atomically. A SIGKILL at any
 * moment leaves `latest` naming a complete checkpoint; older ones beyond `keep` are removed afterwards.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, type RngState, showValue, writeDirAtomic, writeFileAtomic } from '@meta-lora/artifacts';
import {
  type LlamaModel,
  type LoraAdapter,
  loadPeftAdapter,
  type Optimizer,
  readSafetensors,
  savePeftAdapter,
  serializeSafetensors,
  type TensorToWrite,
  tf,
} from '@meta-lora/lora-core';
import * as z from 'zod';

export const CHECKPOINTS_DIR = 'checkpoints';
export const LATEST_FILE = 'latest';

/** What a checkpoint records besides tensors. */
export interface MetaTrainState {
  /** The iteration a resumed run starts at. */
  readonly nextIteration: number;
  readonly rngState: RngState;
  /** Hash of the resolved config, model and data: a resume must match it. */
  readonly runHash: string;
  readonly optimizerType: string;
  readonly optimizerStep: number;
  readonly bestDevLoss: number | null;
  readonly bestIteration: number | null;
  readonly evalsWithoutImprovement: number;
  readonly stoppedEarly: boolean;
}

/** `state.json` as `readLatestMetaCheckpoint` accepts it: a resume never runs on a state it cannot trust. */
const MetaTrainStateSchema = z.object({
  nextIteration: z.number().int().min(0),
  rngState: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  runHash: z.string().min(1),
  optimizerType: z.string().min(1),
  optimizerStep: z.number().int().min(0),
  bestDevLoss: z.number().nullable(),
  bestIteration: z.number().int().min(0).nullable(),
  evalsWithoutImprovement: z.number().int().min(0),
  stoppedEarly: z.boolean(),
});

const CHECKPOINT_NAME = /^iter-\d{6,}$/;
const name = (iteration: number) => `iter-${String(iteration).padStart(6, '0')}`;

/**
 * Writes a checkpoint of `shared` and `optimizer` and points `latest` at it; returns its directory.
 *
 * @example
 * await writeMetaCheckpoint(runDir, shared, optimizer, state, { keep: 2 });
 */
export async function writeMetaCheckpoint(
  runDir: string,
  shared: LoraAdapter,
  optimizer: Optimizer,
  state: MetaTrainState,
  options: { readonly keep: number; readonly baseModelNameOrPath?: string },
): Promise<string> {
  const root = join(runDir, CHECKPOINTS_DIR);
  const dirName = name(state.nextIteration);
  const dir = join(root, dirName);
  const slots = new Map<string, TensorToWrite>();
  optimizer.state().slots.forEach((list, i) => {
    const shape = shared.variables()[i]?.shape ?? [];
    list.forEach((data, k) => {
      slots.set(`slot.${i}.${k}`, { dtype: 'F32', shape: [...shape], data });
    });
  });
  await writeDirAtomic(dir, async (tmp) => {
    await savePeftAdapter(shared, join(tmp, 'adapter'), {
      ...(options.baseModelNameOrPath ? { baseModelNameOrPath: options.baseModelNameOrPath } : {}),
    });
    writeFileAtomic(join(tmp, 'optimizer.safetensors'), serializeSafetensors(slots));
    writeFileAtomic(join(tmp, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  });
  writeFileAtomic(join(root, LATEST_FILE), `${dirName}\n`);
  const old = readdirSync(root)
    .filter((d) => /^iter-\d{6}$/.test(d))
    .sort()
    .slice(0, -options.keep);
  for (const d of old) if (d !== dirName) rmSync(join(root, d), { recursive: true, force: true });
  return dir;
}

/**
 * The checkpoint `latest` names, or null when the run has none.
 *
 * @example
 * const latest = readLatestMetaCheckpoint(runDir); latest?.state.nextIteration;
 */
export function readLatestMetaCheckpoint(runDir: string): { dir: string; state: MetaTrainState } | null {
  const pointer = join(runDir, CHECKPOINTS_DIR, LATEST_FILE);
  if (!existsSync(pointer)) return null;
  const restart = 'resume from another run directory, or start again without --resume';
  const target = readFileSync(pointer, 'utf8').trim();
  // `latest` is joined into a path: it may only name a sibling checkpoint directory.
  if (!CHECKPOINT_NAME.test(target)) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `\`latest\` names ${showValue(target)}, not a checkpoint directory iter-NNNNNN`,
      {
        path: pointer,
        value: target,
        fix: restart,
      },
    );
  }
  const dir = join(runDir, CHECKPOINTS_DIR, target);
  const statePath = join(dir, 'state.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (cause) {
    throw new MetaLoraError(
      'CHECKPOINT_INVALID',
      `checkpoint state is unreadable: ${(cause as Error).message}`,
      { path: statePath, fix: restart },
      { cause },
    );
  }
  const parsed = MetaTrainStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new MetaLoraError('CHECKPOINT_INVALID', `checkpoint state field \`${field}\`: ${issue.message}`, {
      path: statePath,
      field,
      fix: restart,
    });
  }
  return { dir, state: parsed.data };
}

/**
 * Loads a checkpoint's adapter values into `shared` and its slots into `optimizer`.
 *
 * @example
 * restoreMetaCheckpoint(latest.dir, latest.state, model, shared, optimizer);
 */
export function restoreMetaCheckpoint(
  dir: string,
  state: MetaTrainState,
  model: LlamaModel,
  shared: LoraAdapter,
  optimizer: Optimizer,
): void {
  const loaded = loadPeftAdapter(join(dir, 'adapter'), model, 'checkpoint');
  try {
    shared.assign(loaded);
  } finally {
    loaded.dispose();
  }
  const file = readSafetensors(join(dir, 'optimizer.safetensors'));
  const slots: Float32Array[][] = [];
  for (const [key, t] of file.tensors) {
    const m = /^slot\.(\d+)\.(\d+)$/.exec(key);
    if (!m) continue;
    const list = slots[Number(m[1])] ?? [];
    list[Number(m[2])] = t.data as Float32Array;
    slots[Number(m[1])] = list;
  }
  // In a tidy: Optimizer.loadState leaves the tensors its slot variables were made from.
  tf.tidy(() => {
    optimizer.loadState({ type: state.optimizerType as 'adamw', step: state.optimizerStep, slots }, shared.variables());
  });
}
