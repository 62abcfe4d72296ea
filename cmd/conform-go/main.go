// Command conform-go is the suite's own implementation of the conformance protocol
// (conform/PROTOCOL.md), answering every op with theory/ and numeric/: the program the runner
// must pass.
//
//	go run ./cmd/verify conform -- go run ./cmd/conform-go
package main

import (
	"fmt"
	"os"

	"github.com/dlt5/verify/conform/gotestee"
)

func main() {
	if err := gotestee.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "conform-go:", err)
		os.Exit(1)
	}
}
