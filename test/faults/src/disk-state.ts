/**
 * What a run directory holds after a fault, judged file by file: every artifact is read back with the reader that
 * stage's consumers use (Arrow artifacts with their kind's zod schema and content hash, safetensors with the tiling
 * check, PEFT adapters, JSON, JSONL line by line), and every directory that groups files (an adapter, a checkpoint)
 * must hold all of them. Temporary entries (`.<name>.<pid>.<n>.tmp` / `.old`) are what an atomic write leaves when it is
 * killed before its rename; they are listed, never read as artifacts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { type ArtifactKind, LOCK_FILE, readArtifact, readArtifactInfo } from '@meta-lora/artifacts';
import { EpisodesArtifact, PoolArtifact, TasksArtifact, UsageArtifact } from '@meta-lora/data-sampling';
import { EvalCellsArtifact, EvalExamplesArtifact, EvalResultsArtifact } from '@meta-lora/eval';
import { readPeftConfig, readSafetensors } from '@meta-lora/lora-core';
import { AdaptationArtifact, TaskUpdatesArtifact } from '@meta-lora/stage1-adapt';
import {
  BaselinesArtifact,
  BaselineTuningArtifact,
  DiagnosticsArtifact,
  MetaTuningArtifact,
} from '@meta-lora/stage2-meta';

/** Every Arrow artifact kind a stage writes, by its `meta_lora.kind`. */
const KINDS: Record<string, ArtifactKind<unknown>> = Object.fromEntries(
  [
    TasksArtifact,
    PoolArtifact,
    EpisodesArtifact,
    UsageArtifact,
    TaskUpdatesArtifact,
    AdaptationArtifact,
    MetaTuningArtifact,
    DiagnosticsArtifact,
    BaselinesArtifact,
    BaselineTuningArtifact,
    EvalResultsArtifact,
    EvalCellsArtifact,
    EvalExamplesArtifact,
  ].map((k) => [k.kind, k as ArtifactKind<unknown>]),
);

/** A temporary entry of `writeFileAtomic` / `writeDirAtomic`. */
const isTemp = (name: string) => /^\..+\.\d+\.\d+\.(tmp|old)$/.test(name);

/** The files that make up one directory-shaped artifact, by a file that marks it. */
const GROUPS: readonly { readonly marker: RegExp; readonly files: readonly string[]; readonly what: string }[] = [
  {
    marker: /^adapter_(config\.json|model\.safetensors)$/,
    files: ['adapter_config.json', 'adapter_model.safetensors'],
    what: 'PEFT adapter',
  },
  {
    marker: /^(state\.json|adapter)$/,
    files: ['adapter', 'optimizer.safetensors', 'state.json'],
    what: 'meta checkpoint',
  },
  {
    marker: /^(trainer_state\.json|model\.safetensors)$/,
    files: ['model.safetensors', 'optimizer.safetensors', 'trainer_state.json'],
    what: 'pretraining checkpoint',
  },
];

export interface DiskState {
  /**
   * Relative path → sha256 of every artifact file (temporary entries and the lock left out); a JSON file is hashed with
   * the run directory's path replaced, as the eval plan names the adapters it scores by their absolute paths.
   */
  readonly files: Map<string, string>;
  /** Relative paths of temporary entries. */
  readonly temps: string[];
  /** Whether the run-directory lock file is there (a killed run leaves it; a finished one removes it). */
  readonly locks: string[];
  /** One line per artifact that is torn, unreadable or incomplete. */
  readonly problems: string[];
}

/**
 * Reads back everything under `dir`.
 *
 * @example
 * const { problems, temps } = inspectRunDir(runDir); // problems: [] after any kill
 */
export function inspectRunDir(dir: string): DiskState {
  const state: DiskState = { files: new Map(), temps: [], locks: [], problems: [] };
  if (existsSync(dir)) walk(dir, dir, state);
  return state;
}

function walk(root: string, dir: string, state: DiskState): void {
  const names = readdirSync(dir).sort();
  for (const group of GROUPS) {
    if (!names.some((n) => group.marker.test(n))) continue;
    const missing = group.files.filter((f) => !names.includes(f));
    if (missing.length > 0) {
      state.problems.push(`${relative(root, dir) || '.'}: a ${group.what} without ${missing.join(', ')}`);
    }
  }
  for (const name of names) {
    const path = join(dir, name);
    const rel = relative(root, path);
    if (isTemp(name)) {
      state.temps.push(rel);
      continue;
    }
    if (name === LOCK_FILE || name.startsWith(`${LOCK_FILE}-`)) {
      state.locks.push(rel);
      continue;
    }
    if (statSync(path).isDirectory()) {
      walk(root, path, state);
      continue;
    }
    const bytes = readFileSync(path);
    const hashed = name.endsWith('.json') ? bytes.toString('utf8').replaceAll(root, '<run-dir>') : bytes;
    state.files.set(rel, createHash('sha256').update(hashed).digest('hex'));
    const problem = checkFile(path, bytes);
    if (problem) state.problems.push(`${rel}: ${problem}`);
  }
}

/** Why the file at `path` is not a complete artifact of its kind, or undefined when it is. */
function checkFile(path: string, bytes: Buffer): string | undefined {
  const name = basename(path);
  try {
    if (name.endsWith('.arrow')) {
      const { kind } = readArtifactInfo(path);
      const artifactKind = KINDS[kind];
      if (!artifactKind) return `an Arrow artifact of unknown kind ${kind}`;
      readArtifact(path, artifactKind);
    } else if (name.endsWith('.safetensors')) {
      readSafetensors(path);
    } else if (name === 'adapter_config.json') {
      readPeftConfig(join(path, '..'));
    } else if (name.endsWith('.json')) {
      JSON.parse(bytes.toString('utf8'));
    } else if (name.endsWith('.jsonl')) {
      const text = bytes.toString('utf8');
      if (text.length > 0 && !text.endsWith('\n')) return 'its last line is cut (no final newline)';
      for (const line of text.split('\n').filter((l) => l.length > 0)) JSON.parse(line);
    } else if (name === 'latest') {
      const target = join(path, '..', bytes.toString('utf8').trim());
      if (!existsSync(join(target, 'state.json'))) return `names ${target}, which is not a complete checkpoint`;
    } else {
      return 'a file of no known artifact kind (teach disk-state.ts to read it)';
    }
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  return undefined;
}

/**
 * The differences between two runs' artifacts under `prefix`: files only in one, and files whose bytes differ.
 *
 * @example
 * expect(diffRuns(inspectRunDir(a), inspectRunDir(b), 'train/')).toEqual([]);
 */
export function diffRuns(actual: DiskState, expected: DiskState, prefix = ''): string[] {
  const out: string[] = [];
  const keys = (s: DiskState) => [...s.files.keys()].filter((k) => k.startsWith(prefix));
  for (const k of keys(expected)) if (!actual.files.has(k)) out.push(`missing ${k}`);
  for (const k of keys(actual)) {
    if (!expected.files.has(k)) out.push(`extra ${k}`);
    else if (actual.files.get(k) !== expected.files.get(k)) out.push(`bytes differ: ${k}`);
  }
  return out;
}
