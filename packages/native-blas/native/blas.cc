// Opening the BLAS (blas.h): OpenBLAS through dlopen, or the built-in SGEMM, and the Gemm every kernel calls.
#include "blas.h"

#include <dlfcn.h>

#include <algorithm>

#include "args.h"
#include "builtin-sgemm.h"

namespace native_blas {

using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();
using GetConfigFn = char* (*)();

SgemmFn sgemm = nullptr;

namespace {

SetThreadsFn set_threads = nullptr;
GetThreadsFn get_threads = nullptr;
GetConfigFn get_config = nullptr;
std::string loaded_from;

// What load() and loadBuiltin() return: { library, config, threads } of the sgemm now loaded.
napi_value Loaded(napi_env env, const std::string& config) {
  napi_value result, library, config_value, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, loaded_from.c_str(), NAPI_AUTO_LENGTH, &library);
  napi_create_string_utf8(env, config.c_str(), NAPI_AUTO_LENGTH, &config_value);
  napi_create_int32(env, get_threads != nullptr ? get_threads() : 1, &threads);
  napi_set_named_property(env, result, "library", library);
  napi_set_named_property(env, result, "config", config_value);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

}  // namespace

bool BlasLoaded(napi_env env, const char* name) {
  if (sgemm != nullptr) return true;
  Throw(env, std::string("native-blas: ") + name + " called before load()");
  return false;
}

// load(paths: string[]) -> { library: string, config: string, threads: number }
napi_value Load(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!GetArgs(env, info, 1, argv)) return nullptr;
  uint32_t n = 0;
  napi_get_array_length(env, argv[0], &n);
  std::string tried;
  for (uint32_t i = 0; i < n && sgemm == nullptr; i++) {
    napi_value item;
    napi_get_element(env, argv[0], i, &item);
    char path[4096];
    size_t len = 0;
    if (napi_get_value_string_utf8(env, item, path, sizeof path, &len) != napi_ok) continue;
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* err = dlerror();
      tried += std::string(tried.empty() ? "" : "; ") + (err != nullptr ? err : path);
      continue;
    }
    auto fn = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
    if (fn == nullptr) {
      tried += std::string(tried.empty() ? "" : "; ") + path + ": no cblas_sgemm";
      dlclose(handle);
      continue;
    }
    sgemm = fn;
    set_threads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
    get_threads = reinterpret_cast<GetThreadsFn>(dlsym(handle, "openblas_get_num_threads"));
    get_config = reinterpret_cast<GetConfigFn>(dlsym(handle, "openblas_get_config"));
    loaded_from = path;
  }
  if (sgemm == nullptr) return Throw(env, "cannot open a BLAS with cblas_sgemm: " + tried);
  return Loaded(env, get_config != nullptr ? get_config() : "");
}

// loadBuiltin() -> { library: 'built-in', config, threads: 1 }: the built-in SGEMM, unless a BLAS is loaded already
// (then that one's answer, as load() gives it).
napi_value LoadBuiltin(napi_env env, napi_callback_info info) {
  if (sgemm == nullptr) {
    sgemm = BuiltinSgemm;
    loaded_from = "built-in";
  }
  const std::string config = sgemm == BuiltinSgemm ? std::string("built-in sgemm, ") + BuiltinSgemmKernel()
                             : get_config != nullptr ? get_config()
                                                     : "";
  return Loaded(env, config);
}

// setThreads(n) -> threads now in use
napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!GetArgs(env, info, 1, argv)) return nullptr;
  double n;
  if (!GetNumber(env, argv[0], &n)) return nullptr;
  if (set_threads != nullptr) set_threads(static_cast<int>(n));
  napi_value out;
  napi_create_int32(env, get_threads != nullptr ? get_threads() : 1, &out);
  return out;
}

// Skinny or small products (the LoRA factors: k or n = r) are memory-bound; splitting them over threads costs more in
// hand-offs than it gains, so they run on one thread.
void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, const float* b, float beta,
          float* c) {
  const int threads = get_threads != nullptr ? get_threads() : 1;
  const bool one_thread = threads > 1 && set_threads != nullptr && (std::min({m, n, k}) < 32 || m * n * k < (1 << 21));
  if (one_thread) set_threads(1);
  sgemm(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, static_cast<int>(m), static_cast<int>(n),
        static_cast<int>(k), alpha, a, static_cast<int>(ta ? m : k), b, static_cast<int>(tb ? k : n), beta, c,
        static_cast<int>(n));
  if (one_thread) set_threads(threads);
}

}  // namespace native_blas
