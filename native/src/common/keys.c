/* keys.c: see keys.h. */
#include "keys.h"

void keys_shuffle(uint64_t *keys, uint64_t n) {
    uint64_t x = 0x9e3779b97f4a7c15ull; /* the stream's fixed start */
    for (uint64_t i = n; i > 1; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t j = x % i, t = keys[i - 1];
        keys[i - 1] = keys[j];
        keys[j] = t;
    }
}
