/**
 * The Debian packages the v2 corpus reads (installed with apt, not npm), pinned to the versions the committed
 * tokenizer and model were built from. A source asks for its package here: a package that is missing, or installed
 * at another version, is an error that prints the exact `apt-get install` line, so a corpus is never built silently
 * from other text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { MetaLoraError } from '@meta-lora/artifacts';

/**
 * Package → pinned version (Debian 12 "bookworm"), from `tooling/base-model/debian-packages.json`, which `.ci/run`
 * reads too. A version ending in `*` is a prefix: that package gets Debian security updates whose old builds leave
 * the archive, so any build of that upstream version is accepted (the installed version is recorded in the corpus
 * stats and the model card).
 */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = JSON.parse(
  readFileSync(new URL('../debian-packages.json', import.meta.url), 'utf8'),
) as Record<string, string>;

/** True when `installed` satisfies the pin `pinned` (equal, or prefixed by a pin ending in `*`). */
function satisfies(installed: string | undefined, pinned: string): boolean {
  if (installed === undefined) return false;
  return pinned.endsWith('*') ? installed.startsWith(pinned.slice(0, -1)) : installed === pinned;
}

const DPKG_INFO = '/var/lib/dpkg/info';
const DPKG_STATUS = '/var/lib/dpkg/status';

/**
 * The command that installs every corpus package at its pinned version.
 *
 * @example
 * debianInstallCommand(); // 'apt-get update && apt-get install -y --no-install-recommends dict-gcide=0.48.5+nmu2 …'
 */
export function debianInstallCommand(names: readonly string[] = Object.keys(DEBIAN_PACKAGES)): string {
  const pinned = names.map((n) => (DEBIAN_PACKAGES[n]?.endsWith('*') ? n : `${n}=${DEBIAN_PACKAGES[n]}`));
  return `apt-get update && apt-get install -y --no-install-recommends ${pinned.join(' ')}`;
}

let statusCache: Map<string, string> | undefined;

/** Installed package → version, from dpkg's status file (packages whose status is `install ok installed`). */
function installedVersions(): Map<string, string> {
  if (statusCache) return statusCache;
  const out = new Map<string, string>();
  const text = existsSync(DPKG_STATUS) ? readFileSync(DPKG_STATUS, 'utf8') : '';
  for (const stanza of text.split(/\n\n+/)) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version && /^Status: install ok installed$/m.test(stanza)) out.set(name, version);
  }
  statusCache = out;
  return out;
}

/**
 * Checks that `name` is installed at its pinned version and returns `name@version`.
 *
 * @example
 * debianPackageId('dict-gcide'); // 'dict-gcide@0.48.5+nmu2'
 */
export function debianPackageId(name: string): string {
  const pinned = DEBIAN_PACKAGES[name];
  if (pinned === undefined) {
    throw new MetaLoraError('CONFIG_INVALID', `${name} is not a pinned corpus package`, {
      field: name,
      fix: 'add it to DEBIAN_PACKAGES in tooling/base-model/src/debian-package.ts',
    });
  }
  const installed = installedVersions().get(name);
  if (!satisfies(installed, pinned)) {
    const missing = Object.keys(DEBIAN_PACKAGES).filter(
      (n) => !satisfies(installedVersions().get(n), DEBIAN_PACKAGES[n] as string),
    );
    throw new MetaLoraError(
      'DATA_INVALID',
      installed === undefined
        ? `the corpus needs the Debian package ${name}, which is not installed`
        : `the corpus needs the Debian package ${name} at ${pinned}, but ${installed} is installed`,
      { field: name, value: installed ?? null, fix: `run as root: ${debianInstallCommand(missing)}` },
    );
  }
  return `${name}@${installed}`;
}

/**
 * The regular files a package installed, sorted, optionally filtered (from dpkg's `.list` file).
 *
 * @example
 * debianPackageFiles('manpages-fr', (p) => p.endsWith('.gz'));
 */
export function debianPackageFiles(name: string, keep: (path: string) => boolean = () => true): string[] {
  debianPackageId(name);
  const list = [`${DPKG_INFO}/${name}.list`, `${DPKG_INFO}/${name}:all.list`].find((p) => existsSync(p));
  if (list === undefined) {
    throw new MetaLoraError('DATA_INVALID', `dpkg has no file list for ${name}`, {
      field: name,
      fix: `reinstall it: ${debianInstallCommand([name])}`,
    });
  }
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((p) => p.length > 0 && keep(p))
    .sort();
}
