// sgdStep(buffer, n, pOffset, gOffset, bufOffset, pOutOffset, bufOutOffset, lr, weightDecay, momentum, first): one SGD
// update (torch.optim.SGD) into fresh outputs, in the op-by-op version's order: d = g + wd·p (wd > 0), with momentum
// b' = d on the first step and μb + d after, d = b'; p' = p − d·lr. bufOffset and bufOutOffset are ignored without
// momentum.
#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value SgdStep(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 6, 4, &args)) return nullptr;
  const int64_t* v = args.v;
  const double* c = args.c;
  const int64_t n = v[0];
  const bool momentum = c[2] > 0, first = c[3] != 0;
  if (!args.Fit({{v[1], n}, {v[2], n}, {v[4], n}}) || (momentum && !args.Fit({{v[3], n}, {v[5], n}}))) {
    return OutOfBounds(env, "sgdStep");
  }
  const float lr = static_cast<float>(c[0]), wd = static_cast<float>(c[1]), mu = static_cast<float>(c[2]);
  const bool decays = c[1] > 0;
  float* base = args.base;
  const float *p = base + v[1], *g = base + v[2];
  float* p_out = base + v[4];
  for (int64_t i = 0; i < n; i++) {
    float d = decays ? g[i] + p[i] * wd : g[i];
    if (momentum) {
      d = first ? d : base[v[3] + i] * mu + d;
      base[v[5] + i] = d;
    }
    p_out[i] = p[i] - d * lr;
  }
  return nullptr;
}

}  // namespace native_blas
