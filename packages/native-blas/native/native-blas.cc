// N-API addon: single-precision GEMM through OpenBLAS's cblas_sgemm, on float32 data that lives in a JavaScript
// ArrayBuffer (the TF.js wasm backend's heap, or a cpu-backend tensor's buffer), read and written in place.
//
// OpenBLAS is opened with dlopen at runtime (libopenblas.so.0 from Debian's libopenblas0-pthread), so building needs
// only a C++ compiler and Node's headers, and a machine without OpenBLAS gets a clear error instead of a load failure.
#include <dlfcn.h>
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

// CBLAS enums (cblas.h): row-major = 101, no transpose = 111, transpose = 112.
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();
using GetConfigFn = char* (*)();

SgemmFn sgemm = nullptr;
SetThreadsFn set_threads = nullptr;
GetThreadsFn get_threads = nullptr;
GetConfigFn get_config = nullptr;
std::string loaded_from;

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

bool GetArgs(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want) {
    napi_throw_error(env, nullptr, "native-blas: wrong number of arguments");
    return false;
  }
  return true;
}

bool GetNumber(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: expected a number");
    return false;
  }
  return true;
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
  napi_value result, library, config, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, loaded_from.c_str(), NAPI_AUTO_LENGTH, &library);
  napi_create_string_utf8(env, get_config != nullptr ? get_config() : "", NAPI_AUTO_LENGTH, &config);
  napi_create_int32(env, get_threads != nullptr ? get_threads() : 1, &threads);
  napi_set_named_property(env, result, "library", library);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "threads", threads);
  return result;
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

// sgemm(buffer, batch, m, n, k, transA, transB, aOffset, bOffset, cOffset, aStride, bStride)
// For each batch i: C_i[m, n] = op(A_i) op(B_i), row-major; offsets and strides in float elements (a stride of 0
// broadcasts one matrix over the batch). op(A) is [m, k] (A stored [k, m] when transA), op(B) is [k, n].
napi_value Sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!GetArgs(env, info, 12, argv)) return nullptr;
  if (sgemm == nullptr) return Throw(env, "native-blas: sgemm called before load()");
  void* data = nullptr;
  size_t bytes = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env, argv[0], &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: sgemm expects an ArrayBuffer");
    return nullptr;
  }
  double v[11];
  for (int i = 0; i < 11; i++) {
    if (!GetNumber(env, argv[1 + i], &v[i])) return nullptr;
  }
  const int64_t batch = static_cast<int64_t>(v[0]), m = static_cast<int64_t>(v[1]), n = static_cast<int64_t>(v[2]),
                k = static_cast<int64_t>(v[3]);
  const bool ta = v[4] != 0, tb = v[5] != 0;
  const int64_t a_off = static_cast<int64_t>(v[6]), b_off = static_cast<int64_t>(v[7]),
                c_off = static_cast<int64_t>(v[8]), a_stride = static_cast<int64_t>(v[9]),
                b_stride = static_cast<int64_t>(v[10]);
  const int64_t floats = static_cast<int64_t>(bytes / sizeof(float));
  auto in_range = [&](int64_t off, int64_t stride, int64_t size) {
    return off >= 0 && stride >= 0 && size >= 0 && off + (batch - 1) * stride + size <= floats;
  };
  if (batch < 1 || m < 1 || n < 1 || k < 1 || !in_range(a_off, a_stride, m * k) || !in_range(b_off, b_stride, k * n) ||
      !in_range(c_off, m * n, m * n)) {
    return Throw(env, "native-blas: sgemm operands out of the buffer's bounds");
  }
  float* base = static_cast<float*>(data);
  const int lda = static_cast<int>(ta ? m : k), ldb = static_cast<int>(tb ? k : n), ldc = static_cast<int>(n);
  for (int64_t i = 0; i < batch; i++) {
    sgemm(kRowMajor, ta ? kTrans : kNoTrans, tb ? kTrans : kNoTrans, static_cast<int>(m), static_cast<int>(n),
          static_cast<int>(k), 1.0f, base + a_off + i * a_stride, lda, base + b_off + i * b_stride, ldb, 0.0f,
          base + c_off + i * m * n, ldc);
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
