/** `meta-lora train`: MeTA-LoRA meta-training (and, on request, the baselines) from the data stage's artifacts. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MetaLoraError, readJsonFile } from '@meta-lora/artifacts';
import { initBackend } from '@meta-lora/lora-core';
import {
  BASELINE_METHODS,
  type BaselineMethod,
  type MetaConfig,
  parseMetaConfig,
  runTraining,
} from '@meta-lora/stage2-meta';
import { type Command, intOption, requireString } from '../command.ts';
import { requireModelDir } from '../default-model.ts';

/** Reads a JSON config file (a `$schema` key is ignored); a syntax error names the file and the line. */
export function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined) return {};
  const json = readJsonFile(path, {
    what: 'the config',
    missingFix: 'pass a readable JSON file with the stage 2 config (see MetaConfigSchema)',
  });
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new MetaLoraError('CONFIG_INVALID', 'the config must be a JSON object', {
      path,
      fix: 'write { … } at the top level',
    });
  }
  const { $schema: _ignored, ...rest } = json as Record<string, unknown>;
  return rest;
}

/**
 * The stage 2 config of `--config FILE` (defaults otherwise), with `override` (the command's flags) applied on top. The
 * file is validated alone first, so that its errors name it.
 *
 * @example
 * const config = readMetaConfig('train.json', (raw) => ({ ...raw, workers: 0 }));
 */
export function readMetaConfig(
  path: string | undefined,
  override: (raw: Record<string, unknown>) => Record<string, unknown> = (raw) => raw,
): MetaConfig {
  const raw = readConfigFile(path);
  parseMetaConfig(raw, path === undefined ? {} : { path });
  return parseMetaConfig(override(raw));
}

function baselineList(value: unknown): BaselineMethod[] {
  if (value === undefined) return [];
  const items = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 1 && items[0] === 'all') return [...BASELINE_METHODS];
  for (const item of items) {
    if (!(BASELINE_METHODS as readonly string[]).includes(item)) {
      throw new MetaLoraError('CONFIG_INVALID', `--baselines: unknown baseline ${JSON.stringify(item)}`, {
        field: '--baselines',
        value,
        fix: `use all, or a comma-separated list of ${BASELINE_METHODS.join(', ')}`,
      });
    }
  }
  return items as BaselineMethod[];
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'meta-train a shared LoRA adapter (MeTA-LoRA), resumable, with optional baselines',
  usage:
    'meta-lora train --data DIR --out DIR [--model DIR] [--config FILE.json] [--resume] [--baselines all|LIST] [--workers N]',
  options: {
    model: {
      type: 'string',
      placeholder: 'DIR',
      description: 'Hugging Face model directory (default: the embedded model)',
    },
    data: {
      type: 'string',
      placeholder: 'DIR',
      description: 'directory with tasks.arrow, pool.arrow and episodes.arrow (`meta-lora data sample`)',
    },
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: 'run directory: checkpoints, adapters, metrics, artifacts',
    },
    config: {
      type: 'string',
      placeholder: 'FILE',
      description: 'stage 2 config as JSON (MetaConfigSchema); defaults otherwise',
    },
    resume: { type: 'boolean', description: 'continue from the run directory’s latest checkpoint (same config only)' },
    baselines: {
      type: 'string',
      placeholder: 'LIST',
      description: `also train baselines: all, or some of ${BASELINE_METHODS.join(', ')}`,
    },
    workers: {
      type: 'string',
      placeholder: 'N',
      description: 'stage 1 worker threads (overrides the config; 0: none)',
    },
    backend: { type: 'string', placeholder: 'NAME', description: 'force a TF.js backend: tensorflow, wasm or cpu' },
  },
  async run(args) {
    const modelDir = requireModelDir(args.values.model as string | undefined);
    const dataDir = requireString(args, 'data', 'train');
    const runDir = requireString(args, 'out', 'train');
    const paths = {
      tasks: join(dataDir, 'tasks.arrow'),
      pool: join(dataDir, 'pool.arrow'),
      episodes: join(dataDir, 'episodes.arrow'),
    };
    for (const [name, path] of Object.entries(paths)) {
      if (!existsSync(path)) {
        throw new MetaLoraError('CONFIG_INVALID', `--data has no ${name}.arrow`, {
          path,
          fix: 'run `meta-lora data build` and `meta-lora data sample --out DIR` first, and pass that DIR',
        });
      }
    }
    const config = readMetaConfig(args.values.config as string | undefined, (raw) =>
      args.values.workers === undefined ? raw : { ...raw, workers: intOption(args, 'workers', 0) },
    );
    const baselines = baselineList(args.values.baselines);
    const backend = args.values.backend as string | undefined;
    await initBackend(backend ? { backend: backend as 'wasm' } : {});
    const {
      result,
      tuning,
      baselines: rows,
    } = await runTraining({
      modelDir,
      data: paths,
      config,
      runDir,
      resume: args.values.resume === true,
      baselines,
    });
    const last = result.metrics[result.metrics.length - 1];
    const lines = [
      `meta-trained ${result.nextIteration} iterations (${result.iterationsRun} in this run)${result.stoppedEarly ? ', stopped early' : ''}`,
      last
        ? `  last query loss: ${last.queryLossBefore.toFixed(4)} before adaptation, ${last.queryLossAfter.toFixed(4)} after`
        : '',
      result.bestDevLoss === null
        ? ''
        : `  best dev loss ${result.bestDevLoss.toFixed(4)} at iteration ${result.bestIteration}`,
      ...(tuning.length > 1
        ? tuning.map(
            (t) =>
              `  candidate ${t.candidate}: innerLr ${t.innerLr}, innerSteps ${t.innerSteps}, metaLr ${t.metaLr}: best dev loss ${t.bestDevLoss?.toFixed(4) ?? '-'}${t.selected ? '  (selected)' : ''}`,
          )
        : []),
      `  selected adapter (best dev checkpoint): ${join(runDir, 'adapters', 'selected')}`,
      ...rows.map(
        (r) =>
          `  baseline ${r.method}${r.taskId === '*' ? '' : ` ${r.taskId}`}: lr ${r.lr}, loss ${r.lossFirst.toFixed(4)} → ${r.lossLast.toFixed(4)}, best dev step ${r.bestStep} of ${r.steps}, ${join(runDir, r.adapterDir)}`,
      ),
    ].filter((l) => l !== '');
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
