// `pnpm pipeline [turbo flags]`: `turbo run pipeline` with META_LORA_DATA_FILES set to a hash of the contents of the
// data files the experiment names (`data.json`'s `paths`). Turbo keys each stage's cache on input files it can glob,
// which cannot include a user's files outside the repository; every META_LORA_* variable is part of every stage's
// key (turbo.json's globalEnv), so an edited data file makes the stages run again instead of replaying the results
// of the old data. Without `paths` (the built-in suites) the variable is left unset and the keys are unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PIPELINES = join(ROOT, 'pipelines');

/**
 * The hash of the files `<experimentDir>/data.json` lists in `paths` (relative ones resolved against `baseDir`, where
 * the stages run), or undefined when it lists none. A file that is missing or unreadable hashes as such: the data
 * stage then says what is wrong with it, and a malformed data.json is left to the stage's own check too.
 *
 * @example
 * dataFilesHash(join(PIPELINES, 'experiments', 'mine'), PIPELINES); // 'sha256:3f9c…' or undefined
 */
export function dataFilesHash(experimentDir, baseDir = PIPELINES) {
  let paths;
  try {
    paths = JSON.parse(readFileSync(join(experimentDir, 'data.json'), 'utf8')).paths;
  } catch {
    return undefined;
  }
  if (!Array.isArray(paths) || paths.length === 0) return undefined;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(8 << 20);
  for (const path of paths) {
    const file = resolve(baseDir, String(path));
    hash.update(`${String(path)}\0`); // as written, so the key is the same on another machine
    try {
      const fd = openSync(file, 'r');
      try {
        for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      hash.update(`unreadable:${error.code ?? error.message}`);
    }
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.env.META_LORA_EXPERIMENT?.trim() || 'multitask';
  const experimentDir = join(PIPELINES, 'experiments', name);
  const env = { ...process.env };
  const hash = existsSync(experimentDir) ? dataFilesHash(experimentDir) : undefined;
  if (hash !== undefined) env.META_LORA_DATA_FILES = hash;
  const turbo = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
  const run = spawnSync(turbo, ['run', 'pipeline', ...process.argv.slice(2)], { stdio: 'inherit', env, cwd: ROOT });
  if (run.error) {
    process.stderr.write(`pnpm pipeline: could not start turbo (${run.error.message}); fix: run \`pnpm install\`\n`);
    process.exit(2);
  }
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 1);
}
