#include "CKernels.h"

#include <string.h>

// Squared distances from queries to keys stored in panels of 16 (for each panel, dimension-major: 16 keys' value of
// dimension 0, then dimension 1, …), so one vector load serves 16 keys and each query value is broadcast once per
// dimension. Compiled for SSE2, AVX2+FMA and AVX-512F, chosen at run time; G queries share each panel load.

typedef float f16 __attribute__((ext_vector_type(16)));

#define PANEL_KERNEL(SUFFIX, ATTRIBUTES, G)                                                                      \
    static ATTRIBUTES void l2_panels_##SUFFIX(                                                                  \
        ptrdiff_t nq, ptrdiff_t dim, const float *queries, const float *query_norms, ptrdiff_t npanels,         \
        const float *panels, const float *key_norms, float *out, ptrdiff_t stride) {                            \
        for (ptrdiff_t p = 0; p < npanels; p++) {                                                               \
            const float *panel = panels + p * dim * 16;                                                         \
            f16 kn;                                                                                              \
            memcpy(&kn, key_norms + p * 16, sizeof kn);                                                         \
            ptrdiff_t q = 0;                                                                                    \
            for (; q + G <= nq; q += G) {                                                                       \
                f16 acc[G];                                                                                      \
                for (int i = 0; i < G; i++) acc[i] = (f16)(0.0f);                                               \
                for (ptrdiff_t d = 0; d < dim; d++) {                                                           \
                    f16 k;                                                                                       \
                    memcpy(&k, panel + d * 16, sizeof k);                                                       \
                    for (int i = 0; i < G; i++) acc[i] += k * queries[(q + i) * dim + d];                       \
                }                                                                                                \
                for (int i = 0; i < G; i++) {                                                                   \
                    f16 distance = query_norms[q + i] + kn - 2.0f * acc[i];                                     \
                    memcpy(out + (q + i) * stride + p * 16, &distance, sizeof distance);                        \
                }                                                                                                \
            }                                                                                                    \
            for (; q < nq; q++) {                                                                               \
                f16 acc = (f16)(0.0f);                                                                           \
                for (ptrdiff_t d = 0; d < dim; d++) {                                                           \
                    f16 k;                                                                                       \
                    memcpy(&k, panel + d * 16, sizeof k);                                                       \
                    acc += k * queries[q * dim + d];                                                            \
                }                                                                                                \
                f16 distance = query_norms[q] + kn - 2.0f * acc;                                                \
                memcpy(out + q * stride + p * 16, &distance, sizeof distance);                                  \
            }                                                                                                    \
        }                                                                                                        \
    }

PANEL_KERNEL(sse, , 2)
PANEL_KERNEL(avx2, __attribute__((target("avx2,fma"))), 4)
PANEL_KERNEL(avx512, __attribute__((target("avx512f,fma"))), 8)

/// 2: AVX-512F, 1: AVX2 + FMA, 0: baseline (decided once; a racy first call computes the same value).
static int panel_level(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")
                     ? 2
                     : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0);
    }
    return cached;
}

void lk_l2_panels(
    ptrdiff_t nq, ptrdiff_t dim, const float *queries, const float *query_norms, ptrdiff_t npanels,
    const float *panels, const float *key_norms, float *out, ptrdiff_t stride) {
    switch (panel_level()) {
    case 2: l2_panels_avx512(nq, dim, queries, query_norms, npanels, panels, key_norms, out, stride); break;
    case 1: l2_panels_avx2(nq, dim, queries, query_norms, npanels, panels, key_norms, out, stride); break;
    default: l2_panels_sse(nq, dim, queries, query_norms, npanels, panels, key_norms, out, stride);
    }
}
