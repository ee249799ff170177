import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';
import { tempDir, thrownBy } from '@meta-lora/vitest-config';
import { describe, expect, it } from 'vitest';
import { readLatestMetaCheckpoint } from './meta-checkpoint.ts';
import { metaTrainState } from './test-fixtures.ts';

const state = metaTrainState({
  nextIteration: 2,
  runHash: 'abc',
  optimizerStep: 2,
  bestDevLoss: 1.5,
  bestIteration: 1,
});

/** A run directory whose `latest` names `target`, and whose iter-000002/state.json holds `json`. */
function run(json: unknown, target = 'iter-000002'): string {
  const dir = tempDir('meta-lora-checkpoint');
  mkdirSync(join(dir, 'checkpoints', 'iter-000002'), { recursive: true });
  writeFileSync(join(dir, 'checkpoints', 'latest'), `${target}\n`);
  writeFileSync(join(dir, 'checkpoints', 'iter-000002', 'state.json'), JSON.stringify(json));
  return dir;
}

describe('readLatestMetaCheckpoint', () => {
  it('reads the state that latest names', () => {
    expect(readLatestMetaCheckpoint(run(state))?.state).toEqual(state);
  });

  it('refuses a state with a missing or mistyped field, naming the field', () => {
    for (const [field, bad] of [
      ['rngState', { ...state, rngState: 'x' }],
      ['nextIteration', { ...state, nextIteration: '2' }],
      ['runHash', { ...state, runHash: undefined }],
    ] as const) {
      const dir = run(bad);
      const error = thrownBy(() => readLatestMetaCheckpoint(dir), MetaLoraError);
      expect(error.code).toBe('CHECKPOINT_INVALID');
      expect(error.details).toMatchObject({ path: join(dir, 'checkpoints', 'iter-000002', 'state.json'), field });
    }
  });

  it('refuses a latest pointer that is not a checkpoint name', () => {
    const dir = run(state, '../../elsewhere');
    const error = thrownBy(() => readLatestMetaCheckpoint(dir), MetaLoraError);
    expect(error.code).toBe('CHECKPOINT_INVALID');
    expect(error.details.path).toBe(join(dir, 'checkpoints', 'latest'));
  });
});
