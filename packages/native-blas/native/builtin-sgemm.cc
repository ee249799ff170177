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
// The x86 kernels name every accumulator (GCC keeps an array of them in memory, storing each one every iteration), so
// they are written once, as macros over the rows of the tile: ROWS<MR>(ROW, x, y) expands ROW(x, y, i) for each row i,
// and row i owns the accumulators c<i>0 and c<i>1.
#define ROWS6(ROW, x, y) ROW(x, y, 0) ROW(x, y, 1) ROW(x, y, 2) ROW(x, y, 3) ROW(x, y, 4) ROW(x, y, 5)
#define ROWS12(ROW, x, y) \
  ROWS6(ROW, x, y) ROW(x, y, 6) ROW(x, y, 7) ROW(x, y, 8) ROW(x, y, 9) ROW(x, y, 10) ROW(x, y, 11)
#define ROW_ZERO(V, mm, i) V c##i##0 = mm##_setzero_ps(), c##i##1 = mm##_setzero_ps();
// One row of a tile: broadcast a[i], two FMAs into its accumulators.
#define ROW_FMA(V, mm, i)                     \
  {                                           \
    const V ai = mm##_set1_ps(a[i]);          \
    c##i##0 = mm##_fmadd_ps(ai, b0, c##i##0); \
    c##i##1 = mm##_fmadd_ps(ai, b1, c##i##1); \
  }
#define ROW_STORE(width, mm, i)                      \
  mm##_storeu_ps(tile + (i) * 2 * (width), c##i##0); \
  mm##_storeu_ps(tile + (i) * 2 * (width) + (width), c##i##1);
// A kernel `name` of MR rows and two vectors V of `width` floats a row, for the instruction set `isa`; its intrinsics
// are mm##_fmadd_ps and so on.
#define X86_KERNEL(name, isa, V, mm, MR, width)                                                     \
  __attribute__((target(isa))) void name(int64_t kc, const float* a, const float* b, float* tile) { \
    ROWS##MR(ROW_ZERO, V, mm)                                                                       \
    for (int64_t p = 0; p < kc; p++, a += (MR), b += 2 * (width)) {                                 \
      const V b0 = mm##_loadu_ps(b), b1 = mm##_loadu_ps(b + (width));                               \
      ROWS##MR(ROW_FMA, V, mm)                                                                      \
    }                                                                                               \
    ROWS##MR(ROW_STORE, width, mm)                                                                  \
  }

// AVX2 + FMA: 6 x 16, twelve ymm accumulators, two B vectors and a broadcast (15 of 16 registers).
X86_KERNEL(KernelAvx2, "avx2,fma", __m256, _mm256, 6, 8)
// AVX-512F: 12 x 32, twenty-four zmm accumulators, two B vectors and a broadcast (27 of 32 registers).
X86_KERNEL(KernelAvx512, "avx512f", __m512, _mm512, 12, 16)
#undef X86_KERNEL
#undef ROW_STORE
#undef ROW_FMA
#undef ROW_ZERO
#undef ROWS12
#undef ROWS6
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

// Packs op(X)[i0 .. i0+mc, p0 .. p0+kc] into `mr`-row panels (panel at ir·kc holds, for each p, mr rows), zero-padded:
// op(A) into MR-row panels, and op(B)ᵀ (Transposed(B)) into NR-column panels of op(B).
void Pack(const Operand& X, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr, float* out) {
  for (int64_t ir = 0; ir < mc; ir += mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - ir);
    float* panel = out + ir * kc;
    if (X.trans) {  // the rows of op(X) are contiguous for each p
      for (int64_t p = 0; p < kc; p++) {
        const float* src = X.x + (p0 + p) * X.ld + i0 + ir;
        float* dst = panel + p * mr;
        for (int64_t i = 0; i < rows; i++) dst[i] = src[i];
        for (int64_t i = rows; i < mr; i++) dst[i] = 0.0f;
      }
    } else {  // mr row streams read side by side, the panel written in order
      const float* src[std::max(kMaxMr, kMaxNr)];
      for (int64_t i = 0; i < rows; i++) src[i] = X.x + (i0 + ir + i) * X.ld + p0;
      for (int64_t p = 0; p < kc; p++) {
        float* dst = panel + p * mr;
        for (int64_t i = 0; i < rows; i++) dst[i] = src[i][p];
        for (int64_t i = rows; i < mr; i++) dst[i] = 0.0f;
      }
    }
  }
}

// op(X)ᵀ as an operand: the same storage, read the other way.
Operand Transposed(const Operand& X) { return Operand{X.x, X.ld, !X.trans}; }

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
      Pack(Transposed(B), jc, nc, pc, kc, nr, pb);
      for (int64_t ic = 0; ic < m; ic += kMc) {
        const int64_t mc = std::min(kMc, m - ic);
        Pack(A, ic, mc, pc, kc, mr, pa);
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
