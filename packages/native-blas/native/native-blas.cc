// N-API addon: single-precision GEMM through OpenBLAS's cblas_sgemm, on float32 data that lives in a JavaScript
// ArrayBuffer (the TF.js wasm backend's heap, or a cpu-backend tensor's buffer), read and written in place.
//
// OpenBLAS is opened with dlopen at runtime (libopenblas.so.0 from Debian's libopenblas0-pthread), so building needs
// only a C++ compiler and Node's headers. Where no BLAS opens, loadBuiltin() puts the addon's own SGEMM
// (builtin-sgemm.cc) behind the same function pointer, so every kernel here runs either way.
#include <dlfcn.h>
#include <node_api.h>

#include "builtin-sgemm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// CBLAS enums (cblas.h): row-major = 101, no transpose = 111, transpose = 112.
constexpr int kRowMajor = 101;
constexpr int kColMajor = 102;
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

// C[m, n] = alpha op(A) op(B) + beta C on contiguous row-major operands (op(A) [m, k], stored [k, m] when ta).
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
  for (int64_t i = 0; i < batch; i++) {
    Gemm(ta, tb, m, n, k, 1.0f, base + a_off + i * a_stride, base + b_off + i * b_stride, 0.0f, base + c_off + i * m * n);
  }
  return nullptr;
}

// builtinSgemm(buffer, order, transA, transB, m, n, k, alpha, aOffset, lda, bOffset, ldb, beta, cOffset, ldc): the
// built-in SGEMM with cblas_sgemm's arguments (offsets in floats), whatever BLAS is loaded: for its tests.
napi_value BuiltinSgemmEntry(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!GetArgs(env, info, 15, argv)) return nullptr;
  void* data = nullptr;
  size_t bytes = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env, argv[0], &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, argv[0], &data, &bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: builtinSgemm expects an ArrayBuffer");
    return nullptr;
  }
  double v[14];
  for (int i = 0; i < 14; i++) {
    if (!GetNumber(env, argv[1 + i], &v[i])) return nullptr;
  }
  const int order = static_cast<int>(v[0]), ta = static_cast<int>(v[1]), tb = static_cast<int>(v[2]);
  const int64_t m = static_cast<int64_t>(v[3]), n = static_cast<int64_t>(v[4]), k = static_cast<int64_t>(v[5]);
  const int64_t a_off = static_cast<int64_t>(v[7]), lda = static_cast<int64_t>(v[8]),
                b_off = static_cast<int64_t>(v[9]), ldb = static_cast<int64_t>(v[10]),
                c_off = static_cast<int64_t>(v[12]), ldc = static_cast<int64_t>(v[13]);
  const int64_t floats = static_cast<int64_t>(bytes / sizeof(float));
  const bool col = order == kColMajor;
  // A stored matrix of `rows` x `cols` in its storage order, `ld` apart, fits in the buffer.
  auto fits = [&](int64_t off, int64_t rows, int64_t cols, int64_t ld) {
    const int64_t outer = col ? cols : rows, inner = col ? rows : cols;
    return off >= 0 && ld >= std::max<int64_t>(inner, 1) && (outer == 0 || off + (outer - 1) * ld + inner <= floats);
  };
  const bool ta_yes = ta == kTrans, tb_yes = tb == kTrans;
  if ((order != kRowMajor && !col) || (ta != kNoTrans && !ta_yes) || (tb != kNoTrans && !tb_yes) || m < 1 || n < 1 ||
      k < 0 || !fits(a_off, ta_yes ? k : m, ta_yes ? m : k, lda) || !fits(b_off, tb_yes ? n : k, tb_yes ? k : n, ldb) ||
      !fits(c_off, m, n, ldc)) {
    return Throw(env, "native-blas: builtinSgemm arguments invalid or out of the buffer's bounds");
  }
  float* base = static_cast<float*>(data);
  BuiltinSgemm(order, ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), static_cast<float>(v[6]),
               base + a_off, static_cast<int>(lda), base + b_off, static_cast<int>(ldb), static_cast<float>(v[11]),
               base + c_off, static_cast<int>(ldc));
  return nullptr;
}

// useBuiltinKernel(level: 'avx512' | 'avx2' | 'portable') -> the built-in sgemm's micro-kernel now in use, or null
// where the CPU lacks that level.
napi_value UseBuiltinKernel(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!GetArgs(env, info, 1, argv)) return nullptr;
  char level[32];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], level, sizeof level, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: useBuiltinKernel expects a string");
    return nullptr;
  }
  const char* name = BuiltinSgemmUse(level);
  napi_value out;
  if (name == nullptr) {
    napi_get_null(env, &out);
  } else {
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out);
  }
  return out;
}

// Reads an ArrayBuffer argument into a float pointer and its length in floats.
bool GetBuffer(napi_env env, napi_value v, float** data, int64_t* floats) {
  void* raw = nullptr;
  size_t bytes = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, v, &raw, &bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: expected an ArrayBuffer");
    return false;
  }
  *data = static_cast<float*>(raw);
  *floats = static_cast<int64_t>(bytes / sizeof(float));
  return true;
}

bool GetInts(napi_env env, napi_value* argv, int count, int64_t* out) {
  for (int i = 0; i < count; i++) {
    double d;
    if (!GetNumber(env, argv[i], &d)) return false;
    out[i] = static_cast<int64_t>(d);
  }
  return true;
}

bool InBounds(int64_t off, int64_t size, int64_t floats) { return off >= 0 && size >= 0 && off + size <= floats; }

// Reads the arguments (buffer, `ints` integers, `reals` numbers) of a kernel entry point: the buffer as floats, the
// integers (offsets, sizes) into v, the numbers (scalars) into c. On failure a JS exception is pending.
bool ReadArgs(napi_env env, napi_callback_info info, int ints, int reals, float** base, int64_t* floats, int64_t* v,
              double* c) {
  napi_value argv[32];
  if (!GetArgs(env, info, static_cast<size_t>(1 + ints + reals), argv)) return false;
  if (!GetBuffer(env, argv[0], base, floats) || !GetInts(env, argv + 1, ints, v)) return false;
  for (int i = 0; i < reals; i++) {
    if (!GetNumber(env, argv[1 + ints + i], &c[i])) return false;
  }
  return true;
}

// transpose(buffer, xOffset, outOffset, shape: number[], perm: number[]): 4-byte elements (float32 or int32), rank <= 8.
// out[i_0..i_{r-1}] = x[j] where output axis a is input axis perm[a]. The innermost output axis is walked with the input
// stride of perm[r-1]; a [rows, cols] -> [cols, rows] swap goes in 32 x 32 tiles to keep both sides in cache.
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!GetArgs(env, info, 5, argv)) return nullptr;
  float* base;
  int64_t floats, off[2];
  if (!GetBuffer(env, argv[0], &base, &floats) || !GetInts(env, argv + 1, 2, off)) return nullptr;
  uint32_t rank = 0, prank = 0;
  napi_get_array_length(env, argv[3], &rank);
  napi_get_array_length(env, argv[4], &prank);
  if (rank == 0 || rank > 8 || prank != rank) return Throw(env, "native-blas: transpose wants 1 <= rank <= 8");
  int64_t shape[8], perm[8], in_stride[8], out_shape[8];
  for (uint32_t i = 0; i < rank; i++) {
    napi_value v;
    double d;
    napi_get_element(env, argv[3], i, &v);
    if (!GetNumber(env, v, &d)) return nullptr;
    shape[i] = static_cast<int64_t>(d);
    napi_get_element(env, argv[4], i, &v);
    if (!GetNumber(env, v, &d)) return nullptr;
    perm[i] = static_cast<int64_t>(d);
    if (perm[i] < 0 || perm[i] >= rank) return Throw(env, "native-blas: transpose perm out of range");
  }
  int64_t size = 1;
  for (int i = static_cast<int>(rank) - 1; i >= 0; i--) {
    in_stride[i] = size;
    size *= shape[i];
  }
  if (!InBounds(off[0], size, floats) || !InBounds(off[1], size, floats)) {
    return Throw(env, "native-blas: transpose operands out of the buffer's bounds");
  }
  if (size == 0) return nullptr;
  const uint32_t* x = reinterpret_cast<const uint32_t*>(base + off[0]);
  uint32_t* out = reinterpret_cast<uint32_t*>(base + off[1]);
  int64_t stride[8];  // input stride of each output axis
  for (uint32_t a = 0; a < rank; a++) {
    out_shape[a] = shape[perm[a]];
    stride[a] = in_stride[perm[a]];
  }
  // Batched swap of the last two axes (including plain 2-D): tiles.
  bool swap_last2 = rank >= 2 && perm[rank - 1] == rank - 2 && perm[rank - 2] == rank - 1;
  for (uint32_t a = 0; a + 2 < rank && swap_last2; a++) swap_last2 = perm[a] == a;
  if (swap_last2) {
    const int64_t rows = shape[rank - 2], cols = shape[rank - 1], batch = size / (rows * cols);
    constexpr int64_t kTile = 32;
    for (int64_t b = 0; b < batch; b++) {
      const uint32_t* xb = x + b * rows * cols;
      uint32_t* ob = out + b * rows * cols;
      for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
        const int64_t r1 = r0 + kTile < rows ? r0 + kTile : rows;
        for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
          const int64_t c1 = c0 + kTile < cols ? c0 + kTile : cols;
          for (int64_t c = c0; c < c1; c++) {
            for (int64_t r = r0; r < r1; r++) ob[c * rows + r] = xb[r * cols + c];
          }
        }
      }
    }
    return nullptr;
  }
  // General case: odometer over the output's outer axes, a strided copy along the innermost one.
  const int64_t inner = out_shape[rank - 1], inner_stride = stride[rank - 1];
  int64_t idx[8] = {0};
  int64_t src = 0;
  for (int64_t o = 0; o < size; o += inner) {
    uint32_t* dst = out + o;
    if (inner_stride == 1) {
      for (int64_t i = 0; i < inner; i++) dst[i] = x[src + i];
    } else {
      for (int64_t i = 0; i < inner; i++) dst[i] = x[src + i * inner_stride];
    }
    for (int a = static_cast<int>(rank) - 2; a >= 0; a--) {
      if (++idx[a] < out_shape[a]) {
        src += stride[a];
        break;
      }
      src -= stride[a] * (out_shape[a] - 1);
      idx[a] = 0;
    }
  }
  return nullptr;
}

// e^x in float32 within 2 ulp (Cephes expf): x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n from
// the exponent bits. Branch-free, so the loop vectorises; glibc's scalar expf does not, and took 4 ns an element.
inline float ExpF(float x) {
  const float hi = 88.3762626647949f, lo = -87.3365447505531f;
  const float xc = std::max(std::min(x, hi), lo);
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  float y = p * scale;
  y = x > hi ? INFINITY : y;
  y = x < lo ? 0.0f : y;
  return x == x ? y : x;  // NaN stays NaN
}

// exp(buffer, xOffset, outOffset, n): float32 elementwise e^x.
napi_value Exp(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[3];
  if (!ReadArgs(env, info, 3, 0, &base, &floats, v, nullptr)) return nullptr;
  if (!InBounds(v[0], v[2], floats) || !InBounds(v[1], v[2], floats)) {
    return Throw(env, "native-blas: exp operands out of the buffer's bounds");
  }
  const float* x = base + v[0];
  float* out = base + v[1];
  for (int64_t i = 0; i < v[2]; i++) out[i] = ExpF(x[i]);
  return nullptr;
}

// binary(buffer, op, aOffset, bOffset, outOffset, n, nb, inner): float32 out[i] = a[i] (op) b[(i / inner) % nb], op 0
// add, 1 sub, 2 mul. b covers a contiguous block of a's axes: `inner` is the size of a's axes after the block, `nb`
// the block's size, and b repeats over the axes before it (nb = 1: a scalar; inner = 1: a trailing block).
napi_value Binary(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[7];
  if (!ReadArgs(env, info, 7, 0, &base, &floats, v, nullptr)) return nullptr;
  const int64_t op = v[0], n = v[4], nb = v[5], inner = v[6];
  if (op < 0 || op > 2 || nb < 1 || inner < 1 || n % (nb * inner) != 0 || !InBounds(v[1], n, floats) ||
      !InBounds(v[2], nb, floats) || !InBounds(v[3], n, floats)) {
    return Throw(env, "native-blas: binary operands out of the buffer's bounds");
  }
  const float* a = base + v[1];
  const float* b = base + v[2];
  float* out = base + v[3];
  if (inner == 1) {
    for (int64_t o = 0; o < n; o += nb) {
      const float* ao = a + o;
      float* oo = out + o;
      if (op == 0) {
        for (int64_t i = 0; i < nb; i++) oo[i] = ao[i] + b[i];
      } else if (op == 1) {
        for (int64_t i = 0; i < nb; i++) oo[i] = ao[i] - b[i];
      } else {
        for (int64_t i = 0; i < nb; i++) oo[i] = ao[i] * b[i];
      }
    }
    return nullptr;
  }
  for (int64_t o = 0; o < n; o += inner) {
    const float bj = b[(o / inner) % nb];
    const float* ao = a + o;
    float* oo = out + o;
    if (op == 0) {
      for (int64_t i = 0; i < inner; i++) oo[i] = ao[i] + bj;
    } else if (op == 1) {
      for (int64_t i = 0; i < inner; i++) oo[i] = ao[i] - bj;
    } else {
      for (int64_t i = 0; i < inner; i++) oo[i] = ao[i] * bj;
    }
  }
  return nullptr;
}

// swiglu(buffer, gateOffset, upOffset, outOffset, n): float32 out = silu(gate) * up, silu(g) = g * sigmoid(g).
napi_value SwiGlu(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[4];
  if (!ReadArgs(env, info, 4, 0, &base, &floats, v, nullptr)) return nullptr;
  const int64_t n = v[3];
  if (!InBounds(v[0], n, floats) || !InBounds(v[1], n, floats) || !InBounds(v[2], n, floats)) {
    return Throw(env, "native-blas: swiglu operands out of the buffer's bounds");
  }
  const float* g = base + v[0];
  const float* u = base + v[1];
  float* out = base + v[2];
  for (int64_t i = 0; i < n; i++) out[i] = g[i] / (1.0f + ExpF(-g[i])) * u[i];
  return nullptr;
}

// swigluGrad(buffer, dyOffset, gateOffset, upOffset, dGateOffset, dUpOffset, n): with s = sigmoid(g),
// dUp = dy * g * s and dGate = dy * u * s * (1 + g * (1 - s)).
napi_value SwiGluGrad(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[6];
  if (!ReadArgs(env, info, 6, 0, &base, &floats, v, nullptr)) return nullptr;
  const int64_t n = v[5];
  for (int i = 0; i < 5; i++) {
    if (!InBounds(v[i], n, floats)) return Throw(env, "native-blas: swigluGrad operands out of the buffer's bounds");
  }
  const float* dy = base + v[0];
  const float* g = base + v[1];
  const float* u = base + v[2];
  float* dg = base + v[3];
  float* du = base + v[4];
  for (int64_t i = 0; i < n; i++) {
    const float s = 1.0f / (1.0f + ExpF(-g[i]));
    const float silu = g[i] * s;
    du[i] = dy[i] * silu;
    dg[i] = dy[i] * u[i] * (s + silu * (1.0f - s));
  }
  return nullptr;
}

// rmsNorm(buffer, xOffset, wOffset, yOffset, rOffset, rows, d, eps): per row r = 1 / sqrt(mean(x^2) + eps), y = x * r * w.
napi_value RmsNorm(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[6];
  double eps;
  if (!ReadArgs(env, info, 6, 1, &base, &floats, v, &eps)) return nullptr;
  const int64_t rows = v[4], d = v[5];
  if (rows < 1 || d < 1 || !InBounds(v[0], rows * d, floats) || !InBounds(v[1], d, floats) ||
      !InBounds(v[2], rows * d, floats) || !InBounds(v[3], rows, floats)) {
    return Throw(env, "native-blas: rmsNorm operands out of the buffer's bounds");
  }
  const float* w = base + v[1];
  for (int64_t i = 0; i < rows; i++) {
    const float* x = base + v[0] + i * d;
    float* y = base + v[2] + i * d;
    float ss = 0.0f;
    for (int64_t j = 0; j < d; j++) ss += x[j] * x[j];
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(d) + static_cast<float>(eps));
    base[v[3] + i] = r;
    for (int64_t j = 0; j < d; j++) y[j] = x[j] * r * w[j];
  }
  return nullptr;
}

// rmsNormGrad(buffer, dyOffset, xOffset, wOffset, rOffset, dxOffset, rows, d): per row
// dx = r * w * dy - x * r^3 / d * sum(dy * w * x).
napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[7];
  if (!ReadArgs(env, info, 7, 0, &base, &floats, v, nullptr)) return nullptr;
  const int64_t rows = v[5], d = v[6];
  if (rows < 1 || d < 1 || !InBounds(v[0], rows * d, floats) || !InBounds(v[1], rows * d, floats) ||
      !InBounds(v[2], d, floats) || !InBounds(v[3], rows, floats) || !InBounds(v[4], rows * d, floats)) {
    return Throw(env, "native-blas: rmsNormGrad operands out of the buffer's bounds");
  }
  const float* w = base + v[2];
  for (int64_t i = 0; i < rows; i++) {
    const float* dy = base + v[0] + i * d;
    const float* x = base + v[1] + i * d;
    float* dx = base + v[4] + i * d;
    const float r = base[v[3] + i];
    float dot = 0.0f;
    for (int64_t j = 0; j < d; j++) dot += dy[j] * w[j] * x[j];
    const float c = r * r * r * dot / static_cast<float>(d);
    for (int64_t j = 0; j < d; j++) dx[j] = r * w[j] * dy[j] - x[j] * c;
  }
  return nullptr;
}

// loraLinear(buffer, n, in, out, r, xOffset, wtOffset, aOffset, bOffset, yOffset, hOffset, scaling): a projection
// with one LoRA branch (PEFT layout: A [r, in], B [out, r]; the base weight as its transpose Wᵀ [in, out], the operand
// the plain projection multiplies by, so that B = 0 gives exactly its output) in three GEMMs on x [n, in]:
//   h = x Aᵀ [n, r],   y = x Wᵀ + s h Bᵀ [n, out]
napi_value LoraLinear(napi_env env, napi_callback_info info) {
  if (sgemm == nullptr) return Throw(env, "native-blas: loraLinear called before load()");
  float* base;
  int64_t floats, v[10];
  double scaling;
  if (!ReadArgs(env, info, 10, 1, &base, &floats, v, &scaling)) return nullptr;
  const int64_t n = v[0], in = v[1], out = v[2], r = v[3];
  if (n < 1 || in < 1 || out < 1 || r < 1 || !InBounds(v[4], n * in, floats) || !InBounds(v[5], in * out, floats) ||
      !InBounds(v[6], r * in, floats) || !InBounds(v[7], out * r, floats) || !InBounds(v[8], n * out, floats) ||
      !InBounds(v[9], n * r, floats)) {
    return Throw(env, "native-blas: loraLinear operands out of the buffer's bounds");
  }
  const float *x = base + v[4], *wt = base + v[5], *a = base + v[6], *b = base + v[7];
  float *y = base + v[8], *h = base + v[9];
  Gemm(false, true, n, r, in, 1.0f, x, a, 0.0f, h);
  Gemm(false, false, n, out, in, 1.0f, x, wt, 0.0f, y);
  Gemm(false, true, n, out, r, static_cast<float>(scaling), h, b, 1.0f, y);
  return nullptr;
}

// loraLinearGrad(buffer, n, in, out, r, dyOffset, xOffset, hOffset, wOffset, aOffset, bOffset, dxOffset, daOffset,
// dbOffset, scaling): the gradients of loraLinear for upstream dy [n, out], with dh = s dy B [n, r] (scratch):
//   dB = s dyᵀ h [out, r],   dA = dhᵀ x [r, in],   dx = dy W + dh A [n, in]
napi_value LoraLinearGrad(napi_env env, napi_callback_info info) {
  if (sgemm == nullptr) return Throw(env, "native-blas: loraLinearGrad called before load()");
  float* base;
  int64_t floats, v[13];
  double scaling;
  if (!ReadArgs(env, info, 13, 1, &base, &floats, v, &scaling)) return nullptr;
  const int64_t n = v[0], in = v[1], out = v[2], r = v[3];
  if (n < 1 || in < 1 || out < 1 || r < 1 || !InBounds(v[4], n * out, floats) || !InBounds(v[5], n * in, floats) ||
      !InBounds(v[6], n * r, floats) || !InBounds(v[7], out * in, floats) || !InBounds(v[8], r * in, floats) ||
      !InBounds(v[9], out * r, floats) || !InBounds(v[10], n * in, floats) || !InBounds(v[11], r * in, floats) ||
      !InBounds(v[12], out * r, floats)) {
    return Throw(env, "native-blas: loraLinearGrad operands out of the buffer's bounds");
  }
  const float *dy = base + v[4], *x = base + v[5], *h = base + v[6], *w = base + v[7], *a = base + v[8],
              *b = base + v[9];
  float *dx = base + v[10], *da = base + v[11], *db = base + v[12];
  const float s = static_cast<float>(scaling);
  // Per thread: each worker thread runs its own kernels, and the scratch is reused across calls.
  thread_local std::vector<float> dh;
  dh.resize(static_cast<size_t>(n * r));
  Gemm(true, false, out, r, n, s, dy, h, 0.0f, db);
  Gemm(false, false, n, r, out, s, dy, b, 0.0f, dh.data());
  Gemm(true, false, r, in, n, 1.0f, dh.data(), x, 0.0f, da);
  Gemm(false, false, n, in, out, 1.0f, dy, w, 0.0f, dx);
  Gemm(false, false, n, in, r, 1.0f, dh.data(), a, 1.0f, dx);
  return nullptr;
}

// adamStep(buffer, n, pOffset, gOffset, mOffset, vOffset, pOutOffset, mOutOffset, vOutOffset, beta1, beta2, eps,
// decay, sqrtBc2, stepSize): one AdamW update of n parameters into fresh outputs, in float32 and in the order of the
// op-by-op version (so the two agree bit for bit):
//   m' = β₁m + (1−β₁)g,  v' = β₂v + (1−β₂)g²,  p' = decay·p − (m' / (√v' / √bc₂ + ε))·stepSize
// where decay = 1 − lr·wd (1 for plain Adam) and stepSize = lr / bc₁.
napi_value AdamStep(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[8];
  double c[6];
  if (!ReadArgs(env, info, 8, 6, &base, &floats, v, c)) return nullptr;
  const int64_t n = v[0];
  for (int i = 1; i < 8; i++) {
    if (!InBounds(v[i], n, floats)) return Throw(env, "native-blas: adamStep operands out of the buffer's bounds");
  }
  const float b1 = static_cast<float>(c[0]), b2 = static_cast<float>(c[1]), eps = static_cast<float>(c[2]),
              decay = static_cast<float>(c[3]), sqrt_bc2 = static_cast<float>(c[4]), step = static_cast<float>(c[5]);
  const float one_b1 = static_cast<float>(1.0 - c[0]), one_b2 = static_cast<float>(1.0 - c[1]);
  const bool decays = c[3] != 1.0;
  const float *p = base + v[1], *g = base + v[2], *m = base + v[3], *vv = base + v[4];
  float *p_out = base + v[5], *m_out = base + v[6], *v_out = base + v[7];
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * one_b1;
    const float vi = vv[i] * b2 + (g[i] * g[i]) * one_b2;
    const float pi = decays ? p[i] * decay : p[i];
    const float denom = std::sqrt(vi) / sqrt_bc2 + eps;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = pi - (mi / denom) * step;
  }
  return nullptr;
}

// sgdStep(buffer, n, pOffset, gOffset, bufOffset, pOutOffset, bufOutOffset, lr, weightDecay, momentum, first): one SGD
// update (torch.optim.SGD) into fresh outputs, in the op-by-op version's order: d = g + wd·p (wd > 0), with momentum
// b' = d on the first step and μb + d after, d = b'; p' = p − d·lr. bufOffset and bufOutOffset are ignored without
// momentum.
napi_value SgdStep(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[6];
  double c[4];
  if (!ReadArgs(env, info, 6, 4, &base, &floats, v, c)) return nullptr;
  const int64_t n = v[0];
  const bool momentum = c[2] > 0, first = c[3] != 0;
  for (int i = 1; i < 6; i++) {
    if ((momentum || (i != 3 && i != 5)) && !InBounds(v[i], n, floats)) {
      return Throw(env, "native-blas: sgdStep operands out of the buffer's bounds");
    }
  }
  const float lr = static_cast<float>(c[0]), wd = static_cast<float>(c[1]), mu = static_cast<float>(c[2]);
  const bool decays = c[1] > 0;
  const float *p = base + v[1], *g = base + v[2];
  float* p_out = base + v[4];
  for (int64_t i = 0; i < n; i++) {
    float d = decays ? g[i] + p[i] * wd : g[i];
    if (momentum) {
      d = first ? d : base[v[3] + i] * mu + d;
      base[v[5] + i] = d;
    }
    p_out[i] = p[i] - d * lr;
  }
  return nullptr;
}

// sumSquares(buffer, offsets: number[], sizes: number[]) -> number: Σ x² over several float32 ranges, accumulated in
// float64 (the squared global norm of a list of gradients).
napi_value SumSquares(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!GetArgs(env, info, 3, argv)) return nullptr;
  float* base;
  int64_t floats;
  if (!GetBuffer(env, argv[0], &base, &floats)) return nullptr;
  uint32_t count = 0, sizes_count = 0;
  if (napi_get_array_length(env, argv[1], &count) != napi_ok ||
      napi_get_array_length(env, argv[2], &sizes_count) != napi_ok || count != sizes_count) {
    return Throw(env, "native-blas: sumSquares expects two arrays of one length");
  }
  double total = 0.0;
  for (uint32_t k = 0; k < count; k++) {
    napi_value ov, sv;
    double off, size;
    if (napi_get_element(env, argv[1], k, &ov) != napi_ok || napi_get_element(env, argv[2], k, &sv) != napi_ok ||
        !GetNumber(env, ov, &off) || !GetNumber(env, sv, &size)) {
      return nullptr;
    }
    const int64_t o = static_cast<int64_t>(off), n = static_cast<int64_t>(size);
    if (!InBounds(o, n, floats)) return Throw(env, "native-blas: sumSquares operands out of the buffer's bounds");
    const float* x = base + o;
    double acc = 0.0;
    for (int64_t i = 0; i < n; i++) acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    total += acc;
  }
  napi_value out;
  napi_create_double(env, total, &out);
  return out;
}

// Shapes of a causal self-attention block with grouped KV heads (HF Llama, no KV cache): batch B, time T, heads H,
// KV heads KV (each serving rep = H / KV query heads, repeat_interleave order), head dim d. Projection rows are
// time-major: q [B·T, H·d] with head h = kv·rep + r, k and v [B·T, KV·d]; the per-group blocks are
// Q [rep·T, d] (row r·T + t), K and V [T, d]; probabilities P [B, KV, rep·T, T].
struct AttentionDims {
  int64_t b, t, h, kv, d;
  int64_t rep() const { return h / kv; }
  int64_t m() const { return rep() * t; }
};

// RoPE on one row (HF rotate_half): y = x·cos + [−x₂, x₁]·sin; with `inverse`, its transpose (the gradient):
// y = x·cos + [u₂, −u₁] for u = x·sin.
inline void Rope(const float* x, const float* cos, const float* sin, int64_t d, bool inverse, float* y) {
  const int64_t half = d / 2;
  for (int64_t j = 0; j < half; j++) {
    const float a = x[j], b = x[j + half];
    if (inverse) {
      y[j] = a * cos[j] + b * sin[j + half];
      y[j + half] = b * cos[j + half] - a * sin[j];
    } else {
      y[j] = a * cos[j] + -b * sin[j];
      y[j + half] = b * cos[j + half] + a * sin[j + half];
    }
  }
}

// Reads the 17 arguments of attention / attentionGrad: the buffer, B, T, H, KV, d, ten offsets (into v[5..14]), scale.
bool ReadAttention(napi_env env, napi_callback_info info, const char* name, float** base, int64_t* floats, int64_t* v,
                   AttentionDims* dims, double* scale) {
  if (sgemm == nullptr) {
    Throw(env, std::string("native-blas: ") + name + " called before load()");
    return false;
  }
  if (!ReadArgs(env, info, 15, 1, base, floats, v, scale)) return false;
  *dims = AttentionDims{v[0], v[1], v[2], v[3], v[4]};
  if (dims->b < 1 || dims->t < 1 || dims->kv < 1 || dims->h % dims->kv != 0 || dims->d < 2 || dims->d % 2 != 0) {
    Throw(env, "native-blas: attention dims must have B, T >= 1, H a multiple of KV and an even head dim");
    return false;
  }
  return true;
}

// attention(buffer, B, T, H, KV, d, qOffset, kOffset, vOffset, cosOffset, sinOffset, ctxOffset, probsOffset,
// qrOffset, krOffset, vgOffset, scale): RoPE on q and k (cos, sin [T, d] for positions 0 .. T−1), causal softmax
// attention per group: P = softmax(scale·Q Kᵀ) over keys s <= t, ctx = P V, written back as [B·T, H·d]. Saves the
// gradient's operands: P, the rotated Q and K blocks, and the V blocks ([B, KV, rep·T, d], [B, KV, T, d] twice).
napi_value Attention(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[15];
  AttentionDims a;
  double scale;
  if (!ReadAttention(env, info, "attention", &base, &floats, v, &a, &scale)) return nullptr;
  const int64_t n = a.b * a.t, rep = a.rep(), m = a.m(), d = a.d, T = a.t;
  if (!InBounds(v[5], n * a.h * d, floats) || !InBounds(v[6], n * a.kv * d, floats) ||
      !InBounds(v[7], n * a.kv * d, floats) || !InBounds(v[8], T * d, floats) || !InBounds(v[9], T * d, floats) ||
      !InBounds(v[10], n * a.h * d, floats) || !InBounds(v[11], a.b * a.kv * m * T, floats) ||
      !InBounds(v[12], a.b * a.kv * m * d, floats) || !InBounds(v[13], a.b * a.kv * T * d, floats) ||
      !InBounds(v[14], a.b * a.kv * T * d, floats)) {
    return Throw(env, "native-blas: attention operands out of the buffer's bounds");
  }
  const float *q = base + v[5], *k = base + v[6], *vin = base + v[7], *cos = base + v[8], *sin = base + v[9];
  float *ctx = base + v[10], *probs = base + v[11], *qr = base + v[12], *kr = base + v[13], *vg = base + v[14];
  thread_local std::vector<float> out;
  out.resize(static_cast<size_t>(m * d));
  for (int64_t b = 0; b < a.b; b++) {
    for (int64_t g = 0; g < a.kv; g++) {
      const int64_t blk = b * a.kv + g;
      float *Q = qr + blk * m * d, *K = kr + blk * T * d, *V = vg + blk * T * d, *P = probs + blk * m * T;
      for (int64_t t = 0; t < T; t++) {
        const int64_t row = b * T + t;
        Rope(k + (row * a.kv + g) * d, cos + t * d, sin + t * d, d, false, K + t * d);
        std::memcpy(V + t * d, vin + (row * a.kv + g) * d, sizeof(float) * d);
        for (int64_t r = 0; r < rep; r++) {
          Rope(q + (row * a.h + g * rep + r) * d, cos + t * d, sin + t * d, d, false, Q + (r * T + t) * d);
        }
      }
      Gemm(false, true, m, T, d, static_cast<float>(scale), Q, K, 0.0f, P);  // [rep·T, T]
      for (int64_t i = 0; i < m; i++) {
        float* row = P + i * T;
        const int64_t last = i % T;  // keys 0 .. t are visible
        float mx = row[0];
        for (int64_t s2 = 1; s2 <= last; s2++) mx = std::max(mx, row[s2]);
        float sum = 0.0f;
        for (int64_t s2 = 0; s2 <= last; s2++) {
          row[s2] = ExpF(row[s2] - mx);
          sum += row[s2];
        }
        const float inv = 1.0f / sum;
        for (int64_t s2 = 0; s2 <= last; s2++) row[s2] *= inv;
        for (int64_t s2 = last + 1; s2 < T; s2++) row[s2] = 0.0f;
      }
      Gemm(false, false, m, d, T, 1.0f, P, V, 0.0f, out.data());  // [rep·T, d]
      for (int64_t r = 0; r < rep; r++) {
        for (int64_t t = 0; t < T; t++) {
          std::memcpy(ctx + ((b * T + t) * a.h + g * rep + r) * d, out.data() + (r * T + t) * d, sizeof(float) * d);
        }
      }
    }
  }
  return nullptr;
}

// attentionGrad(buffer, B, T, H, KV, d, dctxOffset, probsOffset, qrOffset, krOffset, vgOffset, cosOffset, sinOffset,
// dqOffset, dkOffset, dvOffset, scale): the gradients of `attention` for upstream dctx [B·T, H·d], from its saved
// operands: dV = Pᵀ dC, dP = dC Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS K, dK = dSᵀ Q, then RoPE transposed
// on dQ and dK; written as dq [B·T, H·d], dk and dv [B·T, KV·d].
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  float* base;
  int64_t floats, v[15];
  AttentionDims a;
  double scale;
  if (!ReadAttention(env, info, "attentionGrad", &base, &floats, v, &a, &scale)) return nullptr;
  const int64_t n = a.b * a.t, rep = a.rep(), m = a.m(), d = a.d, T = a.t;
  if (!InBounds(v[5], n * a.h * d, floats) || !InBounds(v[6], a.b * a.kv * m * T, floats) ||
      !InBounds(v[7], a.b * a.kv * m * d, floats) || !InBounds(v[8], a.b * a.kv * T * d, floats) ||
      !InBounds(v[9], a.b * a.kv * T * d, floats) || !InBounds(v[10], T * d, floats) || !InBounds(v[11], T * d, floats) ||
      !InBounds(v[12], n * a.h * d, floats) || !InBounds(v[13], n * a.kv * d, floats) ||
      !InBounds(v[14], n * a.kv * d, floats)) {
    return Throw(env, "native-blas: attentionGrad operands out of the buffer's bounds");
  }
  const float *dctx = base + v[5], *probs = base + v[6], *qr = base + v[7], *kr = base + v[8], *vg = base + v[9],
              *cos = base + v[10], *sin = base + v[11];
  float *dq = base + v[12], *dk = base + v[13], *dv = base + v[14];
  thread_local std::vector<float> dc, ds, dqg, dkg, dvg;
  dc.resize(static_cast<size_t>(m * d));
  ds.resize(static_cast<size_t>(m * T));
  dqg.resize(static_cast<size_t>(m * d));
  dkg.resize(static_cast<size_t>(T * d));
  dvg.resize(static_cast<size_t>(T * d));
  const float sc = static_cast<float>(scale);
  for (int64_t b = 0; b < a.b; b++) {
    for (int64_t g = 0; g < a.kv; g++) {
      const int64_t blk = b * a.kv + g;
      const float *Q = qr + blk * m * d, *K = kr + blk * T * d, *V = vg + blk * T * d, *P = probs + blk * m * T;
      for (int64_t r = 0; r < rep; r++) {
        for (int64_t t = 0; t < T; t++) {
          std::memcpy(dc.data() + (r * T + t) * d, dctx + ((b * T + t) * a.h + g * rep + r) * d, sizeof(float) * d);
        }
      }
      Gemm(true, false, T, d, m, 1.0f, P, dc.data(), 0.0f, dvg.data());   // dV [T, d]
      Gemm(false, true, m, T, d, 1.0f, dc.data(), V, 0.0f, ds.data());    // dP [rep·T, T]
      for (int64_t i = 0; i < m; i++) {
        const float* p = P + i * T;
        float* row = ds.data() + i * T;
        const int64_t last = i % T;
        float dot = 0.0f;
        for (int64_t s2 = 0; s2 <= last; s2++) dot += p[s2] * row[s2];
        for (int64_t s2 = 0; s2 <= last; s2++) row[s2] = p[s2] * (row[s2] - dot) * sc;
        for (int64_t s2 = last + 1; s2 < T; s2++) row[s2] = 0.0f;
      }
      Gemm(false, false, m, d, T, 1.0f, ds.data(), K, 0.0f, dqg.data());  // dQ [rep·T, d]
      Gemm(true, false, T, d, m, 1.0f, ds.data(), Q, 0.0f, dkg.data());   // dK [T, d]
      for (int64_t t = 0; t < T; t++) {
        const int64_t row = b * T + t;
        Rope(dkg.data() + t * d, cos + t * d, sin + t * d, d, true, dk + (row * a.kv + g) * d);
        std::memcpy(dv + (row * a.kv + g) * d, dvg.data() + t * d, sizeof(float) * d);
        for (int64_t r = 0; r < rep; r++) {
          Rope(dqg.data() + (r * T + t) * d, cos + t * d, sin + t * d, d, true, dq + (row * a.h + g * rep + r) * d);
        }
      }
    }
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loadBuiltin", nullptr, LoadBuiltin, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useBuiltinKernel", nullptr, UseBuiltinKernel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"builtinSgemm", nullptr, BuiltinSgemmEntry, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"exp", nullptr, Exp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swiglu", nullptr, SwiGlu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swigluGrad", nullptr, SwiGluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNorm", nullptr, RmsNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNormGrad", nullptr, RmsNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinear", nullptr, LoraLinear, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinearGrad", nullptr, LoraLinearGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
