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
 * fastrand (inline in common.h) is wyrand on a per-thread state (Go: per-M state), seeded
 * from the clock and the state's address unless fastrand_seed() fixes it.
 */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include "common.h"

MB_NOINLINE uint64_t hash64(uint64_t key, uint64_t seed) {
    MB_KEEP_FRAME();
    uint64_t a = key ^ 0x2d358dccaa6c78a5ull;
    uint64_t b = seed ^ 0x8bb84b93962eacc9ull;
    __uint128_t r = (__uint128_t)a * b;
    a = (uint64_t)r;
    b = (uint64_t)(r >> 64);
    return mb_mum(a ^ 0x2d358dccaa6c78a5ull, b ^ 0x8bb84b93962eacc9ull);
}

MB_TLS uint64_t mb_rand_state;
MB_TLS bool mb_rand_seeded;

void fastrand_seed(uint64_t seed) {
    mb_rand_state = seed;
    mb_rand_seeded = true;
}

/* First use on a thread: seed from the clock and the state's address (fastrand64, common.h). */
void fastrand_seed_from_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    mb_rand_state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&mb_rand_state;
    mb_rand_seeded = true;
}

/* A fixed stream of distinct keys: the splitmix64 finaliser is a bijection, so keys
 * with the same seed and different i never collide. */
uint64_t stream_key(uint64_t seed, uint64_t i) {
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + i;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
