//go:build !go1.24

package gomap

// swissMap: whether this toolchain's map is the Swiss table (Go 1.24+; GOEXPERIMENT=noswissmap aside).
func swissMap() bool { return false }
