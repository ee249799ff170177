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
  if (!ReadLora(env, info, "loraLinearGrad", kLoraLinearGradOperands, &args, &dims)) return nullptr;
  const float *dy = args.x[0], *x = args.x[1], *h = args.x[2], *w = args.x[3], *a = args.x[4], *b = args.x[5];
  float *dx = args.x[6], *da = args.x[7], *db = args.x[8];
  const int64_t n = dims.n, in = dims.in, out = dims.out, r = dims.r;
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
