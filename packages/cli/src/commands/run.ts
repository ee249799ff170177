/**
 * `meta-lora run`: the whole pipeline of an experiment through turbo (cached per stage), or the full k × seed study.
 * It drives the monorepo's `pipelines/` package, so it runs inside a meta-lora checkout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MetaLoraError, readEnv } from '@meta-lora/artifacts';
import type { Command } from '../command.ts';

/** The study runs from the repository's sources, as `pnpm study` does. */
const SOURCE_CONDITION = '--conditions=@meta-lora/source';

/** The repository root: the nearest ancestor of `from` with `turbo.json` and `pipelines/experiments`. */
export function findWorkspaceRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(join(dir, 'pipelines', 'experiments'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment end to end (turbo-cached stages), or its full k × seed study',
  usage: 'meta-lora run [--experiment NAME] [--study]',
  options: {
    experiment: {
      type: 'string',
      placeholder: 'NAME',
      description: 'experiment in pipelines/experiments (default: META_LORA_EXPERIMENT, else multitask)',
    },
    study: { type: 'boolean', description: "run the experiment's study grid (k sweep × seeds) and merge the reports" },
  },
  async run(args) {
    const root = findWorkspaceRoot(process.cwd()) ?? findWorkspaceRoot(import.meta.dirname);
    if (!root) {
      throw new MetaLoraError(
        'CONFIG_INVALID',
        'meta-lora run drives the pipeline of a meta-lora checkout, and none was found',
        {
          path: process.cwd(),
          fix: 'run it inside the repository, or use the stage commands: data, train, adapt, eval, report',
        },
      );
    }
    const experiment = (args.values.experiment as string | undefined) ?? readEnv('META_LORA_EXPERIMENT') ?? 'multitask';
    const env = { ...process.env, META_LORA_EXPERIMENT: experiment };
    const [cmd, cmdArgs] = args.values.study
      ? [join(root, 'node_modules', '.bin', 'tsx'), [SOURCE_CONDITION, join(root, 'pipelines', 'src', 'study.ts')]]
      : [join(root, 'node_modules', '.bin', 'turbo'), ['run', 'pipeline']];
    const result = spawnSync(cmd, cmdArgs, { cwd: root, env, stdio: 'inherit' });
    if (result.error) {
      throw new MetaLoraError('IO_FAILED', `could not start ${cmd}: ${result.error.message}`, {
        path: cmd,
        fix: 'run `pnpm install` in the repository first',
      });
    }
    return result.status ?? 1;
  },
};
