package props

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/dlt5/verify/props/claim"
)

var (
	update = flag.Bool("update", false, "rewrite golden/*.json and CLAIMS.md from the registry and theory/ instead of comparing")
	long   = flag.Bool("long", false, "run the heavy settings (wider networks, more samples)")
)

// TestMain enforces the false-alarm budget: a default run (rapid.checks = 100, not -long, not
// -short) must make at most claim.Comparisons statistical comparisons, or the z it uses is too
// small.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	made := claim.Made()
	checks := flag.Lookup("rapid.checks")
	def := checks != nil && checks.Value.String() == "100" && !*long && !testing.Short()
	fmt.Printf("props: %d statistical comparisons (budget %d, z = %.3f)\n", made, claim.Comparisons, claim.Z())
	if def && made > claim.Comparisons && code == 0 {
		fmt.Printf("props: FAIL: %d comparisons exceed the budget of %d; raise claim.Comparisons\n", made, claim.Comparisons)
		code = 1
	}
	os.Exit(code)
}

// fataler is the part of *testing.T and *rapid.T a shared assertion needs.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// mustPass fails unless every result passed.
func mustPass(t fataler, rs ...claim.Result) {
	t.Helper()
	if len(rs) == 0 {
		t.Fatalf("a claim returned no result: nothing was checked")
	}
	for _, r := range rs {
		if !r.Pass {
			t.Fatalf("claim failed: %s", r)
		}
	}
}

// mustReject fails unless every result failed its check: a negative control the check must reject
// (an error or a skip is not a rejection).
func mustReject(t fataler, rs ...claim.Result) {
	t.Helper()
	if len(rs) == 0 {
		t.Fatalf("a negative control returned no result")
	}
	for _, r := range rs {
		if r.Pass {
			t.Fatalf("negative control accepted (the check cannot see this error): %s", r)
		}
		if r.IsError() || r.Skipped() {
			t.Fatalf("negative control failed by an error or a skip, not by the check: %s", r)
		}
	}
}
