/*
 * fold_perf.h: `perf script` text to folded stacks, in C, line for line as
 * FlameGraph's stackcollapse-perf.pl and as its Python twin,
 * analysis/stacks/fold_perf.py, which is the specification: every parse step here
 * is that file's function of the same name (parse_event_header, parse_event_name,
 * parse_stack_line, frames_of_line), and tests/analysis/test_fold_native.py runs both
 * on FlameGraph's test matrix, the project's captures and generated corner cases and
 * wants them byte-identical.
 *
 * Invariants:
 *  F1 Streaming. The folder keeps no input: perf_folder_feed takes any run of whole
 *     lines (the last line of the input may lack its newline) and the state between
 *     calls is the perl script's: the root of the sample being read (or none), its
 *     frames so far, the event filter, the period. Memory is the table of distinct
 *     stacks plus the longest sample; it does not grow with the input's length.
 *  F2 Stacks. Each distinct stack (root first, `;`-joined) is stored once, in an
 *     append-only arena, with its weight (samples, or the sum of periods with
 *     PERF_FOLD_BY_PERIOD). Weights and the period total are exact uint64 sums: a
 *     period of more digits than fit, or a sum that would overflow, stops the folder
 *     with PERF_FOLD_TOO_BIG, and the caller folds in Python (whose ints do not
 *     overflow) instead, so the two paths never disagree.
 *  F3 Bytes. Lines are bytes; nothing is decoded, no byte is special but the ASCII ones
 *     perl's regexes name (\s = space, \t, \n, \r, \v, \f; \w = [A-Za-z0-9_]). Every
 *     scan is linear in the line's length: no input makes it backtrack.
 *  F4 Ownership. perf_folder_new allocates, perf_folder_free frees everything; the
 *     pointers perf_folder_stack hands out live until the free. Feeding after an
 *     error returns that error again.
 */
#ifndef MAPBENCH_FOLD_PERF_H
#define MAPBENCH_FOLD_PERF_H

#include <stddef.h>
#include <stdint.h>

/* cffi-cdef: begin */
#define PERF_FOLD_PID 1            /* root frame comm-PID */
#define PERF_FOLD_TID 2            /* root frame comm-PID/TID */
#define PERF_FOLD_KERNEL 4         /* _[k] on kernel frames */
#define PERF_FOLD_JIT 8            /* _[j] on /tmp/perf-N.map frames */
#define PERF_FOLD_ADDRS 16         /* [module <pc>] for unknown symbols */
#define PERF_FOLD_BY_PERIOD 32     /* weigh by the sum of periods, not samples */
#define PERF_FOLD_JAVA_EXACT 64    /* tidy Java names only when the root is exactly "java" */

#define PERF_FOLD_OK 0
#define PERF_FOLD_NO_MEMORY (-1)
#define PERF_FOLD_TOO_BIG (-2)     /* a number past uint64: fold in Python (F2) */

#define PERF_FOLD_MAX_PERIODS 64   /* distinct periods remembered, as the Python's set */

typedef struct perf_folder perf_folder;

typedef struct perf_fold_stats {
    uint64_t samples;              /* samples counted */
    uint64_t filtered_samples;     /* samples of another event type, left out */
    uint64_t period_total;         /* sum of the periods of the samples counted */
    int incomplete_tail;           /* the text stopped inside a sample */
    const char *event;             /* the event type kept (NULL: none seen) */
    size_t event_len;
    uint64_t periods[64];          /* distinct periods seen, the first 64 */
    int n_periods;
    size_t n_stacks;               /* distinct stacks */
} perf_fold_stats;

perf_folder *perf_folder_new(int flags, const char *comm, size_t comm_len);
int perf_folder_feed(perf_folder *folder, const char *data, size_t len);
void perf_folder_stats(const perf_folder *folder, perf_fold_stats *out);
/* The i-th table slot: 1 and its stack and weight, or 0 for an empty slot;
 * slots run from 0 to perf_folder_slots() - 1. */
size_t perf_folder_slots(const perf_folder *folder);
int perf_folder_stack(const perf_folder *folder, size_t slot, const char **stack,
                      size_t *len, uint64_t *weight);
/* The folded text of the stacks of weight > 0, `stack weight\n` sorted by the stack's
 * bytes (perl's `sort { $a cmp $b }`, Python's bytes order), as format_folded writes it.
 * The text lives in the folder until the free (or the next call). */
int perf_folder_folded(perf_folder *folder, const char **text, size_t *len);
void perf_folder_free(perf_folder *folder);
/* cffi-cdef: end */

#endif
