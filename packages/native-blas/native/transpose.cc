// transpose(buffer, xOffset, outOffset, shape: number[], perm: number[]): 4-byte elements (float32 or int32), rank <= 8.
// out[i_0..i_{r-1}] = x[j] where output axis a is input axis perm[a]. The innermost output axis is walked with the input
// stride of perm[r-1]; a [rows, cols] -> [cols, rows] swap goes in 32 x 32 tiles to keep both sides in cache.
#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  float* base;
  int64_t floats, off[2];
  if (!GetBufferArgs(env, info, 5, argv, &base, &floats) || !GetInts(env, argv + 1, 2, off)) return nullptr;
  uint32_t rank = 0, prank = 0;
  napi_get_array_length(env, argv[3], &rank);
  napi_get_array_length(env, argv[4], &prank);
  if (rank == 0 || rank > 8 || prank != rank) return Throw(env, "native-blas: transpose wants 1 <= rank <= 8");
  int64_t shape[8], perm[8], in_stride[8], out_shape[8];
  for (uint32_t i = 0; i < rank; i++) {
    napi_value v;
    double d;
    napi_get_element(env, argv[3], i, &v);
    if (!GetNumber(env, v, &d)) return nullptr;
    shape[i] = static_cast<int64_t>(d);
    napi_get_element(env, argv[4], i, &v);
    if (!GetNumber(env, v, &d)) return nullptr;
    perm[i] = static_cast<int64_t>(d);
    if (perm[i] < 0 || perm[i] >= rank) return Throw(env, "native-blas: transpose perm out of range");
  }
  int64_t size = 1;
  for (int i = static_cast<int>(rank) - 1; i >= 0; i--) {
    in_stride[i] = size;
    size *= shape[i];
  }
  if (!InBounds(off[0], size, floats) || !InBounds(off[1], size, floats)) {
    return OutOfBounds(env, "transpose");
  }
  if (size == 0) return nullptr;
  const uint32_t* x = reinterpret_cast<const uint32_t*>(base + off[0]);
  uint32_t* out = reinterpret_cast<uint32_t*>(base + off[1]);
  int64_t stride[8];  // input stride of each output axis
  for (uint32_t a = 0; a < rank; a++) {
    out_shape[a] = shape[perm[a]];
    stride[a] = in_stride[perm[a]];
  }
  // Batched swap of the last two axes (including plain 2-D): tiles.
  bool swap_last2 = rank >= 2 && perm[rank - 1] == rank - 2 && perm[rank - 2] == rank - 1;
  for (uint32_t a = 0; a + 2 < rank && swap_last2; a++) swap_last2 = perm[a] == a;
  if (swap_last2) {
    const int64_t rows = shape[rank - 2], cols = shape[rank - 1], batch = size / (rows * cols);
    constexpr int64_t kTile = 32;
    for (int64_t b = 0; b < batch; b++) {
      const uint32_t* xb = x + b * rows * cols;
      uint32_t* ob = out + b * rows * cols;
      for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
        const int64_t r1 = r0 + kTile < rows ? r0 + kTile : rows;
        for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
          const int64_t c1 = c0 + kTile < cols ? c0 + kTile : cols;
          for (int64_t c = c0; c < c1; c++) {
            for (int64_t r = r0; r < r1; r++) ob[c * rows + r] = xb[r * cols + c];
          }
        }
      }
    }
    return nullptr;
  }
  // General case: odometer over the output's outer axes, a strided copy along the innermost one.
  const int64_t inner = out_shape[rank - 1], inner_stride = stride[rank - 1];
  int64_t idx[8] = {0};
  int64_t src = 0;
  for (int64_t o = 0; o < size; o += inner) {
    uint32_t* dst = out + o;
    if (inner_stride == 1) {
      for (int64_t i = 0; i < inner; i++) dst[i] = x[src + i];
    } else {
      for (int64_t i = 0; i < inner; i++) dst[i] = x[src + i * inner_stride];
    }
    for (int a = static_cast<int>(rank) - 2; a >= 0; a--) {
      if (++idx[a] < out_shape[a]) {
        src += stride[a];
        break;
      }
      src -= stride[a] * (out_shape[a] - 1);
      idx[a] = 0;
    }
  }
  return nullptr;
}

}  // namespace native_blas
