// sgemm(buffer, batch, m, n, k, transA, transB, aOffset, bOffset, cOffset, aStride, bStride)
// For each batch i: C_i[m, n] = op(A_i) op(B_i), row-major; offsets and strides in float elements (a stride of 0
// broadcasts one matrix over the batch). op(A) is [m, k] (A stored [k, m] when transA), op(B) is [k, n].
#include "args.h"
#include "blas.h"
#include "kernels.h"

namespace native_blas {

napi_value Sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!GetArgs(env, info, 12, argv)) return nullptr;
  if (!BlasLoaded(env, "sgemm")) return nullptr;
  float* base;
  int64_t floats;
  double v[11];
  if (!GetBuffer(env, argv[0], &base, &floats, "native-blas: sgemm expects an ArrayBuffer") ||
      !GetNumbers(env, argv + 1, 11, v)) {
    return nullptr;
  }
  const int64_t batch = static_cast<int64_t>(v[0]), m = static_cast<int64_t>(v[1]), n = static_cast<int64_t>(v[2]),
                k = static_cast<int64_t>(v[3]);
  const bool ta = v[4] != 0, tb = v[5] != 0;
  const int64_t a_off = static_cast<int64_t>(v[6]), b_off = static_cast<int64_t>(v[7]),
                c_off = static_cast<int64_t>(v[8]), a_stride = static_cast<int64_t>(v[9]),
                b_stride = static_cast<int64_t>(v[10]);
  auto in_range = [&](int64_t off, int64_t stride, int64_t size) {
    return off >= 0 && stride >= 0 && size >= 0 && off + (batch - 1) * stride + size <= floats;
  };
  if (batch < 1 || m < 1 || n < 1 || k < 1 || !in_range(a_off, a_stride, m * k) || !in_range(b_off, b_stride, k * n) ||
      !in_range(c_off, m * n, m * n)) {
    return OutOfBounds(env, "sgemm");
  }
  for (int64_t i = 0; i < batch; i++) {
    Gemm(ta, tb, m, n, k, 1.0f, base + a_off + i * a_stride, base + b_off + i * b_stride, 0.0f, base + c_off + i * m * n);
  }
  return nullptr;
}

}  // namespace native_blas
