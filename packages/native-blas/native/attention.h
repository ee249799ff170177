// What attention.cc and attention-grad.cc share: the block's shapes, their operands' sizes, RoPE on one row, and
// reading their 17 arguments.
#pragma once

#include <cstdint>

#include "args.h"
#include "blas.h"

namespace native_blas {

// The kinds of operand, by size: q (and ctx, dq, dctx), k (and v, dk, dv), a RoPE table, P, the rotated Q blocks qr,
// the rotated K blocks kr (and the V blocks vg).
enum AttentionOperand { kQ, kK, kTable, kProbs, kQr, kKr };

// Shapes of a causal self-attention block with grouped KV heads (HF Llama, no KV cache): batch B, time T, heads H,
// KV heads KV (each serving rep = H / KV query heads, repeat_interleave order), head dim d. Projection rows are
// time-major: q [B·T, H·d] with head h = kv·rep + r, k and v [B·T, KV·d]; the per-group blocks are
// Q [rep·T, d] (row r·T + t), K and V [T, d]; probabilities P [B, KV, rep·T, T].
struct AttentionDims {
  int64_t b, t, h, kv, d;
  int64_t rep() const { return h / kv; }
  int64_t m() const { return rep() * t; }
  // An operand's size in floats.
  int64_t size(AttentionOperand kind) const {
    switch (kind) {
      case kQ:
        return b * t * h * d;
      case kK:
        return b * t * kv * d;
      case kTable:
        return t * d;
      case kProbs:
        return b * kv * m() * t;
      case kQr:
        return b * kv * m() * d;
      case kKr:
        return b * kv * t * d;
    }
    return 0;
  }
};

// attention's operands, in argument order: q, k, v, cos, sin, then the outputs ctx, probs, qr, kr, vg.
constexpr AttentionOperand kAttentionOperands[] = {kQ, kK, kK, kTable, kTable, kQ, kProbs, kQr, kKr, kKr};
// attentionGrad's: dctx, probs, qr, kr, vg, cos, sin, then the outputs dq, dk, dv.
constexpr AttentionOperand kAttentionGradOperands[] = {kQ, kProbs, kQr, kKr, kKr, kTable, kTable, kQ, kK, kK};

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

// Reads the 17 arguments of attention / attentionGrad: the buffer, B, T, H, KV, d (into dims, checked), the offsets of
// the ten `operands` (bound to args->x, as Bind), scale (args->c[0]).
inline bool ReadAttention(napi_env env, napi_callback_info info, const char* name,
                          const AttentionOperand (&operands)[10], KernelArgs* args, AttentionDims* dims) {
  if (!BlasLoaded(env, name)) return false;
  if (!ReadArgs(env, info, 15, 1, args)) return false;
  const int64_t* v = args->v;
  *dims = AttentionDims{v[0], v[1], v[2], v[3], v[4]};
  if (dims->b < 1 || dims->t < 1 || dims->kv < 1 || dims->h % dims->kv != 0 || dims->d < 2 || dims->d % 2 != 0) {
    Throw(env, "native-blas: attention dims must have B, T >= 1, H a multiple of KV and an even head dim");
    return false;
  }
  int64_t sizes[10];
  for (int i = 0; i < 10; i++) sizes[i] = dims->size(operands[i]);
  return Bind(env, name, 5, sizes, 10, args);
}

}  // namespace native_blas
