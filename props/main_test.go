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
	powers.print()
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

// powerLog collects, per claim and kind of check, the range of the stated detectable errors (MDE)
// of the rows that passed, so that a default run prints the power it had. Only finite, positive
// MDEs count (deterministic checks state 0; an exact value of 0 gives +Inf).
type powerLog struct {
	mu     sync.Mutex
	ranges map[string][2]float64
	counts map[string]int
}

var powers = &powerLog{ranges: map[string][2]float64{}, counts: map[string]int{}}

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
	rg, ok := p.ranges[key]
	if !ok {
		rg = [2]float64{math.Inf(1), 0}
	}
	p.ranges[key] = [2]float64{math.Min(rg[0], r.MDE), math.Max(rg[1], r.MDE)}
	p.counts[key]++
}

// print writes one line per claim: how many passing rows stated an MDE, and its range.
func (p *powerLog) print() {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(p.ranges))
	for k := range p.ranges {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return claim.IDLess(keys[i], keys[j]) })
	for _, k := range keys {
		fmt.Printf("props: detectable error %-11s %5d rows, %.3g%% .. %.3g%%\n", k, p.counts[k], 100*p.ranges[k][0], 100*p.ranges[k][1])
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
