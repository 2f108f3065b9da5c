/*
 * keys.h: the lookup kernels' keys, built outside the timed region and shared by the
 * classic and the Swiss map, so both look up the same keys in the same order.
 */
#ifndef MAPBENCH_KEYS_H
#define MAPBENCH_KEYS_H

#include <stdint.h>

/* The stream the miss keys are drawn from: stream_key(KEYS_MISS_SEED, i). */
#define KEYS_MISS_SEED 0x6d697373ull /* "miss" */

/* Shuffles keys[0..n) in place: Fisher-Yates driven by a fixed xorshift64 stream, so
 * the order is the same on every run and for either map. */
void keys_shuffle(uint64_t *keys, uint64_t n);

#endif
