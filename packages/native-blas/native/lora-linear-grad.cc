// loraLinearGrad(buffer, n, in, out, r, dyOffset, xOffset, hOffset, wOffset, aOffset, bOffset, dxOffset, daOffset,
// dbOffset, scaling): the gradients of loraLinear for upstream dy [n, out], with dh = s dy B [n, r] (scratch):
//   dB = s dyᵀ h [out, r],   dA = dhᵀ x [r, in],   dx = dy W + dh A [n, in]
#include <vector>

#include "kernels.h"
#include "lora-linear.h"

namespace native_blas {

napi_value LoraLinearGrad(napi_env env, napi_callback_info info) {
  KernelArgs args;
  LoraDims dims;
  if (!ReadLora(env, info, "loraLinearGrad", 9, &args, &dims)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = dims.n, in = dims.in, out = dims.out, r = dims.r;
  // dy, x, h, weight, a, b, then the outputs dx, da, db
  if (!args.Fit({{v[4], n * out}, {v[5], n * in}, {v[6], n * r}, {v[7], out * in}, {v[8], r * in}, {v[9], out * r},
                 {v[10], n * in}, {v[11], r * in}, {v[12], out * r}})) {
    return Throw(env, "native-blas: loraLinearGrad operands out of the buffer's bounds");
  }
  float* base = args.base;
  const float *dy = base + v[4], *x = base + v[5], *h = base + v[6], *w = base + v[7], *a = base + v[8],
              *b = base + v[9];
  float *dx = base + v[10], *da = base + v[11], *db = base + v[12];
  const float s = static_cast<float>(args.c[0]);  // scaling
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

}  // namespace native_blas
