// Install step of @meta-lora/native-blas: builds build/Release/native_blas.node. It first tries node-gyp (pnpm puts
// its bundled node-gyp on PATH for install scripts), then a direct `c++` call against Node's headers. A failure is
// never fatal: it prints one line, and at run time meta-lora prints a banner with the fix and falls back to the TF.js
// kernels. Rebuild after installing a compiler: `pnpm --filter @meta-lora/native-blas rebuild`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'Release', 'native_blas.node');
const quiet = { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 };
const failures = [];
// The C++ sources, one per op: binding.gyp lists them, and the direct `c++` call below compiles the same list.
const sources = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')).targets[0].sources;

if (process.env.META_LORA_NATIVE === '0') {
  console.log('@meta-lora/native-blas: META_LORA_NATIVE=0, not building the native matmul addon');
  process.exit(0);
}

rmSync(out, { force: true }); // never leave a stale addon from an older source
try {
  execFileSync('node-gyp', ['rebuild', '--jobs', 'max'], quiet); // one object per op, compiled in parallel
} catch (error) {
  failures.push(`node-gyp: ${firstLine(error)}`);
}

if (!existsSync(out)) {
  const version = process.versions.node;
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(process.execPath), '..', 'include', 'node'),
    join(homedir(), '.cache', 'node-gyp', version, 'include', 'node'),
  ].filter(Boolean);
  const headers = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
  if (headers === undefined) {
    failures.push(`c++: no node_api.h in ${candidates.join(', ')}`);
  } else {
    try {
      mkdirSync(dirname(out), { recursive: true });
      execFileSync(
        process.env.CXX || 'c++',
        [
          '-O3',
          '-fno-trapping-math',
          '-std=c++17',
          '-shared',
          '-fPIC',
          '-DNODE_GYP_MODULE_NAME=native_blas',
          '-DNAPI_VERSION=8',
          `-I${headers}`,
          ...sources,
          '-o',
          out,
          '-ldl',
        ],
        quiet,
      );
    } catch (error) {
      failures.push(`c++: ${firstLine(error)}`);
    }
  }
}

console.log(
  existsSync(out)
    ? '@meta-lora/native-blas: built the native matmul addon (OpenBLAS at run time where installed, else its built-in sgemm)'
    : `@meta-lora/native-blas: could not build the native matmul addon (${failures.join('; ')}); meta-lora will use the slower TF.js kernels until a C++ compiler is installed and \`pnpm --filter @meta-lora/native-blas rebuild\` runs`,
);

function firstLine(error) {
  const text = `${error.stderr ?? ''}`.trim() || error.message;
  const lines = text.split('\n').filter((l) => /error/i.test(l));
  return (lines[0] ?? text.split('\n')[0] ?? '').trim().slice(0, 300);
}
