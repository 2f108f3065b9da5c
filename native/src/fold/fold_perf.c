/*
 * fold_perf.c: the perf script folder of fold_perf.h (read its invariants F1-F4 first).
 *
 * One pass over each line: memchr finds its end; an event line (first byte not
 * white space, perl's event regex) sets the sample's root and
 * period; a stack line appends its frames to the sample's segment buffer, leaf
 * first, one segment per line; a blank line joins root + segments (last first) into
 * the key buffer and adds the weight to the stack table (open addressing, FNV-1a
 * 64-bit hash, linear probing, at most half full).
 */
#define _GNU_SOURCE  /* memmem */
#include "fold_perf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char uchar;

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

typedef struct {
    uint64_t hash;
    uint64_t weight;
    size_t offset;   /* into the arena; len 0 and hash 0 with offset SIZE_MAX: empty */
    size_t len;
} slot;

struct perf_folder {
    int flags;
    int error;
    char *comm;                 /* --comm, or NULL */
    size_t comm_len;
    /* sample state (perl: $pname, @stack, $m_period) */
    bool has_pname;
    buffer pname;
    buffer segments;            /* the segments' bytes, in input order (leaf first) */
    size_t *seg_ends;           /* end offset of each segment in `segments` */
    size_t n_segs, cap_segs;
    uint64_t period;
    bool java;                  /* tidy Java names for this sample */
    /* the event filter (perl: $event_filter) */
    bool has_event;
    buffer event;
    /* results */
    slot *table;
    size_t n_slots, n_used;
    buffer arena;
    buffer key;                 /* scratch: the stack being counted */
    buffer func;                /* scratch: one frame being tidied */
    buffer folded;              /* perf_folder_folded's text */
    uint64_t samples, filtered, period_total;
    uint64_t periods[PERF_FOLD_MAX_PERIODS];
    int n_periods;
};

#define EMPTY_SLOT SIZE_MAX
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static bool is_ws(uchar c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(uchar c) { return c >= '0' && c <= '9'; }

static bool is_word(uchar c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_hex_lower(uchar c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

static int reserve(buffer *b, size_t more) {
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data)
        return PERF_FOLD_NO_MEMORY;
    b->data = data;
    b->cap = cap;
    return 0;
}

static int append(buffer *b, const void *src, size_t n) {
    if (reserve(b, n))
        return PERF_FOLD_NO_MEMORY;
    if (n)
        memcpy(b->data + b->len, src, n);
    b->len += n;
    return 0;
}

static const uchar *find(const uchar *hay, size_t n, const char *needle, size_t m) {
    if (m == 0)
        return hay;
    if (n < m)
        return NULL;
    return memmem(hay, n, needle, m);
}

static const uchar *rfind(const uchar *hay, size_t n, const char *needle, size_t m) {
    if (n < m)
        return NULL;
    for (size_t at = n - m + 1; at-- > 0;)
        if (hay[at] == (uchar)needle[0] && memcmp(hay + at, needle, m) == 0)
            return hay + at;
    return NULL;
}

static bool contains(const uchar *hay, size_t n, const char *needle) {
    return find(hay, n, needle, strlen(needle)) != NULL;
}

/* Digits to uint64; false past its range (F2). */
static bool parse_u64(const uchar *s, size_t n, uint64_t *out) {
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t digit = s[i] - '0';
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

/* ---- the parse steps, each as its Python twin in analysis/stacks/fold_perf.py ---- */

/* `([0-9]+)(?:/+([0-9]*))?\s` at `at`: end of the pid and tid, or false. */
static bool match_pid_tid(const uchar *line, size_t n, size_t at, size_t *pid_end,
                          size_t *tid_start, size_t *tid_end) {
    size_t i = at;
    while (i < n && is_digit(line[i]))
        i++;
    if (i == at)
        return false;
    *pid_end = i;
    *tid_start = *tid_end = i;
    if (i < n && line[i] == '/') {
        size_t j = i;
        while (j < n && line[j] == '/')
            j++;
        size_t k = j;
        while (k < n && is_digit(line[k]))
            k++;
        if (k < n && is_ws(line[k])) {
            *tid_start = j;
            *tid_end = k;
            return true;
        }
        return false;  /* the group cannot be left out either: a '/' is not white space */
    }
    return i < n && is_ws(line[i]);
}

/* parse_event_header: comm = line[0:comm_end], pid, tid (tid empty when absent). */
static bool parse_event_header(const uchar *line, size_t n, size_t *comm_end,
                               size_t *pid_start, size_t *pid_end, size_t *tid_start,
                               size_t *tid_end) {
    if (n == 0 || is_ws(line[0]))
        return false;
    size_t i = 1;
    while (i < n) {
        while (i < n && !is_ws(line[i]))
            i++;
        if (i >= n)
            return false;
        size_t start = i;
        while (i < n && is_ws(line[i]))
            i++;
        size_t end = i;  /* a run of white space [start, end) */
        size_t cut = start > 2 ? start : 2;
        if (cut >= end)
            continue;
        if (match_pid_tid(line, n, end, pid_end, tid_start, tid_end)) {
            *comm_end = cut;
            *pid_start = end;
            return true;
        }
    }
    return false;
}

/* parse_event_name: perl's `/:\s*(\d+)*\s+(\S+):\s*$/` as (period, event). */
static bool parse_event_name(const uchar *line, size_t n, size_t *per_start, size_t *per_end,
                             size_t *ev_start, size_t *ev_end) {
    size_t end = n;
    while (end > 0 && is_ws(line[end - 1]))
        end--;
    size_t word = end;
    while (word > 0 && !is_ws(line[word - 1]))
        word--;
    size_t before = word;
    while (before > 0 && is_ws(line[before - 1]))
        before--;
    if (word == end || before == 0 || word == before)
        return false;  /* rsplit(None, 1) gives fewer than two parts */
    if (end - word < 2 || line[end - 1] != ':')
        return false;
    *ev_start = word;
    *ev_end = end - 1;
    if (line[before - 1] == ':') {
        *per_start = *per_end = before;
        return true;
    }
    size_t d = before;
    while (d > 0 && is_digit(line[d - 1]))
        d--;
    if (d == before)
        return false;
    size_t c = d;
    while (c > 0 && is_ws(line[c - 1]))
        c--;
    if (c > 0 && line[c - 1] == ':') {
        *per_start = d;
        *per_end = before;
        return true;
    }
    return false;
}

/* parse_stack_line: perl's `/^\s*(\w+)\s*(.+) \((.*)\)/` as pc, rawfunc, module. */
static bool parse_stack_line(const uchar *line, size_t n, size_t span[6]) {
    size_t pc_start = 0;
    while (pc_start < n && is_ws(line[pc_start]))
        pc_start++;
    size_t pc_end = pc_start;
    while (pc_end < n && is_word(line[pc_end]))
        pc_end++;
    if (pc_end == pc_start)
        return false;
    const uchar *close = rfind(line, n, ")", 1);
    if (!close)
        return false;
    const uchar *open_p = rfind(line, (size_t)(close - line), " (", 2);
    if (!open_p)
        return false;
    size_t open_ = (size_t)(open_p - line), close_at = (size_t)(close - line);
    if (open_ < pc_end)
        return false;
    size_t spaces_end = pc_end;
    while (spaces_end < n && is_ws(line[spaces_end]))
        spaces_end++;
    span[4] = open_ + 2;
    span[5] = close_at;
    if (open_ > spaces_end) {
        span[0] = pc_start, span[1] = pc_end, span[2] = spaces_end, span[3] = open_;
        return true;
    }
    if (open_ > pc_end) {  /* `10c0  (/lib/x.so)`: perl's `\s*` gives back a space */
        span[0] = pc_start, span[1] = pc_end, span[2] = open_ - 1, span[3] = open_;
        return true;
    }
    if (pc_end - pc_start >= 2) {  /* `10c0 (/lib/x.so)`: `(\w+)` gives back a character */
        span[0] = pc_start, span[1] = pc_end - 1, span[2] = pc_end - 1, span[3] = pc_end;
        return true;
    }
    return false;
}

/* `/tmp/perf-[0-9]+\.map` anywhere in the module. */
static bool is_jit_module(const uchar *mod, size_t n) {
    static const char prefix[] = "/tmp/perf-";
    const size_t plen = sizeof prefix - 1;
    for (const uchar *at = mod; (at = find(at, n - (size_t)(at - mod), prefix, plen)) != NULL; at++) {
        size_t i = (size_t)(at - mod) + plen, j = i;
        while (j < n && is_digit(mod[j]))
            j++;
        if (j > i && j + 4 <= n && memcmp(mod + j, ".map", 4) == 0)
            return true;
    }
    return false;
}

/* One frame of frames_of_line, tidied and annotated, appended to f->segments as `;frame`. */
static int emit_frame(perf_folder *f, const uchar *func, size_t len, const uchar *pc,
                      size_t pc_len, const uchar *mod, size_t mod_len, bool inlined) {
    buffer *t = &f->func;
    t->len = 0;
    if (reserve(t, 1))  /* so t->data is never NULL below, even for an empty frame */
        return PERF_FOLD_NO_MEMORY;
    if (len == 9 && memcmp(func, "[unknown]", 9) == 0) {
        const uchar *name = (const uchar *)"unknown";
        size_t name_len = 7;
        if (!(mod_len == 9 && memcmp(mod, "[unknown]", 9) == 0)) {
            const uchar *slash = rfind(mod, mod_len, "/", 1);
            name = slash ? slash + 1 : mod;
            name_len = mod_len - (size_t)(name - mod);
        }
        if (append(t, "[", 1) || append(t, name, name_len))
            return PERF_FOLD_NO_MEMORY;
        if (f->flags & PERF_FOLD_ADDRS) {
            if (append(t, " <", 2) || append(t, pc, pc_len) || append(t, ">", 1))
                return PERF_FOLD_NO_MEMORY;
        }
        if (append(t, "]", 1))
            return PERF_FOLD_NO_MEMORY;
    } else if (append(t, func, len)) {
        return PERF_FOLD_NO_MEMORY;
    }
    /* tidy_generic: `;` to `:`; cut the argument list unless a Go method; no quotes */
    uchar *s = (uchar *)t->data;
    size_t m = t->len;
    for (size_t i = 0; i < m; i++)
        if (s[i] == ';')
            s[i] = ':';
    const uchar *go = find(s, m, ".(", 2);
    const uchar *go_end = rfind(s, m, ").", 2);
    if (!go || !go_end || go_end < go + 2) {
        for (const uchar *at = memchr(s, '(', m); at; at = memchr(at + 1, '(', m - (size_t)(at + 1 - s))) {
            size_t rest = m - (size_t)(at + 1 - s);
            if (!(rest >= 20 && memcmp(at + 1, "anonymous namespace)", 20) == 0)) {
                m = (size_t)(at - s);
                break;
            }
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < m; i++)
        if (s[i] != '"' && s[i] != '\'')
            s[w++] = s[i];
    m = w;
    /* tidy_java: `Lpkg/Class;` loses its L */
    size_t skip = 0;
    if (f->java && m > 0 && s[0] == 'L' && memchr(s, '/', m))
        skip = 1;
    t->len = m;
    const char *note = NULL;
    if (inlined) {
        if (!contains(s + skip, m - skip, "_[i]"))
            note = "_[i]";
    } else if ((f->flags & PERF_FOLD_KERNEL) && mod_len > 0 &&
               (mod[0] == '[' || (mod_len >= 7 && memcmp(mod + mod_len - 7, "vmlinux", 7) == 0)) &&
               !contains(mod, mod_len, "unknown")) {
        note = "_[k]";
    } else if ((f->flags & PERF_FOLD_JIT) && is_jit_module(mod, mod_len) &&
               !contains(s + skip, m - skip, "_[j]")) {
        note = "_[j]";
    }
    if (append(&f->segments, ";", 1) || append(&f->segments, s + skip, m - skip))
        return PERF_FOLD_NO_MEMORY;
    if (note && append(&f->segments, note, 4))
        return PERF_FOLD_NO_MEMORY;
    return 0;
}

/* frames_of_line + the stack bookkeeping: append this line's segment (maybe empty). */
static int stack_line(perf_folder *f, const uchar *line, size_t n) {
    size_t sp[6];
    size_t seg_start = f->segments.len;
    if (parse_stack_line(line, n, sp)) {
        const uchar *pc = line + sp[0], *raw = line + sp[2], *mod = line + sp[4];
        size_t pc_len = sp[1] - sp[0], raw_len = sp[3] - sp[2], mod_len = sp[5] - sp[4];
        const uchar *plus = rfind(raw, raw_len, "+0x", 3);
        if (plus) {
            size_t off = (size_t)(plus - raw) + 3;
            bool hex = off < raw_len;
            for (size_t i = off; i < raw_len && hex; i++)
                hex = is_hex_lower(raw[i]);
            if (hex)
                raw_len = (size_t)(plus - raw);
        }
        if (!(raw_len > 0 && raw[0] == '(')) {  /* `(...)`: a process name, skipped */
            /* split on "->", trailing empty fields dropped as perl's split does */
            size_t last = raw_len;
            while (last >= 2 && raw[last - 1] == '>' && raw[last - 2] == '-')
                last -= 2;
            bool inlined = false;
            size_t at = 0;
            while (last > 0 && at <= last) {
                const uchar *arrow = find(raw + at, last - at, "->", 2);
                size_t field_end = arrow ? (size_t)(arrow - raw) : last;
                int rc = emit_frame(f, raw + at, field_end - at, pc, pc_len, mod, mod_len, inlined);
                if (rc)
                    return rc;
                inlined = true;
                if (!arrow)
                    break;
                at = field_end + 2;
            }
        }
    }
    if (f->segments.len == seg_start)
        return 0;  /* perl: nothing unshifted ("Unrecognized line" or no frame) */
    if (f->n_segs == f->cap_segs) {
        size_t cap = f->cap_segs ? f->cap_segs * 2 : 64;
        size_t *ends = realloc(f->seg_ends, cap * sizeof *ends);
        if (!ends)
            return PERF_FOLD_NO_MEMORY;
        f->seg_ends = ends;
        f->cap_segs = cap;
    }
    f->seg_ends[f->n_segs++] = f->segments.len;
    return 0;
}

/* ---- the stack table ---- */

static int grow_table(perf_folder *f) {
    size_t n = f->n_slots ? f->n_slots * 2 : 1024;
    slot *table = malloc(n * sizeof *table);
    if (!table)
        return PERF_FOLD_NO_MEMORY;
    for (size_t i = 0; i < n; i++)
        table[i].offset = EMPTY_SLOT;
    for (size_t i = 0; i < f->n_slots; i++) {
        slot *old = &f->table[i];
        if (old->offset == EMPTY_SLOT)
            continue;
        size_t j = old->hash & (n - 1);
        while (table[j].offset != EMPTY_SLOT)
            j = (j + 1) & (n - 1);
        table[j] = *old;
    }
    free(f->table);
    f->table = table;
    f->n_slots = n;
    return 0;
}

static int add_stack(perf_folder *f, const char *key, size_t len, uint64_t weight) {
    if (2 * (f->n_used + 1) > f->n_slots && grow_table(f))
        return PERF_FOLD_NO_MEMORY;
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uchar)key[i]) * FNV_PRIME;
    size_t j = h & (f->n_slots - 1);
    for (;; j = (j + 1) & (f->n_slots - 1)) {
        slot *s = &f->table[j];
        if (s->offset == EMPTY_SLOT) {
            size_t offset = f->arena.len;
            if (append(&f->arena, key, len))
                return PERF_FOLD_NO_MEMORY;
            s->hash = h, s->weight = weight, s->offset = offset, s->len = len;
            f->n_used++;
            return 0;
        }
        if (s->hash == h && s->len == len && memcmp(f->arena.data + s->offset, key, len) == 0) {
            if (s->weight > UINT64_MAX - weight)
                return PERF_FOLD_TOO_BIG;
            s->weight += weight;
            return 0;
        }
    }
}

/* perl's blank line: count root + segments (last first) and reset the sample. */
static int count_sample(perf_folder *f) {
    buffer *k = &f->key;
    k->len = 0;
    if (append(k, f->pname.data, f->pname.len) || reserve(k, f->segments.len))
        return PERF_FOLD_NO_MEMORY;
    for (size_t i = f->n_segs; i-- > 0;) {
        size_t start = i ? f->seg_ends[i - 1] : 0;
        memcpy(k->data + k->len, f->segments.data + start, f->seg_ends[i] - start);
        k->len += f->seg_ends[i] - start;
    }
    uint64_t weight = (f->flags & PERF_FOLD_BY_PERIOD) ? f->period : 1;
    int rc = add_stack(f, k->data, k->len, weight);
    if (rc)
        return rc;
    if (f->period_total > UINT64_MAX - f->period)
        return PERF_FOLD_TOO_BIG;
    f->period_total += f->period;
    f->samples++;
    f->segments.len = 0;
    f->n_segs = 0;
    f->has_pname = false;
    return 0;
}

/* header(): 1 when `line` is an event line (handled), 0 when not, < 0 on error. */
static int event_line(perf_folder *f, const uchar *line, size_t n) {
    size_t comm_end, pid_s, pid_e, tid_s, tid_e;
    if (!parse_event_header(line, n, &comm_end, &pid_s, &pid_e, &tid_s, &tid_e))
        return 0;
    const uchar *pid = line + pid_s, *tid = line + tid_s;
    size_t pid_len = pid_e - pid_s, tid_len = tid_e - tid_s;
    if (tid_len == 0 || (tid_len == 1 && tid[0] == '0')) {  /* perl: `if (not $tid)` */
        tid = pid, tid_len = pid_len;
        pid = (const uchar *)"?", pid_len = 1;
    }
    uint64_t period = 1;
    size_t ps, pe, es, ee;
    if (parse_event_name(line, n, &ps, &pe, &es, &ee)) {
        if (!f->has_event) {
            f->has_event = true;
            if (append(&f->event, line + es, ee - es))
                return PERF_FOLD_NO_MEMORY;
        } else if (f->event.len != ee - es || memcmp(f->event.data, line + es, ee - es) != 0) {
            f->filtered++;  /* perl: `next` before touching $pname or $m_period */
            return 1;
        }
        /* perl: `if (not $period) { $period = 1 }`: "" and "0" are false, "00" is 0 */
        if (pe > ps && !(pe - ps == 1 && line[ps] == '0') && !parse_u64(line + ps, pe - ps, &period))
            return PERF_FOLD_TOO_BIG;
    }
    f->period = period;
    if (f->n_periods < PERF_FOLD_MAX_PERIODS) {
        bool seen = false;
        for (int i = 0; i < f->n_periods && !seen; i++)
            seen = f->periods[i] == period;
        if (!seen)
            f->periods[f->n_periods++] = period;
    }
    if (f->comm) {
        bool same = comm_end == f->comm_len && memcmp(line, f->comm, comm_end) == 0;
        if (!same && comm_end == f->comm_len) {  /* or equal once spaces are `_` */
            same = true;
            for (size_t i = 0; i < comm_end && same; i++)
                same = (line[i] == ' ' ? '_' : line[i]) == (uchar)f->comm[i];
        }
        if (!same) {
            f->has_pname = false;
            f->segments.len = 0;
            f->n_segs = 0;
            return 1;
        }
    }
    buffer *p = &f->pname;
    p->len = 0;
    if (append(p, line, comm_end))
        return PERF_FOLD_NO_MEMORY;
    if (f->flags & (PERF_FOLD_PID | PERF_FOLD_TID)) {
        if (append(p, "-", 1) || append(p, pid, pid_len))
            return PERF_FOLD_NO_MEMORY;
        if ((f->flags & PERF_FOLD_TID) && (append(p, "/", 1) || append(p, tid, tid_len)))
            return PERF_FOLD_NO_MEMORY;
    }
    for (size_t i = 0; i < p->len; i++)
        if (p->data[i] == ' ')
            p->data[i] = '_';
    f->has_pname = true;
    /* Perl's tidy_java rule: `$pname =~ m/^java/` since FlameGraph PR #147 (Nov 2023),
     * `$pname eq "java"` before it (PERF_FOLD_JAVA_EXACT), which FlameGraph's own
     * test/results still encode. With --pid the root is `java-PID`: only the prefix
     * rule tidies it. We follow the chosen rule on purpose, odd or not. */
    if (f->flags & PERF_FOLD_JAVA_EXACT)
        f->java = p->len == 4 && memcmp(p->data, "java", 4) == 0;
    else
        f->java = p->len >= 4 && memcmp(p->data, "java", 4) == 0;
    return 1;
}

static int feed_line(perf_folder *f, const uchar *line, size_t n) {
    if (n == 0)
        return f->has_pname ? count_sample(f) : 0;
    if (line[0] == '#')
        return 0;  /* perf's header comments */
    if (!is_ws(line[0])) {
        int rc = event_line(f, line, n);
        if (rc)
            return rc < 0 ? rc : 0;
    }
    if (!f->has_pname)
        return 0;  /* perl: `next if not $pname` */
    return stack_line(f, line, n);
}

/* ---- the API ---- */

perf_folder *perf_folder_new(int flags, const char *comm, size_t comm_len) {
    perf_folder *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->flags = flags;
    f->period = 1;
    if (comm) {
        f->comm = malloc(comm_len ? comm_len : 1);
        if (!f->comm) {
            free(f);
            return NULL;
        }
        memcpy(f->comm, comm, comm_len);
        f->comm_len = comm_len;
    }
    if (grow_table(f)) {
        perf_folder_free(f);
        return NULL;
    }
    return f;
}

int perf_folder_feed(perf_folder *f, const char *data, size_t len) {
    const uchar *at = (const uchar *)data, *end = at + len;
    while (!f->error && at < end) {
        const uchar *nl = memchr(at, '\n', (size_t)(end - at));
        const uchar *line_end = nl ? nl : end;
        f->error = feed_line(f, at, (size_t)(line_end - at));
        at = nl ? nl + 1 : end;
    }
    return f->error;
}

void perf_folder_stats(const perf_folder *f, perf_fold_stats *out) {
    out->samples = f->samples;
    out->filtered_samples = f->filtered;
    out->period_total = f->period_total;
    out->incomplete_tail = f->has_pname;
    out->event = f->has_event ? f->event.data : NULL;
    out->event_len = f->event.len;
    memcpy(out->periods, f->periods, sizeof f->periods);
    out->n_periods = f->n_periods;
    out->n_stacks = f->n_used;
}

size_t perf_folder_slots(const perf_folder *f) { return f->n_slots; }

int perf_folder_stack(const perf_folder *f, size_t i, const char **stack, size_t *len,
                      uint64_t *weight) {
    if (i >= f->n_slots || f->table[i].offset == EMPTY_SLOT)
        return 0;
    *stack = f->arena.data + f->table[i].offset;
    *len = f->table[i].len;
    *weight = f->table[i].weight;
    return 1;
}

typedef struct {
    const char *key;
    size_t len;
    uint64_t weight;
} entry;  /* a stack to sort: its own pointer, so the comparison needs no global */

static int by_stack_bytes(const void *a, const void *b) {
    const entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->key, y->key, n) : 0;
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

int perf_folder_folded(perf_folder *f, const char **text, size_t *len) {
    entry *order = malloc((f->n_used ? f->n_used : 1) * sizeof *order);
    if (!order)
        return PERF_FOLD_NO_MEMORY;
    size_t n = 0, bytes = 0;
    for (size_t i = 0; i < f->n_slots; i++) {
        const slot *s = &f->table[i];
        if (s->offset != EMPTY_SLOT && s->weight > 0) {
            order[n++] = (entry){f->arena.data + s->offset, s->len, s->weight};
            bytes += s->len + 22;  /* ' ', at most 20 digits, '\n' */
        }
    }
    qsort(order, n, sizeof *order, by_stack_bytes);
    buffer *out = &f->folded;
    out->len = 0;
    if (reserve(out, bytes + 1)) {
        free(order);
        return PERF_FOLD_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(out->data + out->len, order[i].key, order[i].len);
        out->len += order[i].len;
        char digits[20];
        int d = 0;
        for (uint64_t w = order[i].weight; w; w /= 10)
            digits[d++] = (char)('0' + w % 10);
        out->data[out->len++] = ' ';
        while (d)
            out->data[out->len++] = digits[--d];
        out->data[out->len++] = '\n';
    }
    free(order);
    *text = out->data;
    *len = out->len;
    return 0;
}

void perf_folder_free(perf_folder *f) {
    if (!f)
        return;
    free(f->comm);
    free(f->pname.data);
    free(f->segments.data);
    free(f->seg_ends);
    free(f->event.data);
    free(f->table);
    free(f->arena.data);
    free(f->key.data);
    free(f->func.data);
    free(f->folded.data);
    free(f);
}
