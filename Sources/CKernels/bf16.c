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

static void pack_scalar(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
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

/// Mask of the first `count` (clamped to 0…16) lanes.
static inline __mmask16 first_lanes(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

/// 16 bf16 pairs as 32-bit words: bf16(low[j]) in the low half of word j, bf16(high[j]) in the high half.
BF16_TARGET static inline __m512i interleave_pairs(__m512 low, __m512 high) {
    __m512i lows = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(low));
    __m512i highs = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(high));
    return _mm512_or_si512(lows, _mm512_slli_epi32(highs, 16));
}

BF16_TARGET static void pack_vector(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    ptrdiff_t width = (n + 15) / 16 * 16;
    for (ptrdiff_t pair = 0; pair < (k + 1) / 2; pair++) {
        const float *low = w + 2 * pair * ldw;
        const float *high = 2 * pair + 1 < k ? low + ldw : NULL;
        for (ptrdiff_t column = 0; column < width; column += 16) {
            __mmask16 mask = first_lanes(n - column);
            __m512 first = _mm512_maskz_loadu_ps(mask, low + column);
            __m512 second = high ? _mm512_maskz_loadu_ps(mask, high + column) : _mm512_setzero_ps();
            _mm512_storeu_si512((void *)(packed + 2 * (pair * width + column)), interleave_pairs(first, second));
        }
    }
}

void lk_bf16_pack(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    if (lk_bf16_available()) pack_vector(k, n, w, ldw, packed);
    else pack_scalar(k, n, w, ldw, packed);
}

/// Transposes a 16 × 16 block of 32-bit values held as 16 rows.
BF16_TARGET static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
        r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; j++) {
        t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
        t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd);
        t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
        t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
    }
    for (int j = 0; j < 4; j++) {
        r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xdd);
        r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);
        r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xdd);
    }
}

BF16_TARGET
void lk_bf16_pack_transposed(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    ptrdiff_t width = (n + 15) / 16 * 16;
    ptrdiff_t pairs = (k + 1) / 2;
    // B = wᵀ: B's pair p of column c is w[c][2p], w[c][2p + 1], adjacent in w's row c. Sixteen rows of w convert
    // to sixteen runs of sixteen pairs, and one 16 × 16 transpose turns them into sixteen packed rows.
    for (ptrdiff_t column = 0; column < width; column += 16) {
        for (ptrdiff_t pair = 0; pair < pairs; pair += 16) {
            __m512 block[16];
            for (int i = 0; i < 16; i++) {
                if (column + i < n) {
                    const float *row = w + (column + i) * ldw + 2 * pair;
                    __m512 first = _mm512_maskz_loadu_ps(first_lanes(k - 2 * pair), row);
                    __m512 second = _mm512_maskz_loadu_ps(first_lanes(k - 2 * pair - 16), row + 16);
                    block[i] = (__m512)_mm512_cvtne2ps_pbh(second, first);
                } else {
                    block[i] = _mm512_setzero_ps();
                }
            }
            transpose16(block);
            for (ptrdiff_t j = 0; j < 16 && pair + j < pairs; j++)
                _mm512_storeu_ps((void *)(packed + 2 * ((pair + j) * width + column)), block[j]);
        }
    }
}

BF16_TARGET
void lk_bf16_convert_transposed(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, uint16_t *out, ptrdiff_t ldo) {
    ptrdiff_t half = ldo / 2;
    // Out row i, pair q = x[2q][i], x[2q + 1][i]: two rows of x side by side give sixteen rows' pair q; sixteen such
    // pairs and one 16 × 16 transpose give sixteen rows' runs of pairs.
    for (ptrdiff_t pair = 0; pair < half; pair += 16) {
        for (ptrdiff_t row = 0; row < m; row += 16) {
            __mmask16 rows = first_lanes(m - row);
            __m512 block[16];
            for (int q = 0; q < 16; q++) {
                ptrdiff_t low = 2 * (pair + q), high = low + 1;
                __m512 first = low < k ? _mm512_maskz_loadu_ps(rows, x + low * ldx + row) : _mm512_setzero_ps();
                __m512 second = high < k ? _mm512_maskz_loadu_ps(rows, x + high * ldx + row) : _mm512_setzero_ps();
                block[q] = (__m512)interleave_pairs(first, second);
            }
            transpose16(block);
            __mmask16 count = first_lanes(half - pair);
            for (ptrdiff_t i = 0; i < 16 && row + i < m; i++)
                _mm512_mask_storeu_ps((void *)(out + 2 * ((row + i) * half + pair)), count, block[i]);
        }
    }
}

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
            /* From the bias, or (no bias) from C itself: c += a·B. */                                              \
            const float *from = bias ? bias + v * 16 : c + v * 16;                                                  \
            ptrdiff_t step = bias ? 0 : ldc;                                                                        \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < ROWS; r++)                                       \
                acc[r][v] = v == NV - 1 ? _mm512_maskz_loadu_ps(last, from + r * step)                              \
                                        : _mm512_loadu_ps(from + r * step);                                          \
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
        const float *panelBias = bias ? bias + column : NULL;
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
                    tile_8x1(pairs, a + row * lda, lda, panel + offset * 2, width,
                             panelBias ? panelBias + offset : NULL, c + row * ldc + column + offset, ldc, count);
                for (; row < m; row++)
                    tile_1x1(pairs, a + row * lda, lda, panel + offset * 2, width,
                             panelBias ? panelBias + offset : NULL, c + row * ldc + column + offset, ldc, count);
            }
        }
    }
}

#else

void lk_bf16_pack(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    pack_scalar(k, n, w, ldw, packed);
}

void lk_bf16_pack_transposed(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed) {
    (void)k; (void)n; (void)w; (void)ldw; (void)packed;
}

void lk_bf16_convert_transposed(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, uint16_t *out, ptrdiff_t ldo) {
    (void)m; (void)k; (void)x; (void)ldx; (void)out; (void)ldo;
}

void lk_bf16_convert(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, uint16_t *out, ptrdiff_t ldo) {
    (void)m; (void)k; (void)a; (void)lda; (void)out; (void)ldo;
}

void lk_bf16_gemm(
    ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint16_t *a, ptrdiff_t lda, const uint16_t *packed,
    const float *bias, float *c, ptrdiff_t ldc) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)packed; (void)bias; (void)c; (void)ldc;
}

#endif
