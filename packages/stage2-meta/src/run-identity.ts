/**
 * What a meta-training run is, for resuming it: the run hash (config less the settings that change no number, base
 * model, episodes, dev set), and the check that a resumed directory holds the same run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configHash, MetaLoraError, readJsonFile } from '@meta-lora/artifacts';
import type { TaskData, UpdateMode } from '@meta-lora/stage1-adapt';
import type { MetaConfig } from './config.ts';
import { CHECKPOINTS_DIR, LATEST_FILE } from './meta-checkpoint.ts';
import type { MetaEpisode } from './meta-episode.ts';

/** Settings that change no number a run computes: a resume may differ in these. */
const NON_SEMANTIC = ['workers', 'checkpointEvery', 'keepCheckpoints', 'baselines', 'metaGrid'] as const;

/**
 * The hash a resumed run must match: config (less the settings that do not change results), model, episodes, dev set.
 *
 * @example
 * const hash = metaRunHash(config, fingerprint, episodes, devTasks);
 */
export function metaRunHash(
  config: MetaConfig,
  fingerprint: string,
  episodes: readonly MetaEpisode[],
  devTasks: readonly TaskData[],
): string {
  const semantic: Record<string, unknown> = { ...config };
  for (const key of NON_SEMANTIC) delete semantic[key];
  return configHash({ config: semantic, fingerprint, episodes: configHash(episodes), dev: configHash(devTasks) });
}

/**
 * Whether `runDir` holds a checkpoint of the run `runHash` names: then continuing it (or, once it has ended, rewriting
 * its outputs) gives the bytes of an uninterrupted run, and a killed stage loses none of its finished work.
 *
 * @example
 * const resume = holdsRun('runs/x/train/meta/c1', metaRunHash(config, fingerprint, episodes, devTasks));
 */
export function holdsRun(runDir: string, runHash: string): boolean {
  const path = join(runDir, 'config.json');
  if (!existsSync(path) || !existsSync(join(runDir, CHECKPOINTS_DIR, LATEST_FILE))) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { runHash?: unknown }).runHash === runHash;
  } catch {
    return false;
  }
}

/** What stage 1 hands stage 2 under `config.algorithm`. */
export function modeOf(config: MetaConfig): UpdateMode {
  return config.algorithm === 'reptile' ? 'adapted-weights' : 'query-gradient';
}

/** Refuses to resume `runDir` when its saved run hash differs from `runHash`, naming the config fields that differ. */
export function checkResumable(runDir: string, runHash: string, config: MetaConfig): void {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) return;
  const saved = readJsonFile(path, { what: "the run's config.json" }) as {
    runHash?: string;
    config?: Record<string, unknown>;
  };
  if (saved.runHash === runHash) return;
  const differing = Object.keys({ ...config, ...saved.config }).filter(
    (k) => JSON.stringify((config as Record<string, unknown>)[k]) !== JSON.stringify(saved.config?.[k]),
  );
  throw new MetaLoraError(
    'CONFIG_INVALID',
    `cannot resume: ${runDir} was trained with a different config, model or data (run hash ${saved.runHash?.slice(0, 12)}… vs ${runHash.slice(0, 12)}…${differing.length ? `; config fields that differ: ${differing.join(', ')}` : ''})`,
    {
      path,
      field: differing[0] ?? 'runHash',
      fix: 'resume with the exact config, model and episodes of that run, or start a new run without --resume',
    },
  );
}
