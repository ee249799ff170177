/**
 * The publishable packages of the workspace (every `packages/*` not marked private), whether their build is current,
 * and their tarballs as `pnpm pack` makes them.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: Record<string, unknown> & { readonly name: string; readonly version: string };
}

/** Every workspace package (`packages/*`, `tooling/*`, `test/*`, `pipelines`), read from its package.json. */
export function workspacePackages(): WorkspacePackage[] {
  const dirs = [
    ...['packages', 'tooling', 'test'].flatMap((group) =>
      readdirSync(join(ROOT, group), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(ROOT, group, e.name)),
    ),
    join(ROOT, 'pipelines'),
  ];
  return dirs.flatMap((dir) => {
    let text: string;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      return []; // a folder of scripts, not a package
    }
    const manifest = JSON.parse(text) as WorkspacePackage['manifest'];
    return [{ name: manifest.name, dir, manifest }];
  });
}

/** The packages that get published: `packages/*` without `private`. */
export function publishablePackages(): WorkspacePackage[] {
  return workspacePackages().filter((p) => p.dir.startsWith(join(ROOT, 'packages')) && p.manifest.private !== true);
}

/** Newest modification time (ms) of the files under `dir` whose names pass `keep`. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && keep(entry.name))
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * The packages whose dist/ is missing or older than a source file: a pack of them would ship stale JavaScript.
 *
 * @example
 * staleBuilds(publishablePackages()); // [] after `pnpm build`
 */
export function staleBuilds(packages: readonly WorkspacePackage[]): string[] {
  return packages
    .filter((p) => {
      let built: number;
      try {
        built = statSync(join(p.dir, 'dist', 'index.js')).mtimeMs;
      } catch {
        return true;
      }
      return newest(join(p.dir, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.test.ts')) > built;
    })
    .map((p) => p.name);
}

/**
 * `pnpm pack` of each package into `dest`; returns the tarball paths by package name.
 *
 * @example
 * packAll(publishablePackages(), '/tmp/x'); // Map { '@meta-lora/artifacts' => '/tmp/x/meta-lora-artifacts-0.0.0.tgz', … }
 */
export function packAll(packages: readonly WorkspacePackage[], dest: string): Map<string, string> {
  const tarballs = new Map<string, string>();
  for (const p of packages) {
    const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', dest], { cwd: p.dir, encoding: 'utf8' });
    tarballs.set(p.name, (JSON.parse(out) as { filename: string }).filename);
  }
  return tarballs;
}
