// A second thread for fine-grained fork/join inside one learning update: the independent matrix products of a
// step (a layer's weight and input gradients; the target network beside the online one) take 10–100 µs each,
// far below what waking a thread-pool thread costs. So the helper spins while work keeps coming and sleeps on a
// condition variable only after a quiet spell; the caller spins for the short task it waits on.
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define LANE_PAUSE() _mm_pause()
#else
#define LANE_PAUSE() ((void)0)
#endif

/// How long the helper spins for the next task before it sleeps (an update's gaps between products are
/// tens of microseconds; between updates, the environment may run for milliseconds).
#define LANE_SPIN_NANOSECONDS 200000L

struct lk_lane {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    atomic_ulong posted;
    atomic_ulong finished;
    atomic_int sleeping;
    atomic_int stopping;
    void (*task)(void *);
    void *context;
};

static long elapsed_nanoseconds(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

static void *lane_main(void *argument) {
    lk_lane *lane = argument;
    unsigned long seen = 0;
    for (;;) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        unsigned spins = 0;
        while (atomic_load(&lane->posted) == seen) {
            if (atomic_load(&lane->stopping)) return NULL;
            LANE_PAUSE();
            if ((++spins & 255) != 0 || elapsed_nanoseconds(&start) < LANE_SPIN_NANOSECONDS) continue;
            // Sleep. `sleeping` is set before `posted` is read again under the mutex, and the poster reads
            // `sleeping` after raising `posted` (both sequentially consistent), so a wake-up is never lost.
            pthread_mutex_lock(&lane->mutex);
            atomic_store(&lane->sleeping, 1);
            while (atomic_load(&lane->posted) == seen && !atomic_load(&lane->stopping)) {
                pthread_cond_wait(&lane->wake, &lane->mutex);
            }
            atomic_store(&lane->sleeping, 0);
            pthread_mutex_unlock(&lane->mutex);
            clock_gettime(CLOCK_MONOTONIC, &start);
        }
        seen += 1;
        lane->task(lane->context);
        atomic_store(&lane->finished, seen);
    }
}

lk_lane *lk_lane_create(void) {
    lk_lane *lane = calloc(1, sizeof(lk_lane));
    if (lane == NULL) return NULL;
    pthread_mutex_init(&lane->mutex, NULL);
    pthread_cond_init(&lane->wake, NULL);
    if (pthread_create(&lane->thread, NULL, lane_main, lane) != 0) {
        pthread_cond_destroy(&lane->wake);
        pthread_mutex_destroy(&lane->mutex);
        free(lane);
        return NULL;
    }
    return lane;
}

static void lane_signal(lk_lane *lane) {
    if (atomic_load(&lane->sleeping)) {
        pthread_mutex_lock(&lane->mutex);
        pthread_cond_signal(&lane->wake);
        pthread_mutex_unlock(&lane->mutex);
    }
}

void lk_lane_post(lk_lane *lane, void (*task)(void *), void *context) {
    lane->task = task;
    lane->context = context;
    atomic_fetch_add(&lane->posted, 1);
    lane_signal(lane);
}

void lk_lane_wait(lk_lane *lane) {
    unsigned long target = atomic_load(&lane->posted);
    unsigned spins = 0;
    while (atomic_load(&lane->finished) != target) {
        LANE_PAUSE();
        // On a busy machine the helper may have lost its core: stop burning this one after a while.
        if (++spins > (1u << 16)) sched_yield();
    }
}

void lk_lane_destroy(lk_lane *lane) {
    if (lane == NULL) return;
    pthread_mutex_lock(&lane->mutex);
    atomic_store(&lane->stopping, 1);
    pthread_cond_signal(&lane->wake);
    pthread_mutex_unlock(&lane->mutex);
    pthread_join(lane->thread, NULL);
    pthread_cond_destroy(&lane->wake);
    pthread_mutex_destroy(&lane->mutex);
    free(lane);
}
