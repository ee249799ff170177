/**
 * Runs one stage in a child process and, on request, SIGKILLs it at a chosen moment, seen from outside: the parent
 * watches the run directory (`fs.watch` on each directory) and kills on the n-th file-system event whose path matches, or after
 * a delay. A temporary entry (`.<name>.<pid>.<n>.tmp`, written by `writeFileAtomic` / `writeDirAtomic`) appearing is
 * the moment a write has begun: killing then lands mid-write, before the rename that commits it.
 *
 * No test hook in product code: the children are the real entry points (the pipeline's `run-stage.ts`, and pretraining
 * through `pretrain()` in `pretrain-child.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type FSWatcher, mkdirSync, readdirSync, statSync, watch } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const RUN_STAGE = join(ROOT, 'pipelines', 'src', 'run-stage.ts');
const PRETRAIN_CHILD = join(import.meta.dirname, 'pretrain-child.ts');

/** When to kill: the n-th watched event whose run-directory-relative path matches, or `ms` after the spawn. */
export type Trigger =
  | { readonly kind: 'event'; readonly match: RegExp; readonly n: number; readonly label: string }
  | { readonly kind: 'delay'; readonly ms: number; readonly label: string };

/** One file-system event in the run directory: milliseconds since the spawn, and the path with pid and counter cut. */
export interface FsEvent {
  readonly ms: number;
  readonly path: string;
}

export interface ChildOutcome {
  /** true when the trigger fired and the child died of the SIGKILL. */
  readonly killed: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The path of the event that fired the kill. */
  readonly killedAt?: string;
  readonly events: FsEvent[];
  readonly ms: number;
}

/** `.tasks.arrow.1234.7.tmp` → `.tasks.arrow.tmp`: a temporary entry's name without the writer's pid and counter. */
export const normalizeTemp = (path: string) => path.replace(/\.\d+\.\d+\.(tmp|old)(?=\/|$)/g, '.$1');

/** A temporary entry anywhere in the path (a file being written, or a directory being filled). */
export const TEMP = /(^|\/)\.[^/]+\.(tmp|old)(\/|$)/;

export interface RunChildOptions {
  /** When to SIGKILL the child; absent: let it finish. */
  readonly trigger?: Trigger;
  /** Added to the child's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called on every event in the run directory, with the child (to stop it, for example). */
  readonly onEvent?: (path: string, child: ChildProcess) => void;
}

/**
 * Spawns `argv` (node with the workspace's source condition and tsx) and watches `runDir` until it exits.
 *
 * @example
 * const { killed } = await runChild(stageArgv('data', dir), dir, { trigger: { kind: 'delay', ms: 500, label: 'now' } });
 */
export function runChild(
  argv: readonly string[],
  runDir: string,
  { trigger, env = {}, onEvent }: RunChildOptions = {},
): Promise<ChildOutcome> {
  mkdirSync(runDir, { recursive: true });
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@meta-lora/source', '--import', 'tsx', ...argv], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const events: FsEvent[] = [];
  let fired: string | undefined;
  const kill = (why: string) => {
    if (fired !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    fired = why;
    child.kill('SIGKILL');
  };
  let matched = 0;
  const watcher = watchTree(runDir, (name) => {
    const path = normalizeTemp(name);
    events.push({ ms: performance.now() - started, path });
    onEvent?.(path, child);
    if (trigger?.kind === 'event' && trigger.match.test(path) && ++matched === trigger.n) kill(path);
  });
  const timer =
    trigger?.kind === 'delay'
      ? setTimeout(() => kill(`${trigger.ms.toFixed(0)} ms after the spawn`), trigger.ms)
      : null;
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      watcher.close();
      const base = { code, signal, stdout, stderr, events, ms: performance.now() - started };
      done(
        fired !== undefined && signal === 'SIGKILL'
          ? { ...base, killed: true, killedAt: fired }
          : { ...base, killed: false },
      );
    });
  });
}

/**
 * Calls `onPath` with the root-relative path of every entry created, renamed, removed or written under `root`. One
 * inotify watch per directory (a directory's watch reports writes to the files in it, whichever inode a name points
 * at; Node's recursive watch on Linux watches files by inode, and so misses appends to a file replaced by a rename);
 * a directory that appears is watched from then on, and what it already holds is reported as it is found.
 */
function watchTree(root: string, onPath: (path: string) => void): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  const add = (dir: string, report: boolean) => {
    if (watchers.has(dir)) return;
    try {
      const watcher = watch(dir, (_type, name) => {
        if (name === null) return;
        const path = join(dir, String(name));
        onPath(relative(root, path));
        if (isDirectory(path)) add(path, true);
      });
      watcher.on('error', () => watchers.delete(dir));
      watchers.set(dir, watcher);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (report) onPath(relative(root, path));
        if (entry.isDirectory()) add(path, report);
      }
    } catch {
      // gone already (a temporary directory renamed or removed): nothing left to watch
    }
  };
  add(root, false);
  return {
    close: () => {
      for (const w of watchers.values()) w.close();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The pipeline entry point running `stage` of the experiment named by META_LORA_EXPERIMENT in `runDir`. */
export function stageArgv(stage: string, runDir: string): string[] {
  return [RUN_STAGE, stage, '--run-dir', runDir];
}

/** The tiny pretraining run of `pretrain-child.ts` in `runDir` (resuming its checkpoint when there is one). */
export function pretrainArgv(runDir: string): string[] {
  return [PRETRAIN_CHILD, runDir];
}

/**
 * A failed child's exit and the end of its stderr, for an assertion message (minified source lines cut short).
 *
 * @example
 * expect(out.code, describeExit('reference data', out)).toBe(0);
 */
export function describeExit(what: string, out: ChildOutcome): string {
  const tail = out.stderr
    .split('\n')
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .join('\n')
    .slice(-4000);
  return `${what}: exit ${out.code}, signal ${out.signal}\n${tail}`;
}
