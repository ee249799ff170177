/**
 * Start-up times of what a user runs: `meta-lora --help` as a fresh process (the bin of `@meta-lora/cli`, with the
 * node that runs the bench), and a worker thread from `WorkerPool.start` to the reply to its first job, with the
 * set-up of a stage-1 worker (`ready-worker.mjs`). Each is the median of `repeats` runs, in seconds, as wall time and
 * as CPU time: on a busy machine the wall time says more about the other load than about start-up, the CPU time much
 * less (V8 compiles on helper threads too, so on an idle machine the wall time can be below the CPU time).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WorkerPool } from '@meta-lora/artifacts';
import { median } from './measure-engine.ts';

/** Runs of each start-up measurement (medians are reported). */
export const STARTUP_REPEATS = 5;

/** Issue 21's targets, in seconds of CPU (the wall time on a shared machine says more about the load). */
export const STARTUP_TARGETS = { helpCpuSeconds: 0.5, workerReadyCpuSeconds: 0.5 } as const;

export interface StartupTimes {
  /** `node …/bin/meta-lora.js --help`, spawn to exit. */
  readonly helpSeconds: number;
  /** Its CPU time (user + system), where the platform reports it (Linux); else null. */
  readonly helpCpuSeconds: number | null;
  /** One worker thread, `WorkerPool.start` to its first job's reply (nothing else runs meanwhile). */
  readonly workerReadySeconds: number;
  /** The CPU time of this process (all its threads) over that span. */
  readonly workerReadyCpuSeconds: number;
  readonly repeats: number;
}

/** CPU seconds of this process's waited-for children (Linux `/proc/self/stat` cutime + cstime), or null. */
function childrenCpuSeconds(): number | null {
  try {
    // Fields after the `(comm)` entry, which may hold spaces: cutime and cstime are fields 16 and 17 of the line.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU seconds of this process so far, all threads. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** The `meta-lora` bin of the installed `@meta-lora/cli`. */
function cliBin(): string {
  const pkg = createRequire(import.meta.url).resolve('@meta-lora/cli/package.json');
  return join(dirname(pkg), 'bin', 'meta-lora.js');
}

/**
 * Times `meta-lora --help` and a worker's readiness `repeats` times each.
 *
 * @example
 * await measureStartup('models/meta-lora-base', 5); // { helpSeconds: 0.21, workerReadySeconds: 0.38, repeats: 5 }
 */
export async function measureStartup(modelDir: string, repeats: number): Promise<StartupTimes> {
  const bin = cliBin();
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const help: number[] = [];
  const helpCpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [started, cpuBefore] = [performance.now(), childrenCpuSeconds()];
    const run = spawnSync(process.execPath, [bin, '--help'], { env, encoding: 'utf8' });
    help.push((performance.now() - started) / 1000);
    const cpuAfter = childrenCpuSeconds();
    if (cpuBefore !== null && cpuAfter !== null) helpCpu.push(cpuAfter - cpuBefore);
    if (run.status !== 0) throw new Error(`meta-lora --help exited with ${run.status}: ${run.stderr}`);
  }
  const ready: number[] = [];
  const readyCpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [started, cpuBefore] = [performance.now(), cpuSeconds()];
    const pool = WorkerPool.start<{ modelDir: string }, null, number>({
      module: new URL('./ready-worker.mjs', import.meta.url),
      init: { modelDir },
      size: 1,
      label: 'bench worker',
    });
    try {
      await pool.run([null]);
      ready.push((performance.now() - started) / 1000);
      readyCpu.push(cpuSeconds() - cpuBefore);
    } finally {
      await pool.close();
    }
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    helpSeconds: r2(median(help)),
    helpCpuSeconds: helpCpu.length === repeats ? r2(median(helpCpu)) : null,
    workerReadySeconds: r2(median(ready)),
    workerReadyCpuSeconds: r2(median(readyCpu)),
    repeats,
  };
}

/**
 * The start-up lines of the bench report, each CPU figure beside its target.
 *
 * @example
 * formatStartup(times);
 * // '… `meta-lora --help` 0.12 / 0.14 s (target: CPU ≤ 0.5 s, met); a worker thread ready … (target: …)'
 */
export function formatStartup(t: StartupTimes): string {
  const target = (cpu: number | null, limit: number) =>
    ` (target: CPU ≤ ${limit} s${cpu === null ? '' : cpu <= limit ? ', met' : ', not met'})`;
  const help =
    `${t.helpSeconds.toFixed(2)}${t.helpCpuSeconds === null ? '' : ` / ${t.helpCpuSeconds.toFixed(2)}`} s` +
    target(t.helpCpuSeconds, STARTUP_TARGETS.helpCpuSeconds);
  const ready =
    `${t.workerReadySeconds.toFixed(2)} / ${t.workerReadyCpuSeconds.toFixed(2)} s` +
    target(t.workerReadyCpuSeconds, STARTUP_TARGETS.workerReadyCpuSeconds);
  return (
    `start-up (medians of ${t.repeats}, built packages; wall / CPU): \`meta-lora --help\` ${help}; ` +
    `a worker thread ready for its first job (backend, model, adapter) ${ready}`
  );
}
