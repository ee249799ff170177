// attention(buffer, B, T, H, KV, d, qOffset, kOffset, vOffset, cosOffset, sinOffset, ctxOffset, probsOffset,
// qrOffset, krOffset, vgOffset, scale): RoPE on q and k (cos, sin [T, d] for positions 0 .. T−1), causal softmax
// attention per group: P = softmax(scale·Q Kᵀ) over keys s <= t, ctx = P V, written back as [B·T, H·d]. Saves the
// gradient's operands: P, the rotated Q and K blocks, and the V blocks ([B, KV, rep·T, d], [B, KV, T, d] twice).
#include <algorithm>
#include <cstring>
#include <vector>

#include "attention.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value Attention(napi_env env, napi_callback_info info) {
  KernelArgs args;
  AttentionDims a;
  if (!ReadAttention(env, info, "attention", kAttentionOperands, &args, &a)) return nullptr;
  const float *q = args.x[0], *k = args.x[1], *vin = args.x[2], *cos = args.x[3], *sin = args.x[4];
  float *ctx = args.x[5], *probs = args.x[6], *qr = args.x[7], *kr = args.x[8], *vg = args.x[9];
  const double scale = args.c[0];
  const int64_t rep = a.rep(), m = a.m(), d = a.d, T = a.t;
  thread_local std::vector<float> out;
  out.resize(static_cast<size_t>(m * d));
  for (int64_t b = 0; b < a.b; b++) {
    for (int64_t g = 0; g < a.kv; g++) {
      const int64_t blk = b * a.kv + g;
      float *Q = qr + blk * m * d, *K = kr + blk * T * d, *V = vg + blk * T * d, *P = probs + blk * m * T;
      for (int64_t t = 0; t < T; t++) {
        const int64_t row = b * T + t;
        Rope(k + (row * a.kv + g) * d, cos + t * d, sin + t * d, d, false, K + t * d);
        std::memcpy(V + t * d, vin + (row * a.kv + g) * d, sizeof(float) * d);
        for (int64_t r = 0; r < rep; r++) {
          Rope(q + (row * a.h + g * rep + r) * d, cos + t * d, sin + t * d, d, false, Q + (r * T + t) * d);
        }
      }
      Gemm(false, true, m, T, d, static_cast<float>(scale), Q, K, 0.0f, P);  // [rep·T, T]
      for (int64_t i = 0; i < m; i++) {
        float* row = P + i * T;
        const int64_t last = i % T;  // keys 0 .. t are visible
        float mx = row[0];
        for (int64_t s2 = 1; s2 <= last; s2++) mx = std::max(mx, row[s2]);
        float sum = 0.0f;
        for (int64_t s2 = 0; s2 <= last; s2++) {
          row[s2] = ExpF(row[s2] - mx);
          sum += row[s2];
        }
        const float inv = 1.0f / sum;
        for (int64_t s2 = 0; s2 <= last; s2++) row[s2] *= inv;
        for (int64_t s2 = last + 1; s2 < T; s2++) row[s2] = 0.0f;
      }
      Gemm(false, false, m, d, T, 1.0f, P, V, 0.0f, out.data());  // [rep·T, d]
      for (int64_t r = 0; r < rep; r++) {
        for (int64_t t = 0; t < T; t++) {
          std::memcpy(ctx + ((b * T + t) * a.h + g * rep + r) * d, out.data() + (r * T + t) * d, sizeof(float) * d);
        }
      }
    }
  }
  return nullptr;
}

}  // namespace native_blas
