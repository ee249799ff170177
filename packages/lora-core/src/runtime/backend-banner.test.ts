/**
 * The fast-path banner: its text per platform, and `initBackend` printing it once per process, on the main thread
 * only, before the backend line, when the addon is forced missing (a stand-in `@meta-lora/native-blas` whose addon
 * "was not built").
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from './backend.ts';
import { detectPlatform, fastPathBanner, MEASURED_SLOWDOWN } from './backend-banner.ts';

const state = vi.hoisted(() => ({ mainThread: true }));
vi.mock('node:worker_threads', async (original) => ({
  ...(await original<typeof import('node:worker_threads')>()),
  get isMainThread() {
    return state.mainThread;
  },
}));
vi.mock('@meta-lora/native-blas', () => ({
  loadNativeBlas: () => ({
    available: false,
    reason: 'the addon was not built (no /x/native_blas.node)',
    switchedOff: false,
  }),
  registerBlasKernels: () => undefined,
}));

afterEach(() => {
  vi.restoreAllMocks();
  state.mainThread = true;
});

const NOT_BUILT = { missing: 'addon', reason: 'the addon was not built (no /x/native_blas.node)' } as const;

describe('detectPlatform', () => {
  it('reads macOS from the platform and Linux distributions from os-release', () => {
    expect([
      detectPlatform('darwin', ''),
      detectPlatform('linux', 'ID=ubuntu\nID_LIKE=debian\n'),
      detectPlatform('linux', 'ID=debian\n'),
      detectPlatform('linux', 'ID="fedora"\n'),
      detectPlatform('linux', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n'),
      detectPlatform('linux', 'ID=arch\n'),
      detectPlatform('win32', ''),
    ]).toEqual(['macos', 'debian', 'debian', 'fedora', 'fedora', 'other', 'other']);
  });
});

describe('fastPathBanner', () => {
  it('names what is missing, the fix for this platform, the rebuild, the slowdown, and carries on', () => {
    const text = fastPathBanner(NOT_BUILT, 'debian');
    expect(text).toContain('SLOW PATH');
    expect(text).toContain('the addon was not built (no /x/native_blas.node)');
    expect(text).toContain('sudo apt-get install -y g++ make libopenblas0-pthread');
    expect(text).toContain('pnpm --filter @meta-lora/native-blas rebuild');
    expect(text).toContain(`about ${MEASURED_SLOWDOWN.wasm} slower`);
    expect(text).toContain('Carrying on');
    expect(text).not.toMatch(/dnf|brew/);
    expect(text.split('\n').length).toBeGreaterThan(8);
  });

  it('gives Fedora and macOS their own commands, and all three where the platform is unknown', () => {
    expect(fastPathBanner(NOT_BUILT, 'fedora')).toContain('sudo dnf install -y gcc-c++ make openblas-serial');
    const mac = fastPathBanner(NOT_BUILT, 'macos');
    expect(mac).toContain('xcode-select --install');
    expect(mac).toContain('brew install openblas');
    const other = fastPathBanner(NOT_BUILT, 'other');
    expect(other).toMatch(/apt-get[\s\S]*dnf[\s\S]*brew/);
  });

  it('is one line when only OpenBLAS is missing, with the OpenBLAS command alone', () => {
    const text = fastPathBanner(
      { missing: 'openblas', reason: 'no OpenBLAS found (libopenblas.so.0: cannot open)', kernel: 'AVX2+FMA 6x16' },
      'debian',
    );
    expect(text).toMatch(/^meta-lora: matmuls run on the addon's built-in sgemm \(AVX2\+FMA 6x16; no OpenBLAS found\)/);
    expect(text).toContain(`OpenBLAS would be ~${MEASURED_SLOWDOWN.builtin.AVX2}× faster`);
    expect(text).toContain('sudo apt-get install -y libopenblas0-pthread');
    expect(text).not.toContain('g++');
    expect(text.endsWith('\n') && text.split('\n').length).toBe(2);
    const avx512 = { missing: 'openblas', reason: 'no OpenBLAS found', kernel: 'AVX-512 12x32' } as const;
    expect(fastPathBanner(avx512, 'macos')).toMatch(/no faster than this kernel, so it is optional here: brew install/);
  });
});

describe('initBackend without the addon', () => {
  // In order: the banner is printed once per process.
  it('stays quiet when asked to', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await initBackend({ backend: 'wasm', quiet: true });
    expect(write).not.toHaveBeenCalled();
  });

  it('prints the banner once, on the main thread only, before the backend line, and carries on', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const text = () => write.mock.calls.map((call) => String(call[0]));

    await initBackend({ backend: 'cpu', quiet: true });
    state.mainThread = false; // a worker thread: its main thread has said it
    await initBackend({ backend: 'wasm' });
    expect(text()).toEqual([expect.stringMatching(/^meta-lora: TensorFlow.js backend "wasm"/)]);

    await initBackend({ backend: 'cpu', quiet: true });
    state.mainThread = true;
    const info = await initBackend({ backend: 'wasm' });
    expect(info).toMatchObject({ name: 'wasm', matmul: 'wasm kernels', nativeKernels: false });
    const first = text().findIndex((t) => t.includes('SLOW PATH'));
    expect(first).toBeGreaterThan(0);
    expect(text()[first]).toContain('the addon was not built');
    expect(text()[first + 1]).toMatch(/^meta-lora: TensorFlow.js backend "wasm"/);

    await initBackend({ backend: 'cpu', quiet: true });
    await initBackend({ backend: 'wasm' });
    expect(text().filter((t) => t.includes('SLOW PATH'))).toHaveLength(1);
  });
});
