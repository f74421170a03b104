// Reduced-precision matrix products for the world model's planning: bfloat16 operands, float32 accumulation, on
// CPUs with AVX512_BF16 (VDPBF16PS multiplies 32 bf16 pairs into 16 float sums per instruction — twice the
// multiply-adds of a float32 FMA). Weights are packed once per fit; activations are converted per product.
#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

int lk_bf16_available(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512bf16");
    }
    return cached;
}
#else
int lk_bf16_available(void) { return 0; }
#endif

/// Round to nearest even, as VCVTNEPS2BF16 does for finite values.
static uint16_t to_bf16(float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
    bits += 0x7FFF + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

ptrdiff_t lk_bf16_packed_count(ptrdiff_t k, ptrdiff_t n) { return ((k + 1) / 2) * ((n + 15) / 16 * 16) * 2; }

void lk_bf16_pack(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    ptrdiff_t width = (n + 15) / 16 * 16;
    for (ptrdiff_t pair = 0; pair < (k + 1) / 2; pair++) {
        for (ptrdiff_t column = 0; column < width; column++) {
            for (ptrdiff_t half = 0; half < 2; half++) {
                ptrdiff_t row = 2 * pair + half;
                float value = row < k && column < n ? w[row * ldw + column] : 0;
                packed[(pair * width + column) * 2 + half] = to_bf16(value);
            }
        }
    }
}

#if defined(__x86_64__)

BF16_TARGET
void lk_bf16_convert(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, uint16_t *out, ptrdiff_t ldo) {
    for (ptrdiff_t row = 0; row < m; row++) {
        const float *source = a + row * lda;
        uint16_t *target = out + row * ldo;
        ptrdiff_t column = 0;
        for (; column + 16 <= k; column += 16) {
            __m256bh converted = _mm512_cvtneps_pbh(_mm512_loadu_ps(source + column));
            _mm256_storeu_si256((__m256i *)(target + column), (__m256i)converted);
        }
        if (column < k) {
            __mmask16 mask = (__mmask16)((1u << (k - column)) - 1);
            __m256bh converted = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(mask, source + column));
            _mm256_mask_storeu_epi16(target + column, mask, (__m256i)converted);
        }
        for (ptrdiff_t pad = k; pad < ldo; pad++) target[pad] = 0;
    }
}

/// A (row, pair) bf16 pair of `a` broadcast to all 16 lanes.
BF16_TARGET static inline __m512bh pair_at(const uint16_t *a) {
    int32_t bits;
    memcpy(&bits, a, 4);
    return (__m512bh)_mm512_set1_epi32(bits);
}

// One tile: ROWS rows × NV·16 columns of C = bias + A·B over all `pairs` k-pairs. `columns` is how many of the
// tile's columns are real (the last vector may be partial); B rows are `ldb` bf16 pairs apart.
#define TILE(ROWS, NV)                                                                                               \
    BF16_TARGET static void tile_##ROWS##x##NV(                                                                       \
        ptrdiff_t pairs, const uint16_t *a, ptrdiff_t lda, const uint16_t *b, ptrdiff_t ldb, const float *bias,     \
        float *c, ptrdiff_t ldc, ptrdiff_t columns) {                                                               \
        __m512 acc[ROWS][NV];                                                                                       \
        __mmask16 last = columns >= NV * 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (columns - (NV - 1) * 16)) - 1); \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                           \
            __m512 start = v == NV - 1 ? _mm512_maskz_loadu_ps(last, bias + v * 16) : _mm512_loadu_ps(bias + v * 16); \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < ROWS; r++) acc[r][v] = start;                    \
        }                                                                                                           \
        for (ptrdiff_t pair = 0; pair < pairs; pair++) {                                                            \
            __m512bh weights[NV];                                                                                   \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                                         \
                weights[v] = (__m512bh)_mm512_loadu_si512(b + pair * ldb * 2 + v * 32);                              \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < ROWS; r++) {                                     \
                __m512bh x = pair_at(a + r * lda + 2 * pair);                                                       \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++)                                     \
                    acc[r][v] = _mm512_dpbf16_ps(acc[r][v], x, weights[v]);                                         \
            }                                                                                                       \
        }                                                                                                           \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < ROWS; r++) {                                         \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                       \
                if (v == NV - 1) _mm512_mask_storeu_ps(c + r * ldc + v * 16, last, acc[r][v]);                     \
                else _mm512_storeu_ps(c + r * ldc + v * 16, acc[r][v]);                                             \
            }                                                                                                       \
        }                                                                                                           \
    }

TILE(8, 3)
TILE(8, 1)
TILE(1, 3)
TILE(1, 1)

void lk_bf16_gemm(
    ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint16_t *a, ptrdiff_t lda, const uint16_t *packed,
    const float *bias, float *c, ptrdiff_t ldc) {
    ptrdiff_t pairs = (k + 1) / 2;
    ptrdiff_t width = (n + 15) / 16 * 16;  // packed columns; B's rows are `width` pairs apart
    // Column panels of 48 (three vectors) stay in L1 (pairs × 192 bytes) while every row block streams past.
    for (ptrdiff_t column = 0; column < n; column += 48) {
        ptrdiff_t columns = n - column < 48 ? n - column : 48;
        const uint16_t *panel = packed + column * 2;
        const float *panelBias = bias + column;
        ptrdiff_t row = 0;
        if (columns > 32) {
            for (; row + 8 <= m; row += 8)
                tile_8x3(pairs, a + row * lda, lda, panel, width, panelBias, c + row * ldc + column, ldc, columns);
            for (; row < m; row++)
                tile_1x3(pairs, a + row * lda, lda, panel, width, panelBias, c + row * ldc + column, ldc, columns);
        } else {
            // The last 1–32 columns: one vector at a time.
            for (ptrdiff_t offset = 0; offset < columns; offset += 16) {
                ptrdiff_t count = columns - offset < 16 ? columns - offset : 16;
                for (row = 0; row + 8 <= m; row += 8)
                    tile_8x1(pairs, a + row * lda, lda, panel + offset * 2, width, panelBias + offset,
                             c + row * ldc + column + offset, ldc, count);
                for (; row < m; row++)
                    tile_1x1(pairs, a + row * lda, lda, panel + offset * 2, width, panelBias + offset,
                             c + row * ldc + column + offset, ldc, count);
            }
        }
    }
}

#else

void lk_bf16_convert(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, uint16_t *out, ptrdiff_t ldo) {
    (void)m; (void)k; (void)a; (void)lda; (void)out; (void)ldo;
}

void lk_bf16_gemm(
    ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint16_t *a, ptrdiff_t lda, const uint16_t *packed,
    const float *bias, float *c, ptrdiff_t ldc) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)bias; (void)c; (void)ldc;
}

#endif
