// Package gomap measures Go's own map[uint64]uint64 next to mapbench's C map.
//
// The questions the pyperf suite asks, asked of the real thing, with any Go toolchain
// from 1.19 (the classic bucket map, up to 1.23) to today's (the Swiss table, 1.24+).
// One benchmark, BenchmarkMap, whose sub-benchmarks are named like the suite's:
//
//	iterate/n=N          for k, v := range m, folded into a checksum (op = 1 traversal)
//	iterinit/n=N         for k, v := range m { ...; break } (op = 1 iterator set-up)
//	iterate-growing/n=N  range over a map filled just past a classic grow trigger (see growFill)
//	iterate-heap/n=N     reflect.Value.MapRange(): a heap-allocated iterator per traversal,
//	                     the real-Go counterpart of the article's new(hiter)
//	iterate-pool/n=N     a *reflect.MapIter from a sync.Pool, Reset for each traversal
//	iterate-func/n=N     range over maps.All(m) (range-over-func; func_test.go, Go 1.23+)
//	insert/hint=H/n=N    n inserts into make(map, 0) or make(map, n) (op = n inserts)
//	lookup/hit|miss/n=N  n lookups of present / absent keys (op = n lookups)
//	delete/n=N           n deletes from a full map built outside the timer (op = n deletes)
//
// Sizes come from MAPBENCH_GO_SIZES (comma-separated). ns per element = ns/op / n (the
// suite divides); iterate-growing reports its real entry count as "entries/op".
// Keys are a splitmix64 stream like the C map's; maps for read-only families are built
// once per size, outside the timer. The fresh-map families (insert, delete) stop at
// freshMaxN entries: a fresh 2^22-entry Go map costs about 1.4 s per op here.
package gomap

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var sink uint64

// freshMaxN bounds the families that build a fresh map for every op.
const freshMaxN = 1 << 18

func splitmix64(state *uint64) uint64 {
	*state += 0x9E3779B97F4A7C15
	z := *state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// fold is the C kernels' checksum step (native/src/classic/kernels.c).
func fold(k, v uint64) uint64 { return k*0x9e3779b97f4a7c15 + v }

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

// growFill is the entry count at which a classic map (Go <= 1.23) grown from empty starts
// its last grow before n entries: an insert that would pass 6.5 * 2^B entries doubles the
// bucket array and evacuates only one or two old buckets; a range never evacuates, so the
// grow stays in progress and every traversal walks old and new buckets (runtime/map.go
// mapiternext). Swiss maps (Go 1.24+) grow a table all at once: at this fill nothing is
// in progress, and the number is a plain range over a map of growFill(n) entries.
func growFill(n int) int {
	fill := 9 // the 9th entry grows a 1-bucket map (8 slots)
	for b := uint(1); 13<<b/2+1 <= n; b++ {
		fill = 13<<b/2 + 1
	}
	return fill
}

var growing = map[int]map[uint64]uint64{}

func growingMapOf(n int) (map[uint64]uint64, int) {
	fill := growFill(n)
	if m, ok := growing[n]; ok {
		return m, fill
	}
	m := make(map[uint64]uint64)
	for i, k := range keys(fill, 1) {
		m[k] = uint64(i)
	}
	growing[n] = m
	return m, fill
}

func rangeSum(m map[uint64]uint64) uint64 {
	var sum uint64
	for k, v := range m {
		sum += fold(k, v)
	}
	return sum
}

// uint64Values are reusable reflect.Values that SetIterKey/SetIterValue fill without
// allocating, so iterate-heap and iterate-pool count only the iterator's own allocation.
func uint64Values() (reflect.Value, reflect.Value) {
	t := reflect.TypeOf(uint64(0))
	return reflect.New(t).Elem(), reflect.New(t).Elem()
}

func reflectSum(it *reflect.MapIter, k, v reflect.Value) uint64 {
	var sum uint64
	for it.Next() {
		k.SetIterKey(it)
		v.SetIterValue(it)
		sum += fold(k.Uint(), v.Uint())
	}
	return sum
}

// heapIter returns a fresh *reflect.MapIter from a function the compiler may not inline:
// the iterator escapes, so it is allocated on the heap for every traversal, as the
// article's new(hiter) is (inlined, MapRange's iterator would stay on the stack).
//
//go:noinline
func heapIter(mv reflect.Value) *reflect.MapIter { return mv.MapRange() }

var iterPool = sync.Pool{New: func() any { return new(reflect.MapIter) }}

// family is one sub-benchmark family: run measures one size.
type family struct {
	name string
	run  func(b *testing.B, n int)
}

// families in run order; func_test.go appends iterate-func where the toolchain has it.
var families = []family{
	{"iterate", func(b *testing.B, n int) {
		m := mapOf(n)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink += rangeSum(m)
		}
	}},
	{"iterinit", func(b *testing.B, n int) {
		m := mapOf(n)
		b.ReportAllocs()
		b.ResetTimer()
		var sum uint64
		for i := 0; i < b.N; i++ {
			for k, v := range m {
				sum += fold(k, v)
				break
			}
		}
		sink = sum
	}},
	{"iterate-growing", func(b *testing.B, n int) {
		m, fill := growingMapOf(n)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink += rangeSum(m)
		}
		b.ReportMetric(float64(fill), "entries/op")
	}},
	{"iterate-heap", func(b *testing.B, n int) {
		mv := reflect.ValueOf(mapOf(n))
		k, v := uint64Values()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink += reflectSum(heapIter(mv), k, v)
		}
	}},
	{"iterate-pool", func(b *testing.B, n int) {
		mv := reflect.ValueOf(mapOf(n))
		k, v := uint64Values()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			it := iterPool.Get().(*reflect.MapIter)
			it.Reset(mv)
			sink += reflectSum(it, k, v)
			it.Reset(reflect.Value{}) // drop the map reference before pooling
			iterPool.Put(it)
		}
	}},
}

var otherFamilies = []family{
	{"insert/hint=0", func(b *testing.B, n int) { insert(b, n, 0) }},
	{"insert/hint=1", func(b *testing.B, n int) { insert(b, n, n) }},
	{"lookup/hit", func(b *testing.B, n int) { lookup(b, n, 1) }},  // the map's own keys
	{"lookup/miss", func(b *testing.B, n int) { lookup(b, n, 3) }}, // another stream: absent
	{"delete", func(b *testing.B, n int) {
		ks := freshKeys(b, n)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			m := make(map[uint64]uint64)
			for j, k := range ks {
				m[k] = uint64(j)
			}
			b.StartTimer()
			for _, k := range ks {
				delete(m, k)
			}
			sink += uint64(len(m))
		}
	}},
}

// freshKeys: the n keys a family that builds a fresh map for every op inserts; such a
// family is skipped above freshMaxN.
func freshKeys(b *testing.B, n int) []uint64 {
	if n > freshMaxN {
		b.Skipf("n > %d: a fresh map per op is too slow for the quick pass", freshMaxN)
	}
	return keys(n, 2)
}

func insert(b *testing.B, n, hint int) {
	ks := freshKeys(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := make(map[uint64]uint64, hint)
		for j, k := range ks {
			m[k] = uint64(j)
		}
		sink += uint64(len(m))
	}
}

func lookup(b *testing.B, n int, seed uint64) {
	m := mapOf(n)
	probe := keys(n, seed)
	b.ReportAllocs()
	b.ResetTimer()
	var sum uint64
	for i := 0; i < b.N; i++ {
		for _, k := range probe {
			sum += m[k]
		}
	}
	sink = sum
}

func BenchmarkMap(b *testing.B) {
	ns := sizes(b)
	for _, f := range append(append([]family{}, families...), otherFamilies...) {
		f := f
		b.Run(f.name, func(b *testing.B) {
			for _, n := range ns {
				n := n
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { f.run(b, n) })
			}
		})
	}
}
