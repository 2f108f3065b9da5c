// Package gomap measures Go's own map[uint64]uint64 next to mapbench's C map.
//
// The same questions the pyperf suite asks, asked of the real thing (Debian's
// golang-go, go1.19): `for k, v := range m` over maps of n entries, the iterator
// set-up alone (`for k := range m { break }`: zeroing the hiter, mapiterinit, one
// mapiternext; one op per init, as iterinit/... in the suite), inserting n keys
// into a fresh map, and n lookups that hit or miss. Sizes come from MAPBENCH_GO_SIZES
// (comma-separated, default the quick sizes). Each op is one full traversal / n inserts /
// n lookups, so ns per element = ns/op / n (computed by benchmarks/gopeers.py).
// Keys are a splitmix64 stream, like the C map's fill(); maps are built once per size,
// outside the timer. Insert stops at insertMaxN entries.
package gomap

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var sink uint64

func splitmix64(state *uint64) uint64 {
	*state += 0x9E3779B97F4A7C15
	z := *state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func sizes(b *testing.B) []int {
	spec := os.Getenv("MAPBENCH_GO_SIZES")
	if spec == "" {
		spec = "1024,16384,262144,4194304"
	}
	var out []int
	for _, field := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			b.Fatalf("MAPBENCH_GO_SIZES: bad size %q", field)
		}
		out = append(out, n)
	}
	return out
}

func keys(n int, seed uint64) []uint64 {
	ks := make([]uint64, n)
	for i := range ks {
		ks[i] = splitmix64(&seed)
	}
	return ks
}

var built = map[int]map[uint64]uint64{}

func mapOf(n int) map[uint64]uint64 {
	if m, ok := built[n]; ok {
		return m
	}
	m := make(map[uint64]uint64)
	for i, k := range keys(n, 1) {
		m[k] = uint64(i)
	}
	built[n] = m
	return m
}

func BenchmarkRange(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			m := mapOf(n)
			b.ReportAllocs()
			b.ResetTimer()
			var sum uint64
			for i := 0; i < b.N; i++ {
				for k, v := range m {
					sum += k ^ v
				}
			}
			sink = sum
		})
	}
}

// BenchmarkRangeBreak: the article's subject, what starting an iteration costs. One op
// is one `for k := range m { break }` (ns/op is ns per init, not per element).
func BenchmarkRangeBreak(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			m := mapOf(n)
			b.ReportAllocs()
			b.ResetTimer()
			var sum uint64
			for i := 0; i < b.N; i++ {
				for k := range m {
					sum += k
					break
				}
			}
			sink = sum
		})
	}
}

// insertMaxN bounds BenchmarkInsert: a fresh 2^22-entry Go map costs about 1.4 s per op
// here (mostly GC), too much for the quick pass.
const insertMaxN = 1 << 18

func BenchmarkInsert(b *testing.B) {
	for _, n := range sizes(b) {
		if n > insertMaxN {
			continue
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ks := keys(n, 2)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := make(map[uint64]uint64)
				for j, k := range ks {
					m[k] = uint64(j)
				}
				sink += uint64(len(m))
			}
		})
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, kind := range []string{"hit", "miss"} {
		for _, n := range sizes(b) {
			b.Run(fmt.Sprintf("%s/n=%d", kind, n), func(b *testing.B) {
				m := mapOf(n)
				probe := keys(n, 1) // the map's own keys: every lookup hits
				if kind == "miss" {
					probe = keys(n, 3) // another stream: (almost surely) every lookup misses
				}
				b.ResetTimer()
				var sum uint64
				for i := 0; i < b.N; i++ {
					for _, k := range probe {
						sum += m[k]
					}
				}
				sink = sum
			})
		}
	}
}
