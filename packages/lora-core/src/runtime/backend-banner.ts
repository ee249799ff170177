/**
 * What a run prints when meta-lora's fast path is missing: a banner when the native addon (`@meta-lora/native-blas`)
 * is not there and every kernel runs on TF.js's WebAssembly build, a one-line note when the addon runs on its built-in
 * sgemm because no OpenBLAS was found. Each names what is missing, the command that fixes it on this platform, and
 * the slowdown measured on the bench configuration (tooling/bench/README.md, "Without OpenBLAS").
 */
import { readFileSync } from 'node:fs';

/**
 * CPU time of a training step on the bench configuration relative to OpenBLAS 0.3.21 (tooling/bench/README.md,
 * "Without OpenBLAS", 2026-12-05; medians of 4 back-to-back rounds): on the wasm kernels, and on the built-in sgemm per
 * micro-kernel (the AVX-512 one beat OpenBLAS's Haswell kernel there).
 */
export const MEASURED_SLOWDOWN = {
  wasm: '5×',
  builtin: { 'AVX-512': 0.82, AVX2: 1.25, portable: 2.9 },
} as const;

/** The platforms the fix commands are written for. */
export type Platform = 'debian' | 'fedora' | 'macos' | 'other';

/** What is missing from the fast path. */
export type FastPathGap =
  /** The addon did not build or load (no C++ compiler at install time, or a broken build): wasm kernels only. */
  | { readonly missing: 'addon'; readonly reason: string }
  /** The addon runs, on its built-in sgemm: no OpenBLAS library could be opened. */
  | { readonly missing: 'openblas'; readonly reason: string; readonly kernel: string };

const REBUILD = 'pnpm --filter @meta-lora/native-blas rebuild';

/** The install commands per platform: for the compiler and OpenBLAS together, and for OpenBLAS alone. */
const COMMANDS: Record<Exclude<Platform, 'other'>, { label: string; all: string[]; openblas: string }> = {
  debian: {
    label: 'Debian/Ubuntu',
    all: ['sudo apt-get install -y g++ make libopenblas0-pthread'],
    openblas: 'sudo apt-get install -y libopenblas0-pthread',
  },
  fedora: {
    label: 'Fedora',
    all: ['sudo dnf install -y gcc-c++ make openblas-serial'],
    openblas: 'sudo dnf install -y openblas-serial',
  },
  macos: {
    label: 'macOS',
    // The Command Line Tools install from a dialog that `xcode-select --install` opens; brew needs them first.
    all: ['xcode-select --install   (then wait for the installer to finish)', 'brew install openblas'],
    openblas: 'brew install openblas',
  },
};

/**
 * The platform whose commands the banner shows: macOS by `process.platform`, Linux distributions by the `ID` and
 * `ID_LIKE` of /etc/os-release.
 *
 * @example
 * detectPlatform('linux', 'ID=ubuntu\nID_LIKE=debian\n'); // 'debian'
 */
export function detectPlatform(platform: string = process.platform, osRelease?: string): Platform {
  if (platform === 'darwin') return 'macos';
  if (platform !== 'linux') return 'other';
  const text = osRelease ?? readOsRelease();
  const ids = [...text.matchAll(/^(?:ID|ID_LIKE)=(.*)$/gm)].flatMap((m) => (m[1] ?? '').replace(/"/g, '').split(/\s+/));
  if (ids.some((id) => id === 'debian' || id === 'ubuntu')) return 'debian';
  if (ids.some((id) => id === 'fedora' || id === 'rhel' || id === 'centos')) return 'fedora';
  return 'other';
}

/**
 * The text to print for a gap in the fast path: a framed multi-line banner for a missing addon, one line for a
 * missing OpenBLAS. Ends with a newline.
 *
 * @example
 * process.stderr.write(fastPathBanner({ missing: 'addon', reason: 'the addon was not built' }, detectPlatform()));
 */
export function fastPathBanner(gap: FastPathGap, platform: Platform): string {
  const targets = platform === 'other' ? (['debian', 'fedora', 'macos'] as const) : [platform];
  if (gap.missing === 'openblas') {
    const fixes = targets.map((p) => `${COMMANDS[p].openblas}${targets.length > 1 ? ` (${COMMANDS[p].label})` : ''}`);
    const entry = Object.entries(MEASURED_SLOWDOWN.builtin).find(([prefix]) => gap.kernel.startsWith(prefix));
    const ratio = entry?.[1] ?? MEASURED_SLOWDOWN.builtin.portable;
    const gain =
      ratio <= 1.05
        ? 'OpenBLAS measured no faster than this kernel, so it is optional here'
        : `OpenBLAS would be ~${ratio}× faster`;
    return (
      `meta-lora: matmuls run on the addon's built-in sgemm (${gap.kernel}; ${gap.reason.replace(/ \(.*$/, '')}); ` +
      `${gain}: ${fixes.join(' | ')}\n`
    );
  }
  const rule = '='.repeat(78);
  const lines = [
    rule,
    'meta-lora: SLOW PATH. The native kernels (@meta-lora/native-blas) are not available:',
    `  ${gap.reason}.`,
    `  Every matmul runs on TF.js's WebAssembly kernels instead, about ${MEASURED_SLOWDOWN.wasm} slower.`,
    '',
    'Fix: install a C++ compiler and OpenBLAS, then rebuild the addon:',
    ...targets.flatMap((p) => [`  ${COMMANDS[p].label}:`, ...COMMANDS[p].all.map((c) => `    ${c}`)]),
    `  then:  ${REBUILD}   (or re-run pnpm install)`,
    '',
    'Carrying on with the slow path. META_LORA_NATIVE=0 chooses it on purpose and hides this banner.',
    rule,
  ];
  return `${lines.join('\n')}\n`;
}

function readOsRelease(): string {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
}
