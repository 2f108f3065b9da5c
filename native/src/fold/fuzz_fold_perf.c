/*
 * fuzz_fold_perf.c: a sanitizer drive of the perf folder (not part of the module).
 * Random mixes of perf-script fragments and random bytes, fed in random pieces with
 * random flags; under -fsanitize=address,undefined any out-of-bounds access, leak or
 * undefined behaviour stops it. tests/analysis/test_fold_native.py builds and runs it:
 *   cc -std=c11 -g -fsanitize=address,undefined -Inative/src/fold \
 *      native/src/fold/fuzz_fold_perf.c native/src/fold/fold_perf.c -o fuzz && ./fuzz 20000
 */
#include "fold_perf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *pieces[] = {"walk 12/13 [000] 1.5: 2004008 cpu-clock:pppH: ", "java 7 9.9: 3 cycles:", "# c",
 "\t10c0 main+0x5 (/bin/walk)", "  ffff a->b->c (/tmp/perf-3.map)", "\t0 [unknown] ([unknown])", "->", "(", ")", " (", "+0x",
 "\t1 Lcom/x;.run(I)V (/tmp/perf-9.map)", "x 5 1: 00 ev:", "\t2 f(anonymous namespace)::g(x) ([kernel.kallsyms])", "\n", "\n\n", " ", ":", "99999999999999999999", "0", "/", ".(", ")."};
int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 300000;
  srand(1);
  char buf[4096];
  for (int iter = 0; iter < rounds; iter++) {
    size_t n = 0; int k = rand() % 40;
    for (int i = 0; i < k && n < 3000; i++) {
      if (rand() % 4 == 0) { buf[n++] = (char)(rand() % 256); continue; }
      const char *p = pieces[rand() % (sizeof pieces / sizeof *pieces)]; size_t l = strlen(p); memcpy(buf + n, p, l); n += l;
    }
    perf_folder *f = perf_folder_new(rand() % 128, (rand()%5==0) ? "walk" : NULL, 4);
    size_t at = 0;
    while (at < n) { size_t cut = at + 1 + (size_t)rand() % (n - at); perf_folder_feed(f, buf + at, cut - at); at = cut; }
    perf_fold_stats s; perf_folder_stats(f, &s);
    const char *st; size_t len; uint64_t w;
    for (size_t i = 0; i < perf_folder_slots(f); i++) perf_folder_stack(f, i, &st, &len, &w);
    perf_folder_free(f);
  }
  puts("fuzz ok");
}
