// The range-loop questions (issue 27), asked of Go's own map; the C kernels are
// native/src/{classic,swiss}/range_kernels.c and ask the same.
//
//	iterate-inserting/per=P/n=N         for k := range m { put P fresh keys }, stopped once
//	                                    another P would pass capFactor*n entries (op = 1 range
//	                                    over a fresh map of n keys, built outside the timer);
//	                                    metrics yields/n (mean over the ops), yields-min/n,
//	                                    yields-max/n and ended/op (the share that ended by
//	                                    itself); n <= insertingMaxN
//	iterate-after-delete/deleted=D/n=N  range over a map of n keys after deleting D% of them
//	                                    (entries/op: the live ones); /copied: over a copy
//	                                    made with make(map, len(m)) and a range that puts
//	copy-after-delete/deleted=D/n=N     that copy itself (entries/op: the entries copied)
//	iterate-load/fill=F/n=N             range over a map filled to just after its last grow at
//	                                    or before n (that grow's evacuation finished), or just
//	                                    before its first grow past n (entries/op: that count);
//	                                    classic maps by Go's rule
//	                                    (6.5 per bucket); Swiss maps take the count from
//	                                    MAPBENCH_GO_LOAD (the C Swiss map's, see go_run.py)
//
// Go's hash seed and iteration start are random per map and per range, so each op is one
// draw: the metrics are a distribution over draws, not one seed's value.
package gomap

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

const (
	capFactor     = 64
	insertingMaxN = 1 << 14
	shapedMaxN    = 1 << 18
)

func rangeInserting(ks []uint64, per int, fresh uint64) (yields int, ended bool) {
	m := make(map[uint64]uint64)
	for i, k := range ks {
		m[k] = uint64(i)
	}
	limit := capFactor * len(ks)
	ended = true
	state := fresh
	for range m {
		yields++
		if len(m)+per > limit {
			ended = false
			break
		}
		for j := 0; j < per; j++ {
			m[splitmix64(&state)] = uint64(j)
		}
	}
	return yields, ended
}

// runsAt: whether a question family runs at n: n is in the comma list of the environment
// variable `sizes` (set by go_run.py to the suite's sizes of that family), or, without
// it, n <= max.
func runsAt(b *testing.B, sizes string, n, max int) {
	if spec := os.Getenv(sizes); spec != "" {
		for _, field := range strings.Split(spec, ",") {
			if strings.TrimSpace(field) == strconv.Itoa(n) {
				return
			}
		}
		b.Skipf("n=%d is not in %s", n, sizes)
	}
	if n > max {
		b.Skipf("n > %d: too slow for a quick pass", max)
	}
}

func inserting(per int) func(b *testing.B, n int) {
	return func(b *testing.B, n int) {
		runsAt(b, "MAPBENCH_GO_INSERTING_SIZES", n, insertingMaxN)
		ks := keys(n, 1)
		b.ReportAllocs()
		var total, ended int
		lo, hi := -1, 0
		for i := 0; i < b.N; i++ {
			y, e := rangeInserting(ks, per, uint64(7+i)<<32)
			total += y
			if e {
				ended++
			}
			if lo < 0 || y < lo {
				lo = y
			}
			if y > hi {
				hi = y
			}
		}
		b.ReportMetric(float64(total)/float64(b.N)/float64(n), "yields/n")
		b.ReportMetric(float64(lo)/float64(n), "yields-min/n")
		b.ReportMetric(float64(hi)/float64(n), "yields-max/n")
		b.ReportMetric(float64(ended)/float64(b.N), "ended/op")
	}
}

func afterDelete(n, pct int) map[uint64]uint64 {
	ks := keys(n, 1)
	m := make(map[uint64]uint64)
	for i, k := range ks {
		m[k] = uint64(i)
	}
	for _, k := range ks[:n*pct/100] {
		delete(m, k)
	}
	return m
}

func copyMap(m map[uint64]uint64) map[uint64]uint64 {
	c := make(map[uint64]uint64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func shapedRange(b *testing.B, n int, build func() map[uint64]uint64) {
	runsAt(b, "MAPBENCH_GO_SHAPED_SIZES", n, shapedMaxN)
	m := build()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += rangeSum(m)
	}
	b.ReportMetric(float64(len(m)), "entries/op")
}

// loadEntries: the entry count of a load shape. Classic maps grow when an insert would
// pass 6.5 * 2^B entries (9 for B = 0); the Swiss count comes from MAPBENCH_GO_LOAD
// ("n:after:before,..."), or is the single-table rule (7/8 of a power-of-two capacity).
func loadEntries(n int, before bool) int {
	for _, field := range strings.Split(os.Getenv("MAPBENCH_GO_LOAD"), ",") {
		parts := strings.Split(field, ":")
		if len(parts) == 3 && parts[0] == strconv.Itoa(n) && swissMap() {
			i := 1
			if before {
				i = 2
			}
			v, _ := strconv.Atoi(parts[i])
			return v
		}
	}
	after, grow := 1, 9 // the count after each grow, the count that grows next
	if swissMap() {
		// one table: the small group (8 slots) grows at the 9th entry, a table of c slots
		// at 7c/8 + 1 (past 1024 slots tables split one at a time: use MAPBENCH_GO_LOAD)
		for c := 16; grow <= n; c *= 2 {
			after, grow = grow, 7*c/8+1
		}
	} else {
		for b := uint(1); 13<<b/2+1 <= n; b++ {
			after = 13<<b/2 + 1
		}
		if after == 1 && n >= 9 {
			after = 9
		}
		grow = 13<<(bitsFor(n))/2 + 1
	}
	if before {
		return grow - 1
	}
	return after
}

// bitsFor: the B of a classic map of n entries grown from empty.
func bitsFor(n int) uint {
	b := uint(0)
	for n > 8 && n > 13<<b/2 {
		b++
	}
	return b
}

func init() {
	for _, per := range []int{1, 2, 4, 8} {
		families = append(families, family{fmt.Sprintf("iterate-inserting/per=%d", per), inserting(per)})
	}
	for _, pct := range []int{50, 90, 99} {
		pct := pct
		families = append(families,
			family{fmt.Sprintf("iterate-after-delete/deleted=%d", pct), func(b *testing.B, n int) {
				shapedRange(b, n, func() map[uint64]uint64 { return afterDelete(n, pct) })
			}},
			family{fmt.Sprintf("iterate-after-delete/deleted=%d/copied", pct), func(b *testing.B, n int) {
				shapedRange(b, n, func() map[uint64]uint64 { return copyMap(afterDelete(n, pct)) })
			}})
		otherFamilies = append(otherFamilies, family{fmt.Sprintf("copy-after-delete/deleted=%d", pct),
			func(b *testing.B, n int) {
				runsAt(b, "MAPBENCH_GO_SHAPED_SIZES", n, shapedMaxN)
				m := afterDelete(n, pct)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					sink += uint64(len(copyMap(m)))
				}
				b.ReportMetric(float64(len(m)), "entries/op")
			}})
	}
	for _, fill := range []string{"after-grow", "before-grow"} {
		before := fill == "before-grow"
		families = append(families, family{"iterate-load/fill=" + fill, func(b *testing.B, n int) {
			shapedRange(b, n, func() map[uint64]uint64 {
				m := make(map[uint64]uint64)
				ks := keys(loadEntries(n, before), 1)
				for i, k := range ks {
					m[k] = uint64(i)
				}
				// A classic grow evacuates two old buckets per write: writing an existing
				// key len(m) times finishes it, as the C kernel does (iterate-growing asks
				// about a grow in progress). A Swiss map has nothing left to do.
				for range ks {
					m[ks[0]] = 0
				}
				return m
			})
		}})
	}
}
