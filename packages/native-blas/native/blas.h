// The SGEMM every kernel multiplies with: OpenBLAS's cblas_sgemm, opened with dlopen at run time (libopenblas.so.0
// from Debian's libopenblas0-pthread), so building needs only a C++ compiler and Node's headers. Where no BLAS opens,
// loadBuiltin() puts the addon's own SGEMM (builtin-sgemm.cc) behind the same function pointer, so every kernel runs
// either way. blas.cc holds the state and the load/loadBuiltin/setThreads entry points.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>

namespace native_blas {

// CBLAS enums (cblas.h): row-major = 101, column-major = 102, no transpose = 111, transpose = 112.
constexpr int kRowMajor = 101;
constexpr int kColMajor = 102;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);

// The loaded cblas_sgemm (or the built-in one); null before load() or loadBuiltin().
extern SgemmFn sgemm;

// Whether an sgemm is loaded; else throws "native-blas: <name> called before load()".
bool BlasLoaded(napi_env env, const char* name);

// C[m, n] = alpha op(A) op(B) + beta C on contiguous row-major operands (op(A) [m, k], stored [k, m] when ta).
void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b, float beta,
          float* c);

// load(paths: string[]) -> { library: string, config: string, threads: number }
napi_value Load(napi_env env, napi_callback_info info);
// loadBuiltin() -> { library: 'built-in', config, threads: 1 }
napi_value LoadBuiltin(napi_env env, napi_callback_info info);
// setThreads(n) -> threads now in use
napi_value SetThreads(napi_env env, napi_callback_info info);

}  // namespace native_blas
