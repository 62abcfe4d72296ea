package props

import (
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dlt5/verify/props/claim"
	"pgregory.net/rapid"
)

var (
	update = flag.Bool("update", false, "rewrite golden/*.json and CLAIMS.md from the registry and theory/ instead of comparing")
	long   = flag.Bool("long", false, "run the heavy settings (wider networks, more samples)")
)

// TestMain enforces the false-alarm budget: a default run (rapid.checks = 100, not -long, not
// -short) must make at most claim.Comparisons statistical comparisons, or the z it uses is too
// small.
//
// Under -short, rapid draws 10 cases per property instead of 100 (unless -rapid.checks is given)
// and the fixed-seed simulations of seconds skip (skipHeavy): the developer's quick loop, not the gate.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() && !flagGiven("rapid.checks") {
		if err := flag.Set("rapid.checks", "10"); err != nil {
			fmt.Println("props:", err)
			os.Exit(2)
		}
	}
	code := m.Run()
	made := claim.Made()
	checks := flag.Lookup("rapid.checks")
	def := checks != nil && checks.Value.String() == "100" && !*long && !testing.Short()
	fmt.Printf("props: %d statistical comparisons (budget %d, z = %.3f)\n", made, claim.Comparisons, claim.Z())
	powers.print()
	if def && made > claim.Comparisons && code == 0 {
		fmt.Printf("props: FAIL: %d comparisons exceed the budget of %d; raise claim.Comparisons\n", made, claim.Comparisons)
		code = 1
	}
	os.Exit(code)
}

// flagGiven reports whether the named flag was set on the command line.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// skipHeavy skips t under -short: a fixed-seed simulation of seconds, which the full go test (the CI
// gate) runs.
func skipHeavy(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: a fixed-seed simulation of seconds; the full go test runs it")
	}
}

// simulates reports whether go test simulates this drawn case: about one in k, decided by a draw
// made after the case's own draws (rapid draws each case from its own seed), so the cases are the
// ones every run and the soak draw. rapid's integers lean towards 0: measured over 20,000 draws,
// k = 2, 4, 5 and 10 simulate 49%, 27%, 24% and 16% of the cases. For properties whose every case
// costs a simulation of a tenth of a second or more: it sets how many parameter points one go test
// explores (about 27 of the default 100 at k = 4: none with probability 0.73^100 = 2e-14;
// -rapid.checks explores more), not any simulated case's size or power. Under -short's 10 checks a
// property simulates none at k = 4 in 4% of runs (0.73^10): -short is the quick loop, the full go
// test is the gate.
func simulates(t *rapid.T, k int) bool {
	return rapid.IntRange(0, k-1).Draw(t, "simulate") == 0
}

// fataler is the part of *testing.T and *rapid.T a shared assertion needs.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// mustPass fails unless every result passed, and records the detectable errors of the passing
// Monte-Carlo rows (powers).
func mustPass(t fataler, rs ...claim.Result) {
	t.Helper()
	if len(rs) == 0 {
		t.Fatalf("a claim returned no result: nothing was checked")
	}
	for _, r := range rs {
		if !r.Pass {
			t.Fatalf("claim failed: %s", r)
		}
		powers.add(r)
	}
}

// powerLog collects, per claim and kind of check, the stated detectable errors (MDE) of the rows
// that passed, so that a default run prints the power it had. Only finite, positive MDEs count
// (deterministic checks state 0; an exact value of 0 gives +Inf).
type powerLog struct {
	mu   sync.Mutex
	mdes map[string][]float64
}

var powers = &powerLog{mdes: map[string][]float64{}}

// add records r under its claim ID (the Case's first word) and its kind (robust or not).
func (p *powerLog) add(r claim.Result) {
	if !(r.MDE > 0) || math.IsInf(r.MDE, 0) {
		return
	}
	key, _, _ := strings.Cut(r.Case, " ")
	if strings.Contains(r.Case, "(robust)") {
		key += " robust"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mdes[key] = append(p.mdes[key], r.MDE)
}

// print writes one line per claim: how many passing rows stated an MDE, and its median, 90th
// percentile and largest value (the largest belong to values near 0, where no relative error is
// small).
func (p *powerLog) print() {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(p.mdes))
	for k := range p.mdes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return claim.IDLess(keys[i], keys[j]) })
	for _, k := range keys {
		v := p.mdes[k]
		sort.Float64s(v)
		q := func(f float64) float64 { return 100 * v[int(f*float64(len(v)-1))] }
		fmt.Printf("props: detectable error %-12s %4d rows: median %.3g%%, 90%% %.3g%%, max %.3g%%\n", k, len(v), q(0.5), q(0.9), q(1))
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
		if !r.Rejected() {
			t.Fatalf("negative control failed by an error, a skip or a NaN statistic, not by the check: %s", r)
		}
	}
}

// mustDetect fails unless every Monte-Carlo row (MDE != 0) detects a relative error of at most
// limit: the power target of a property (a row that cannot reach it must not be drawn, or must say
// why in its own test).
func mustDetect(t fataler, limit float64, rs ...claim.Result) {
	t.Helper()
	for _, r := range rs {
		if r.MDE != 0 && !(r.MDE <= limit) {
			t.Fatalf("row detects only %.3g relative, target %.3g: %s", r.MDE, limit, r)
		}
	}
}
