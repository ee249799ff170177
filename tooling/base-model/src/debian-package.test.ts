import { isMetaLoraError } from '@meta-lora/artifacts';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGES, debianInstallCommand, debianPackageId } from './debian-package.ts';

describe('Debian corpus packages', () => {
  it('install at their pinned versions, except those pinned by upstream version only', () => {
    const command = debianInstallCommand(['dict-gcide', 'python3.11-doc']);
    expect(command).toBe(
      `apt-get update && apt-get install -y --no-install-recommends dict-gcide=${DEBIAN_PACKAGES['dict-gcide']} python3.11-doc`,
    );
  });

  it('refuse a package that is not pinned, naming it', () => {
    let error: unknown;
    try {
      debianPackageId('no-such-package');
    } catch (e) {
      error = e;
    }
    expect(isMetaLoraError(error) && error.code === 'CONFIG_INVALID' && error.message.includes('no-such-package')).toBe(
      true,
    );
  });
});
