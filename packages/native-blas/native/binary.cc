// binary(buffer, op, aOffset, bOffset, outOffset, n, nb, inner): float32 out[i] = a[i] (op) b[(i / inner) % nb], op 0
// add, 1 sub, 2 mul. b covers a contiguous block of a's axes: `inner` is the size of a's axes after the block, `nb`
// the block's size, and b repeats over the axes before it (nb = 1: a scalar; inner = 1: a trailing block).
#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value Binary(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 7, 0, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t op = v[0], n = v[4], nb = v[5], inner = v[6];
  if (op < 0 || op > 2 || nb < 1 || inner < 1 || n % (nb * inner) != 0 || !args.Fit({{v[1], n}, {v[2], nb}, {v[3], n}})) {
    return OutOfBounds(env, "binary");
  }
  const float* a = args.base + v[1];
  const float* b = args.base + v[2];
  float* out = args.base + v[3];
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

}  // namespace native_blas
