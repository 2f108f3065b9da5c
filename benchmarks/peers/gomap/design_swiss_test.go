//go:build go1.24

package gomap

import (
	"os"
	"strings"
)

// swissMap: whether this toolchain's map is the Swiss table (Go 1.24+, unless GOEXPERIMENT=noswissmap).
func swissMap() bool { return !strings.Contains(os.Getenv("GOEXPERIMENT"), "noswissmap") }
