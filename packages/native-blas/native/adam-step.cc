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
  int64_t n;
  if (!ReadElementwise(env, info, "adamStep", 7, CountAt::kFirst, 6, &args, &n)) return nullptr;
  const double* c = args.c;  // beta1, beta2, eps, decay, sqrtBc2, stepSize
  const float b1 = static_cast<float>(c[0]), b2 = static_cast<float>(c[1]), eps = static_cast<float>(c[2]),
              decay = static_cast<float>(c[3]), sqrt_bc2 = static_cast<float>(c[4]), step = static_cast<float>(c[5]);
  const float one_b1 = static_cast<float>(1.0 - c[0]), one_b2 = static_cast<float>(1.0 - c[1]);
  const bool decays = c[3] != 1.0;
  const float *p = args.x[0], *g = args.x[1], *m = args.x[2], *v = args.x[3];
  float *p_out = args.x[4], *m_out = args.x[5], *v_out = args.x[6];
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * one_b1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * one_b2;
    const float pi = decays ? p[i] * decay : p[i];
    const float denom = std::sqrt(vi) / sqrt_bc2 + eps;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = pi - (mi / denom) * step;
  }
  return nullptr;
}

}  // namespace native_blas
