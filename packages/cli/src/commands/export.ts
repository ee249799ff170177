/**
 * `meta-lora export`: collects every PEFT adapter of a pipeline run (shared, best, baselines, per-task) into one
 * directory with a manifest, or merges one adapter into the base weights as a standalone Hugging Face model.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MetaLoraError, writeFileAtomic } from '@meta-lora/artifacts';
import {
  ADAPTER_CONFIG_FILE,
  loadModel,
  loadPeftAdapter,
  readPeftConfig,
  readPeftMetadata,
  saveModel,
} from '@meta-lora/lora-core';
import { type Command, requireString } from '../command.ts';
import { requireModelDir } from '../default-model.ts';

/** Every PEFT adapter directory under `dir` (not under checkpoints), relative paths, sorted. */
export function findAdapters(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    if (existsSync(join(d, ADAPTER_CONFIG_FILE))) {
      out.push(relative(dir, d));
      return;
    }
    if (depth > 6) return;
    for (const name of readdirSync(d)) {
      if (name.startsWith('.') || name === 'checkpoints') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
    }
  };
  walk(dir, 0);
  return out.sort();
}

export const exportCommand: Command = {
  name: 'export',
  summary: "collect a run's PEFT adapters with a manifest, or merge one into a standalone HF model",
  usage:
    'meta-lora export --run RUN_DIR --out DIR\n       meta-lora export --adapter DIR --merge --out DIR [--model DIR] [--dtype F32|F16]',
  options: {
    run: { type: 'string', placeholder: 'DIR', description: 'a pipeline run directory (pipelines/runs/<experiment>)' },
    adapter: { type: 'string', placeholder: 'DIR', description: 'with --merge: the PEFT adapter to merge' },
    merge: { type: 'boolean', description: 'write base + adapter merged as a Hugging Face model directory' },
    model: { type: 'string', placeholder: 'DIR', description: 'base model directory (default: the embedded model)' },
    dtype: { type: 'string', placeholder: 'F32|F16', description: 'weights dtype of a merged model (default F32)' },
    out: { type: 'string', placeholder: 'DIR', description: 'output directory' },
  },
  async run(args) {
    const out = requireString(args, 'out', 'export');
    if (args.values.merge) {
      const adapterDir = requireString(args, 'adapter', 'export');
      const modelDir = requireModelDir(args.values.model as string | undefined);
      const dtype = (args.values.dtype as string | undefined) ?? 'F32';
      if (dtype !== 'F32' && dtype !== 'F16') {
        throw new MetaLoraError('CONFIG_INVALID', `--dtype must be F32 or F16, got ${JSON.stringify(dtype)}`, {
          field: '--dtype',
          value: dtype,
          fix: 'use --dtype F16',
        });
      }
      const { model, tokenizer } = await loadModel(modelDir);
      const adapter = loadPeftAdapter(adapterDir, model, 'export');
      model.mergeAdapter(adapter);
      const extraFiles: Record<string, string> = {};
      for (const f of [
        'tokenizer.json',
        'tokenizer_config.json',
        'special_tokens_map.json',
        'generation_config.json',
      ]) {
        const p = join(modelDir, f);
        if (existsSync(p)) extraFiles[f] = readFileSync(p, 'utf8');
      }
      await saveModel(model, out, { dtype, extraFiles });
      process.stdout.write(
        `merged ${adapterDir} into ${modelDir}${tokenizer ? ' (tokenizer copied)' : ''}\n  model: ${out}\n`,
      );
      return 0;
    }
    const runDir = requireString(args, 'run', 'export');
    if (!existsSync(runDir)) {
      throw new MetaLoraError('IO_FAILED', 'run directory not found', {
        path: runDir,
        fix: 'pass pipelines/runs/<experiment> after a pipeline run',
      });
    }
    const adapters = findAdapters(runDir);
    if (adapters.length === 0) {
      throw new MetaLoraError('ARTIFACT_INVALID', 'no PEFT adapters under the run directory', {
        path: runDir,
        fix: 'run the train and adapt stages first',
      });
    }
    const manifest = adapters.map((rel) => {
      const src = join(runDir, rel);
      cpSync(src, join(out, rel), { recursive: true });
      const config = readPeftConfig(src);
      return {
        path: rel,
        r: config.r,
        loraAlpha: config.loraAlpha,
        targetModules: config.targetModules,
        metadata: readPeftMetadata(src),
      };
    });
    writeFileAtomic(join(out, 'manifest.json'), `${JSON.stringify({ run: runDir, adapters: manifest }, null, 2)}\n`);
    process.stdout.write(`exported ${adapters.length} PEFT adapters to ${out} (manifest.json lists them)\n`);
    return 0;
  },
};
