// swigluGrad(buffer, dyOffset, gateOffset, upOffset, dGateOffset, dUpOffset, n): with s = sigmoid(g),
// dUp = dy * g * s and dGate = dy * u * s * (1 + g * (1 - s)).
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value SwiGluGrad(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 6, 0, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = v[5];
  if (!args.Fit({{v[0], n}, {v[1], n}, {v[2], n}, {v[3], n}, {v[4], n}})) {
    return Throw(env, "native-blas: swigluGrad operands out of the buffer's bounds");
  }
  float* base = args.base;
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

}  // namespace native_blas
