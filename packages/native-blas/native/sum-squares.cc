// sumSquares(buffer, offsets: number[], sizes: number[]) -> number: Σ x² over several float32 ranges, accumulated in
// float64 (the squared global norm of a list of gradients).
#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value SumSquares(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  float* base;
  int64_t floats;
  if (!GetBufferArgs(env, info, 3, argv, &base, &floats)) return nullptr;
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
    if (!InBounds(o, n, floats)) return OutOfBounds(env, "sumSquares");
    const float* x = base + o;
    double acc = 0.0;
    for (int64_t i = 0; i < n; i++) acc += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    total += acc;
  }
  napi_value out;
  napi_create_double(env, total, &out);
  return out;
}

}  // namespace native_blas
