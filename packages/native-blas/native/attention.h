// What attention.cc and attention-grad.cc share: the block's shapes, RoPE on one row, and reading their 17 arguments.
#pragma once

#include <cstdint>
#include <string>

#include "args.h"
#include "blas.h"

namespace native_blas {

// Shapes of a causal self-attention block with grouped KV heads (HF Llama, no KV cache): batch B, time T, heads H,
// KV heads KV (each serving rep = H / KV query heads, repeat_interleave order), head dim d. Projection rows are
// time-major: q [B·T, H·d] with head h = kv·rep + r, k and v [B·T, KV·d]; the per-group blocks are
// Q [rep·T, d] (row r·T + t), K and V [T, d]; probabilities P [B, KV, rep·T, T].
struct AttentionDims {
  int64_t b, t, h, kv, d;
  int64_t rep() const { return h / kv; }
  int64_t m() const { return rep() * t; }
  // Operand sizes in floats: q (and ctx, dq), k (and v, dk, dv), a RoPE table, P, the Q blocks, the K (or V) blocks.
  int64_t q_size() const { return b * t * h * d; }
  int64_t k_size() const { return b * t * kv * d; }
  int64_t table_size() const { return t * d; }
  int64_t probs_size() const { return b * kv * m() * t; }
  int64_t qr_size() const { return b * kv * m() * d; }
  int64_t kr_size() const { return b * kv * t * d; }
};

// RoPE on one row (HF rotate_half): y = x·cos + [−x₂, x₁]·sin; with `inverse`, its transpose (the gradient):
// y = x·cos + [u₂, −u₁] for u = x·sin.
inline void Rope(const float* x, const float* cos, const float* sin, int64_t d, bool inverse, float* y) {
  const int64_t half = d / 2;
  for (int64_t j = 0; j < half; j++) {
    const float a = x[j], b = x[j + half];
    if (inverse) {
      y[j] = a * cos[j] + b * sin[j + half];
      y[j + half] = b * cos[j + half] - a * sin[j];
    } else {
      y[j] = a * cos[j] + -b * sin[j];
      y[j + half] = b * cos[j + half] + a * sin[j + half];
    }
  }
}

// Reads the 17 arguments of attention / attentionGrad: the buffer, B, T, H, KV, d, ten offsets (into args->v[5..14]),
// scale (args->c[0]); checks the dims.
inline bool ReadAttention(napi_env env, napi_callback_info info, const char* name, KernelArgs* args,
                          AttentionDims* dims) {
  if (!BlasLoaded(env, name)) return false;
  if (!ReadArgs(env, info, 15, 1, args)) return false;
  const int64_t* v = args->v;
  *dims = AttentionDims{v[0], v[1], v[2], v[3], v[4]};
  if (dims->b < 1 || dims->t < 1 || dims->kv < 1 || dims->h % dims->kv != 0 || dims->d < 2 || dims->d % 2 != 0) {
    Throw(env, "native-blas: attention dims must have B, T >= 1, H a multiple of KV and an even head dim");
    return false;
  }
  return true;
}

}  // namespace native_blas
