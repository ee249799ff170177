// swigluGrad(buffer, dyOffset, gateOffset, upOffset, dGateOffset, dUpOffset, n): with s = sigmoid(g),
// dUp = dy * g * s and dGate = dy * u * s * (1 + g * (1 - s)).
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value SwiGluGrad(napi_env env, napi_callback_info info) {
  KernelArgs args;
  int64_t n;
  if (!ReadElementwise(env, info, "swigluGrad", 5, CountAt::kLast, 0, &args, &n)) return nullptr;
  const float *dy = args.x[0], *g = args.x[1], *u = args.x[2];
  float *dg = args.x[3], *du = args.x[4];
  for (int64_t i = 0; i < n; i++) {
    const float s = 1.0f / (1.0f + ExpF(-g[i]));
    const float silu = g[i] * s;
    du[i] = dy[i] * silu;
    dg[i] = dy[i] * u[i] * (s + silu * (1.0f - s));
  }
  return nullptr;
}

}  // namespace native_blas
