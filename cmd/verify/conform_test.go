package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestConformSubcommand: `verify conform` reaches the conformance runner (conform.Main).
func TestConformSubcommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"conform", "-list"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "rbp.neumann/tbptt") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := run([]string{"conform"}, &out, &errOut); code != 2 {
		t.Errorf("conform without a program: exit %d, want 2", code)
	}
}
