// The built-in SGEMM's own entry points, for its tests and measurements: builtinSgemm (cblas_sgemm's arguments,
// whatever BLAS is loaded) and useBuiltinKernel (pick the micro-kernel).
#include <algorithm>

#include "args.h"
#include "blas.h"
#include "builtin-sgemm.h"
#include "kernels.h"

namespace native_blas {

// builtinSgemm(buffer, order, transA, transB, m, n, k, alpha, aOffset, lda, bOffset, ldb, beta, cOffset, ldc): the
// built-in SGEMM with cblas_sgemm's arguments (offsets in floats).
napi_value BuiltinSgemmEntry(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  float* base;
  int64_t floats;
  double v[14];
  if (!GetBufferArgs(env, info, 15, argv, &base, &floats, "native-blas: builtinSgemm expects an ArrayBuffer") ||
      !GetNumbers(env, argv + 1, 14, v)) {
    return nullptr;
  }
  const int order = static_cast<int>(v[0]), ta = static_cast<int>(v[1]), tb = static_cast<int>(v[2]);
  const int64_t m = static_cast<int64_t>(v[3]), n = static_cast<int64_t>(v[4]), k = static_cast<int64_t>(v[5]);
  const int64_t a_off = static_cast<int64_t>(v[7]), lda = static_cast<int64_t>(v[8]),
                b_off = static_cast<int64_t>(v[9]), ldb = static_cast<int64_t>(v[10]),
                c_off = static_cast<int64_t>(v[12]), ldc = static_cast<int64_t>(v[13]);
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

}  // namespace native_blas
