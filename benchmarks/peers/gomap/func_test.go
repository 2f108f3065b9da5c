//go:build go1.23

// iterate-func: range over maps.All(m), the range-over-func form of Go 1.23+. The build
// constraint keeps this file out of older toolchains (and sets its language version).
package gomap

import (
	"maps"
	"testing"
)

func init() {
	families = append(families, family{"iterate-func", func(b *testing.B, n int) {
		m := mapOf(n)
		b.ReportAllocs()
		b.ResetTimer()
		var sum uint64
		for i := 0; i < b.N; i++ {
			for k, v := range maps.All(m) {
				sum += fold(k, v)
			}
		}
		sink = sum
	}})
}
