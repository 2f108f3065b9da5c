/*
 * hash.c: the map's hash function and Go's fastrand.
 *
 * hash64 is wyhash's 64-bit integer hash (wyhash v4 `wyhash64(A, B)`): two rounds of
 * a 64x64->128-bit multiply folded by xor ("mum"), keyed by the per-map seed. It is
 * portable (no AES-NI/cpuid dispatch), passes SMHasher for 8-byte keys, and costs a
 * few cycles, close to Go's 3-round AESENC memhash64. Go's hash0 is 32 bits; we keep
 * that width and spread it with the wyhash secret.
 *
 * stream_key is the benchmarks' and tests' fixed stream of distinct keys.
 *
 * fastrand is wyrand on a per-thread state (Go: per-M state), seeded from the clock
 * and the state's address unless fastrand_seed() fixes it.
 */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include "common.h"

static inline uint64_t mum(uint64_t a, uint64_t b) {
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

MB_NOINLINE uint64_t hash64(uint64_t key, uint64_t seed) {
    MB_KEEP_FRAME();
    uint64_t a = key ^ 0x2d358dccaa6c78a5ull;
    uint64_t b = seed ^ 0x8bb84b93962eacc9ull;
    __uint128_t r = (__uint128_t)a * b;
    a = (uint64_t)r;
    b = (uint64_t)(r >> 64);
    return mum(a ^ 0x2d358dccaa6c78a5ull, b ^ 0x8bb84b93962eacc9ull);
}

static _Thread_local uint64_t rand_state;
static _Thread_local bool rand_seeded;

void fastrand_seed(uint64_t seed) {
    rand_state = seed;
    rand_seeded = true;
}

uint64_t fastrand64(void) {
    if (!rand_seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rand_state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&rand_state;
        rand_seeded = true;
    }
    rand_state += 0xa0761d6478bd642full;
    return mum(rand_state, rand_state ^ 0xe7037ed1a0b428dbull);
}

uint32_t fastrand(void) { return (uint32_t)fastrand64(); }

/* A fixed stream of distinct keys: the splitmix64 finaliser is a bijection, so keys
 * with the same seed and different i never collide. */
uint64_t stream_key(uint64_t seed, uint64_t i) {
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + i;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
