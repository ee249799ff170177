/**
 * The release check: what the packages' manifests must say before a release, and a dry run of the release itself.
 * In a throwaway copy of the repository, `changeset version` applies the pending changesets (one version for the
 * fixed group of .changeset/config.json, changelogs) and `pnpm publish -r --dry-run` packs what would go to the
 * registry. The repository's own versions and changelogs are never touched.
 *
 *   pnpm release-check     # prints the versions and the packages a publish would send; exit 1 on a problem
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  publishablePackages,
  ROOT,
  staleBuilds,
  type WorkspacePackage,
  workspacePackages,
} from './workspace-packages.ts';

/**
 * What is missing from the manifests: each publishable package needs a README, a LICENSE, `repository`, `files`
 * (with its build), `engines`, public access and `exports` that point at files its build has; everything else in
 * the workspace is private; the changesets' fixed group is exactly the publishable packages.
 *
 * @example
 * manifestProblems(); // [] when the workspace is ready to release
 */
export function manifestProblems(): string[] {
  const problems: string[] = [];
  const published = publishablePackages();
  for (const { name, dir, manifest: m } of published) {
    const need = (ok: unknown, what: string) => {
      if (!ok) problems.push(`${name}: ${what}`);
    };
    need(existsSync(join(dir, 'README.md')), 'no README.md');
    need(existsSync(join(dir, 'LICENSE')), 'no LICENSE');
    const repository = m.repository as { url?: string; directory?: string } | undefined;
    need(repository?.url && repository.directory === dir.slice(ROOT.length + 1), 'repository.url and .directory');
    need(Array.isArray(m.files) && m.files.includes('dist'), '`files` must list dist');
    need((m.engines as { node?: string } | undefined)?.node, 'engines.node');
    need((m.publishConfig as { access?: string } | undefined)?.access === 'public', 'publishConfig.access "public"');
    const main = (m.exports as Record<string, Record<string, string>> | undefined)?.['.'];
    need(main?.types === './dist/index.d.ts' && main.import === './dist/index.js', 'exports["."] types/import in dist');
  }
  for (const { name, manifest } of workspacePackages()) {
    if (!name.startsWith('@meta-lora/') || published.some((p) => p.name === name)) continue;
    if (manifest.private !== true) problems.push(`${name}: not published, so it must be marked "private": true`);
  }
  const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][] };
  const fixed = [...(config.fixed[0] ?? [])].sort();
  const names = published.map((p) => p.name).sort();
  if (fixed.join() !== names.join()) {
    problems.push(
      `.changeset/config.json: the fixed group ${fixed.join(', ')} is not the published ${names.join(', ')}`,
    );
  }
  return problems;
}

export interface ReleaseDryRun {
  /** Version of each published package after `changeset version`. */
  readonly versions: ReadonlyMap<string, string>;
  /** Whether `changeset version` wrote each package's CHANGELOG.md. */
  readonly changelogs: ReadonlyMap<string, boolean>;
  /** Changeset files left in the copy's .changeset/ afterwards (none: all applied). */
  readonly pendingChangesets: readonly string[];
  /** What `pnpm publish -r --dry-run` printed. */
  readonly publishLog: string;
}

/**
 * The files of the copy: the root manifests, .changeset/ and packages/ as git sees them, each package's build (which
 * `files` ships) and its node_modules links, and the other workspace manifests, through which pnpm resolves the
 * `workspace:` ranges it rewrites.
 */
function copyForRelease(packages: readonly WorkspacePackage[], dest: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const wanted = (f: string) =>
    ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml'].includes(f) ||
    f.startsWith('.changeset/') ||
    f.startsWith('packages/');
  const manifests = workspacePackages().map((p) => join(p.dir.slice(ROOT.length + 1), 'package.json'));
  for (const file of [...listed.split('\0').filter(wanted), ...manifests]) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree, not committed yet
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dest, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
  for (const p of packages) {
    const at = join(dest, p.dir.slice(ROOT.length + 1));
    cpSync(join(p.dir, 'dist'), join(at, 'dist'), { recursive: true });
    // Relative links: the workspace packages resolve to the copy's, the rest through node_modules/.pnpm.
    cpSync(join(p.dir, 'node_modules'), join(at, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
}

/**
 * `changeset version`, then `pnpm publish -r --dry-run`, in a copy of the repository; throws with the command's
 * output when either fails.
 *
 * @example
 * releaseDryRun().versions.get('@meta-lora/cli'); // '0.1.0'
 */
export function releaseDryRun(): ReleaseDryRun {
  const packages = publishablePackages();
  const stale = staleBuilds(packages);
  if (stale.length > 0) throw new Error(`dist/ is missing or older than src/ in ${stale.join(', ')}: run pnpm build`);
  const copy = mkdtempSync(join(tmpdir(), 'meta-lora-release-'));
  try {
    copyForRelease(packages, copy);
    const run = (file: string, args: string[]) => {
      try {
        return execFileSync(file, args, { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${[file, ...args].join(' ')} failed in ${copy}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
      }
    };
    run(process.execPath, [join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version']);
    const versions = new Map<string, string>();
    const changelogs = new Map<string, boolean>();
    for (const p of packages) {
      const dir = join(copy, p.dir.slice(ROOT.length + 1));
      versions.set(
        p.name,
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version,
      );
      changelogs.set(p.name, existsSync(join(dir, 'CHANGELOG.md')));
    }
    const pendingChangesets = readdirSync(join(copy, '.changeset')).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    const publishLog = run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks']);
    return { versions, changelogs, pendingChangesets, publishLog };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const problems = manifestProblems();
  for (const problem of problems) console.error(`release check: ${problem}`);
  if (problems.length > 0) process.exit(1);
  const result = releaseDryRun();
  console.log(result.publishLog);
  for (const [name, version] of result.versions) console.log(`${name}@${version}`);
  console.log('release check: changeset version and pnpm publish -r --dry-run ran cleanly (in a throwaway copy)');
}
