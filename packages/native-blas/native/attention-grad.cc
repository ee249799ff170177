// attentionGrad(buffer, B, T, H, KV, d, dctxOffset, probsOffset, qrOffset, krOffset, vgOffset, cosOffset, sinOffset,
// dqOffset, dkOffset, dvOffset, scale): the gradients of `attention` for upstream dctx [B·T, H·d], from its saved
// operands: dV = Pᵀ dC, dP = dC Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP))·scale, dQ = dS K, dK = dSᵀ Q, then RoPE transposed
// on dQ and dK; written as dq [B·T, H·d], dk and dv [B·T, KV·d].
#include <cstring>
#include <vector>

#include "attention.h"
#include "kernels.h"

namespace native_blas {

napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  KernelArgs args;
  AttentionDims a;
  if (!ReadAttention(env, info, "attentionGrad", kAttentionGradOperands, &args, &a)) return nullptr;
  const float *dctx = args.x[0], *probs = args.x[1], *qr = args.x[2], *kr = args.x[3], *vg = args.x[4],
              *cos = args.x[5], *sin = args.x[6];
  float *dq = args.x[7], *dk = args.x[8], *dv = args.x[9];
  const double scale = args.c[0];
  const int64_t rep = a.rep(), m = a.m(), d = a.d, T = a.t;
  thread_local std::vector<float> dc, ds, dqg, dkg, dvg;
  dc.resize(static_cast<size_t>(m * d));
  ds.resize(static_cast<size_t>(m * T));
  dqg.resize(static_cast<size_t>(m * d));
  dkg.resize(static_cast<size_t>(T * d));
  dvg.resize(static_cast<size_t>(T * d));
  const float sc = static_cast<float>(scale);
  for (int64_t b = 0; b < a.b; b++) {
    for (int64_t g = 0; g < a.kv; g++) {
      const int64_t blk = b * a.kv + g;
      const float *Q = qr + blk * m * d, *K = kr + blk * T * d, *V = vg + blk * T * d, *P = probs + blk * m * T;
      for (int64_t r = 0; r < rep; r++) {
        for (int64_t t = 0; t < T; t++) {
          std::memcpy(dc.data() + (r * T + t) * d, dctx + ((b * T + t) * a.h + g * rep + r) * d, sizeof(float) * d);
        }
      }
      Gemm(true, false, T, d, m, 1.0f, P, dc.data(), 0.0f, dvg.data());   // dV [T, d]
      Gemm(false, true, m, T, d, 1.0f, dc.data(), V, 0.0f, ds.data());    // dP [rep·T, T]
      for (int64_t i = 0; i < m; i++) {
        const float* p = P + i * T;
        float* row = ds.data() + i * T;
        const int64_t last = i % T;
        float dot = 0.0f;
        for (int64_t s2 = 0; s2 <= last; s2++) dot += p[s2] * row[s2];
        for (int64_t s2 = 0; s2 <= last; s2++) row[s2] = p[s2] * (row[s2] - dot) * sc;
        for (int64_t s2 = last + 1; s2 < T; s2++) row[s2] = 0.0f;
      }
      Gemm(false, false, m, d, T, 1.0f, ds.data(), K, 0.0f, dqg.data());  // dQ [rep·T, d]
      Gemm(true, false, T, d, m, 1.0f, ds.data(), Q, 0.0f, dkg.data());   // dK [T, d]
      for (int64_t t = 0; t < T; t++) {
        const int64_t row = b * T + t;
        Rope(dkg.data() + t * d, cos + t * d, sin + t * d, d, true, dk + (row * a.kv + g) * d);
        std::memcpy(dv + (row * a.kv + g) * d, dvg.data() + t * d, sizeof(float) * d);
        for (int64_t r = 0; r < rep; r++) {
          Rope(dqg.data() + (r * T + t) * d, cos + t * d, sin + t * d, d, true, dq + (row * a.h + g * rep + r) * d);
        }
      }
    }
  }
  return nullptr;
}

}  // namespace native_blas
