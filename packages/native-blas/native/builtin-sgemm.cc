// The addon's own SGEMM (builtin-sgemm.h), for machines without OpenBLAS: the Goto/BLIS loop nest on row-major data.
//
//   for each NC-wide column block of C:
//     for each KC-deep slice of k:        pack op(B)[KC, NC] into NR-wide panels   (p-major inside a panel)
//       for each MC-tall row block of C:  pack op(A)[MC, KC] into MR-tall panels   (p-major inside a panel)
//         for each B panel, each A panel: the micro-kernel, an MR x NR tile of C in vector registers, one rank-1
//                                         update per p, then the tile is added into C with alpha and beta
//
// Packing reads the operands in whichever layout the transposes give and zero-pads the edges, so the micro-kernel
// always runs on a full tile. The micro-kernel is chosen per process by what the CPU supports: AVX-512F 12x32 or
// AVX2+FMA 6x16 on x86-64 (through target attributes, so the addon needs no -march flag and still runs on any
// x86-64), else a portable one in GCC/Clang vector extensions (SSE2 on x86-64, NEON on arm64). Products with at most
// 16 columns (the LoRA factors: n = r) take the 16-wide kernel, where a 32-wide one would compute padding.
#include "builtin-sgemm.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BUILTIN_SGEMM_X86 1
#endif

namespace {

constexpr int64_t kKc = 256;   // depth of a slice: an A panel and a B panel stay in L1/L2 across the tile loop
constexpr int64_t kMc = 144;   // rows per packed A block, a multiple of every MR
constexpr int64_t kNc = 3072;  // columns per packed B block, a multiple of every NR
constexpr int kMaxMr = 12, kMaxNr = 32, kMaxTile = kMaxMr * kMaxNr;

// Multiplies an MR x kc panel of A by a kc x NR panel of B (both packed p-major) into tile [MR, NR].
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* tile);

struct Kernel {
  int mr, nr;
  MicroKernel run;
  const char* name;
};

// Portable: MR x 8 with two 4-float vectors per row.
using V4 = float __attribute__((vector_size(16)));

inline V4 Load4(const float* p) {
  V4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <int MR>
void KernelPortable(int64_t kc, const float* a, const float* b, float* tile) {
  V4 c[MR][2] = {};
  for (int64_t p = 0; p < kc; p++, a += MR, b += 8) {
    const V4 b0 = Load4(b), b1 = Load4(b + 4);
    for (int i = 0; i < MR; i++) {
      const float x = a[i];
      const V4 ai = {x, x, x, x};
      c[i][0] += ai * b0;
      c[i][1] += ai * b1;
    }
  }
  std::memcpy(tile, c, sizeof c);
}

#ifdef BUILTIN_SGEMM_X86
// The x86 kernels name every accumulator: GCC keeps an array of them in memory, storing each one every iteration.
// One row of a tile: broadcast a[i], two FMAs into its accumulators.
#define ROW_FMA(set1, fmadd, i)          \
  {                                      \
    const auto ai = set1(a[i]);          \
    c##i##0 = fmadd(ai, b0, c##i##0);    \
    c##i##1 = fmadd(ai, b1, c##i##1);    \
  }
#define ROW_STORE(store, i, width)                  \
  store(tile + (i) * 2 * (width), c##i##0);         \
  store(tile + (i) * 2 * (width) + (width), c##i##1);

// AVX2 + FMA: 6 x 16, twelve ymm accumulators, two B vectors and a broadcast (15 of 16 registers).
__attribute__((target("avx2,fma"))) void KernelAvx2(int64_t kc, const float* a, const float* b, float* tile) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < kc; p++, a += 6, b += 16) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 0)
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 1)
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 2)
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 3)
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 4)
    ROW_FMA(_mm256_set1_ps, _mm256_fmadd_ps, 5)
  }
  ROW_STORE(_mm256_storeu_ps, 0, 8)
  ROW_STORE(_mm256_storeu_ps, 1, 8)
  ROW_STORE(_mm256_storeu_ps, 2, 8)
  ROW_STORE(_mm256_storeu_ps, 3, 8)
  ROW_STORE(_mm256_storeu_ps, 4, 8)
  ROW_STORE(_mm256_storeu_ps, 5, 8)
}

// AVX-512F: 12 x 32, twenty-four zmm accumulators, two B vectors and a broadcast (27 of 32 registers).
__attribute__((target("avx512f"))) void KernelAvx512(int64_t kc, const float* a, const float* b, float* tile) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00,
         c90 = c00, c91 = c00, c100 = c00, c101 = c00, c110 = c00, c111 = c00;
  for (int64_t p = 0; p < kc; p++, a += 12, b += 32) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 0)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 1)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 2)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 3)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 4)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 5)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 6)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 7)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 8)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 9)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 10)
    ROW_FMA(_mm512_set1_ps, _mm512_fmadd_ps, 11)
  }
  ROW_STORE(_mm512_storeu_ps, 0, 16)
  ROW_STORE(_mm512_storeu_ps, 1, 16)
  ROW_STORE(_mm512_storeu_ps, 2, 16)
  ROW_STORE(_mm512_storeu_ps, 3, 16)
  ROW_STORE(_mm512_storeu_ps, 4, 16)
  ROW_STORE(_mm512_storeu_ps, 5, 16)
  ROW_STORE(_mm512_storeu_ps, 6, 16)
  ROW_STORE(_mm512_storeu_ps, 7, 16)
  ROW_STORE(_mm512_storeu_ps, 8, 16)
  ROW_STORE(_mm512_storeu_ps, 9, 16)
  ROW_STORE(_mm512_storeu_ps, 10, 16)
  ROW_STORE(_mm512_storeu_ps, 11, 16)
}
#undef ROW_FMA
#undef ROW_STORE
#endif

#if defined(__aarch64__)
constexpr Kernel kPortable{8, 8, KernelPortable<8>, "portable 8x8"};  // 16 of NEON's 32 registers
#else
constexpr Kernel kPortable{4, 8, KernelPortable<4>, "portable 4x8"};  // 8 of SSE2's 16 registers
#endif

// The kernel for wide products, and the one for products of at most 16 columns.
struct Kernels {
  Kernel wide, narrow;
  const char* level;
};

// By preference: AVX-512, AVX2, portable; entries the CPU lacks are left out.
const std::vector<Kernels>& Supported() {
  static const std::vector<Kernels> supported = [] {
    std::vector<Kernels> list;
#ifdef BUILTIN_SGEMM_X86
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const Kernel k2{6, 16, KernelAvx2, "AVX2+FMA 6x16"};
    if (avx2 && __builtin_cpu_supports("avx512f")) {
      list.push_back(Kernels{{12, 32, KernelAvx512, "AVX-512 12x32"}, k2, "avx512"});
    }
    if (avx2) list.push_back(Kernels{k2, k2, "avx2"});
#endif
    list.push_back(Kernels{kPortable, kPortable, "portable"});
    return list;
  }();
  return supported;
}

std::atomic<size_t> chosen{0};  // index into Supported()

const Kernels& Available() { return Supported()[chosen.load(std::memory_order_relaxed)]; }

// A row-major operand as its op() sees it: op(X)[i][j] = trans ? x[j·ld + i] : x[i·ld + j].
struct Operand {
  const float* x;
  int64_t ld;
  bool trans;
};

// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels (panel at ir·kc holds, for each p, MR rows), zero-padded.
void PackA(const Operand& A, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr, float* out) {
  for (int64_t ir = 0; ir < mc; ir += mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - ir);
    float* panel = out + ir * kc;
    if (A.trans) {  // the rows of op(A) are contiguous for each p
      for (int64_t p = 0; p < kc; p++) {
        const float* src = A.x + (p0 + p) * A.ld + i0 + ir;
        float* dst = panel + p * mr;
        for (int64_t i = 0; i < rows; i++) dst[i] = src[i];
        for (int64_t i = rows; i < mr; i++) dst[i] = 0.0f;
      }
    } else {  // MR row streams read side by side, the panel written in order
      const float* src[kMaxMr];
      for (int64_t i = 0; i < rows; i++) src[i] = A.x + (i0 + ir + i) * A.ld + p0;
      for (int64_t p = 0; p < kc; p++) {
        float* dst = panel + p * mr;
        for (int64_t i = 0; i < rows; i++) dst[i] = src[i][p];
        for (int64_t i = rows; i < mr; i++) dst[i] = 0.0f;
      }
    }
  }
}

// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels (panel at jr·kc holds, for each p, NR columns).
void PackB(const Operand& B, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* out) {
  for (int64_t jr = 0; jr < nc; jr += nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - jr);
    float* panel = out + jr * kc;
    if (!B.trans) {  // the columns of op(B) are contiguous for each p
      for (int64_t p = 0; p < kc; p++) {
        const float* src = B.x + (p0 + p) * B.ld + j0 + jr;
        float* dst = panel + p * nr;
        for (int64_t j = 0; j < cols; j++) dst[j] = src[j];
        for (int64_t j = cols; j < nr; j++) dst[j] = 0.0f;
      }
    } else {  // NR column streams read side by side, the panel written in order
      const float* src[kMaxNr];
      for (int64_t j = 0; j < cols; j++) src[j] = B.x + (j0 + jr + j) * B.ld + p0;
      for (int64_t p = 0; p < kc; p++) {
        float* dst = panel + p * nr;
        for (int64_t j = 0; j < cols; j++) dst[j] = src[j][p];
        for (int64_t j = cols; j < nr; j++) dst[j] = 0.0f;
      }
    }
  }
}

// C[rows, cols] = alpha·tile + beta·C (C not read when beta = 0).
void AddTile(const float* tile, int nr, int64_t rows, int64_t cols, float alpha, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < rows; i++, c += ldc, tile += nr) {
    if (beta == 0.0f) {
      for (int64_t j = 0; j < cols; j++) c[j] = alpha * tile[j];
    } else if (beta == 1.0f) {
      for (int64_t j = 0; j < cols; j++) c[j] += alpha * tile[j];
    } else {
      for (int64_t j = 0; j < cols; j++) c[j] = alpha * tile[j] + beta * c[j];
    }
  }
}

// A 64-byte-aligned view of at least n floats in a buffer that only grows.
float* Scratch(std::vector<float>& buffer, int64_t n) {
  buffer.resize(static_cast<size_t>(n) + 16);
  const auto at = (reinterpret_cast<uintptr_t>(buffer.data()) + 63) & ~static_cast<uintptr_t>(63);
  return reinterpret_cast<float*>(at);
}

// Row-major C[m, n] = alpha op(A) op(B) + beta C.
void Gemm(const Operand& A, const Operand& B, int64_t m, int64_t n, int64_t k, float alpha, float beta, float* c,
          int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    for (int64_t i = 0; i < m; i++) {
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    return;
  }
  const Kernels& kernels = Available();
  const Kernel& kern = n <= kernels.narrow.nr ? kernels.narrow : kernels.wide;
  const int mr = kern.mr, nr = kern.nr;
  const int64_t kc_max = std::min(kKc, k);
  thread_local std::vector<float> a_buffer, b_buffer;
  float* pa = Scratch(a_buffer, (std::min(kMc, m) + mr) * kc_max);
  float* pb = Scratch(b_buffer, (std::min(kNc, n) + nr) * kc_max);
  alignas(64) float tile[kMaxTile];
  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      const float beta_here = pc == 0 ? beta : 1.0f;  // later slices accumulate
      PackB(B, pc, kc, jc, nc, nr, pb);
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = std::min(kMc, m - ic);
        PackA(A, ic, mc, pc, kc, mr, pa);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min<int64_t>(nr, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += mr) {
            kern.run(kc, pa + ir * kc, pb + jr * kc, tile);
            AddTile(tile, nr, std::min<int64_t>(mr, mc - ir), cols, alpha, beta_here, c + (ic + ir) * ldc + jc + jr,
                    ldc);
          }
        }
      }
    }
  }
}

}  // namespace

void BuiltinSgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
  const bool ta = trans_a != 111, tb = trans_b != 111;  // 112 transpose, 113 conjugate transpose (the same for reals)
  if (order == 102) {
    // Column-major C is row-major Cᵀ = op(B)ᵀ op(A)ᵀ, and a column-major operand read row-major is its transpose.
    Gemm(Operand{b, ldb, tb}, Operand{a, lda, ta}, n, m, k, alpha, beta, c, ldc);
  } else {
    Gemm(Operand{a, lda, ta}, Operand{b, ldb, tb}, m, n, k, alpha, beta, c, ldc);
  }
}

const char* BuiltinSgemmKernel() { return Available().wide.name; }

const char* BuiltinSgemmUse(const char* level) {
  const auto& supported = Supported();
  for (size_t i = 0; i < supported.size(); i++) {
    if (std::strcmp(supported[i].level, level) == 0) {
      chosen.store(i);
      return supported[i].wide.name;
    }
  }
  return nullptr;
}
