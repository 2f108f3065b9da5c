/*
 * check_report.h: how both maps' invariant checkers (classic/check.c, swiss/check.c) say
 * what broke: one line, "INVARIANT <prefix><n> (<name>): <detail>", written into the
 * caller's buffer (truncated to fit, always NUL-terminated by snprintf), and the
 * invariant's number returned as the checker's result.
 */
#ifndef MAPBENCH_CHECK_REPORT_H
#define MAPBENCH_CHECK_REPORT_H

#include <stdarg.h>
#include <stdio.h>

static inline int check_reportv(char *why, size_t why_len, const char *prefix, int invariant,
                                const char *name, const char *fmt, va_list ap) {
    if (why && why_len) {
        int n = snprintf(why, why_len, "INVARIANT %s%d (%s): ", prefix, invariant, name);
        if (n >= 0 && (size_t)n < why_len)
            vsnprintf(why + n, why_len - (size_t)n, fmt, ap);
    }
    return invariant;
}

#endif
