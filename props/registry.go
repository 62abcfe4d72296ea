package props

import (
	"fmt"
	"sort"
	"sync"
)

// Result is the outcome of one check of a claim.
type Result struct {
	Case     string  // what was checked, in a few words (law, sizes, inputs)
	Measured float64 // the statistic: a z-score, a relative error, a ratio
	Bound    float64 // what Measured is held to
	Pass     bool    // the verdict
	Detail   string  // the numbers behind the verdict: estimate, exact value, SE, z, seed
}

// String renders the result as one line: verdict, case, measured against bound, and the detail.
func (r Result) String() string {
	v := "FAIL"
	if r.Pass {
		v = "PASS"
	}
	return fmt.Sprintf("%s %s: measured %.4g, bound %.4g; %s", v, r.Case, r.Measured, r.Bound, r.Detail)
}

// failed turns an error (bad parameters, a failed simulation) into a failing Result.
func failed(what string, err error) Result {
	return Result{Case: what, Measured: 0, Bound: 0, Pass: false, Detail: "error: " + err.Error()}
}

// Claim is one numbered claim of the catalogue.
type Claim struct {
	ID        string // "KER-1"
	Paper     string // "kernel", the catalogue file's name
	Statement string // the claim in a few words
	// Run checks the claim at the command's fixed settings; every Result must pass.
	Run func(seed uint64) []Result
	// Control runs the negative control at the same settings; every Result must fail.
	Control func(seed uint64) []Result
}

var (
	regMu    sync.Mutex
	registry = map[string]Claim{}
)

// Register adds a claim; it panics on a duplicate ID, which is a programming error caught at init.
func Register(c Claim) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[c.ID]; dup {
		panic("props: claim " + c.ID + " registered twice")
	}
	registry[c.ID] = c
}

// Claims returns the registered claims ordered by paper, then by ID number.
func Claims() []Claim {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]Claim, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Paper != out[j].Paper {
			return out[i].Paper < out[j].Paper
		}
		return idLess(out[i].ID, out[j].ID)
	})
	return out
}

// idLess orders "KER-2" before "KER-10".
func idLess(a, b string) bool {
	var pa, pb string
	var na, nb int
	fmt.Sscanf(a, "%3s-%d", &pa, &na)
	fmt.Sscanf(b, "%3s-%d", &pb, &nb)
	if pa != pb || na == nb {
		return a < b
	}
	return na < nb
}
