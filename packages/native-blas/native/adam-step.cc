// adamStep(buffer, n, pOffset, gOffset, mOffset, vOffset, pOutOffset, mOutOffset, vOutOffset, beta1, beta2, eps,
// decay, sqrtBc2, stepSize): one AdamW update of n parameters into fresh outputs, in float32 and in the order of the
// op-by-op version (so the two agree bit for bit):
//   m' = β₁m + (1−β₁)g,  v' = β₂v + (1−β₂)g²,  p' = decay·p − (m' / (√v' / √bc₂ + ε))·stepSize
// where decay = 1 − lr·wd (1 for plain Adam) and stepSize = lr / bc₁.
#include <cmath>

#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value AdamStep(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 8, 6, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = v[0];
  if (!args.Fit({{v[1], n}, {v[2], n}, {v[3], n}, {v[4], n}, {v[5], n}, {v[6], n}, {v[7], n}})) {
    return Throw(env, "native-blas: adamStep operands out of the buffer's bounds");
  }
  const double* c = args.c;  // beta1, beta2, eps, decay, sqrtBc2, stepSize
  const float b1 = static_cast<float>(c[0]), b2 = static_cast<float>(c[1]), eps = static_cast<float>(c[2]),
              decay = static_cast<float>(c[3]), sqrt_bc2 = static_cast<float>(c[4]), step = static_cast<float>(c[5]);
  const float one_b1 = static_cast<float>(1.0 - c[0]), one_b2 = static_cast<float>(1.0 - c[1]);
  const bool decays = c[3] != 1.0;
  float* base = args.base;
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

}  // namespace native_blas
