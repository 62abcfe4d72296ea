package props

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/dlt5/verify/props/claim"
)

// TestRegistry: every paper's claims are registered, numbered from 1 without gaps, and in natural
// order.
func TestRegistry(t *testing.T) {
	t.Parallel()
	want := map[string]int{"kernel": 7, "rbp": 9, "dae": 9, "meanfield": 8, "cnnbound": 7}
	got := map[string]int{}
	var prev claim.Claim
	for _, c := range claim.Claims() {
		got[c.Paper]++
		if prev.Paper == c.Paper && !claim.IDLess(prev.ID, c.ID) {
			t.Errorf("%s listed after %s", c.ID, prev.ID)
		}
		prev = c
	}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("paper %s has %d claims registered, want %d", p, got[p], n)
		}
	}
	// No gap in the numbering: each paper's claims are PREFIX-1 .. PREFIX-n, so a renamed or
	// dropped claim cannot hide behind the count.
	for _, p := range claim.Papers() {
		for i := 1; i <= want[p.Key]; i++ {
			id := fmt.Sprintf("%s-%d", p.Prefix, i)
			if c, ok := claim.Lookup(id); !ok || c.Paper != p.Key {
				t.Errorf("paper %s has no claim %s", p.Key, id)
			}
		}
	}
	if len(got) != len(want) || len(claim.Papers()) != len(want) {
		t.Errorf("claims registered for papers %v (%d papers registered), want exactly %v", got, len(claim.Papers()), want)
	}
}

// TestControls runs every registered claim's negative controls at go test's size (claim.Quick):
// each returns at least one row, and every row is rejected by its check (not by an error, a skip
// or a NaN statistic). The command runs the same controls at claim.Full. Not under -short.
func TestControls(t *testing.T) {
	skipHeavy(t)
	for _, c := range claim.Claims() {
		t.Run(c.ID, func(t *testing.T) {
			if !c.Alone { // a claim that measures the whole process runs before the others start
				t.Parallel()
			}
			if c.Control == nil {
				t.Fatalf("%s registers no control", c.ID)
			}
			rows := c.Control(1, claim.Quick) // seed 1, as TestDAE9: the real-data run is shared
			if len(rows) == 0 {
				t.Fatalf("%s's control returned no row", c.ID)
			}
			if allSkipped(rows) && !dataRequired() {
				t.Skipf("%s's control did not run: %s", c.ID, skipReason(rows))
			}
			for _, r := range rows {
				if !r.Rejected() {
					t.Errorf("%s control not rejected: %s", c.ID, r)
				}
			}
		})
	}
}

// TestCatalogue holds CLAIMS.md to the registry (-update rewrites it, with the golden files).
func TestCatalogue(t *testing.T) {
	t.Parallel()
	md := claim.Catalogue(claim.Papers(), claim.Claims())
	const path = "../CLAIMS.md"
	if *update {
		if err := claim.WriteFileAtomic(path, md); err != nil {
			t.Fatal(err)
		}
		return
	}
	stored, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(stored, md) {
		t.Fatalf("CLAIMS.md is not the registry's catalogue (%v); regenerate with: make golden", err)
	}
	for _, c := range claim.Claims() {
		if !strings.Contains(string(md), "### "+c.ID+"\n") {
			t.Errorf("CLAIMS.md lacks %s", c.ID)
		}
	}
}

// checkFigure holds every simulated point that has a closed form to it at the budget's critical
// value of a t with 15 degrees of freedom (|Y - Expect| <= t SE, counted as comparisons), and checks the figure's shape: a title, a
// file, series of matching lengths, error bars on every Monte-Carlo point, positive values on a
// log axis.
func checkFigure(t *testing.T, f claim.Figure) {
	t.Helper()
	if f.Title == "" || f.File == "" || f.Caption == "" || len(f.Series) == 0 {
		t.Fatalf("figure %q lacks a title, file, caption or series", f.File)
	}
	// Figure points are means over networks or batches with at least 15 degrees of freedom (the
	// house's 16 batches): the t quantile at 15, not the normal z, is the budget's critical value.
	crit := claim.Critical(15)
	for _, s := range f.Series {
		if len(s.X) != len(s.Y) || (s.SE != nil && len(s.SE) != len(s.X)) || (s.Expect != nil && len(s.Expect) != len(s.X)) {
			t.Fatalf("%s / %s: lengths X %d, Y %d, SE %d, Expect %d", f.File, s.Name, len(s.X), len(s.Y), len(s.SE), len(s.Expect))
		}
		for i := range s.X {
			if (f.LogX && !(s.X[i] > 0)) || (f.LogY && !(s.Y[i] > 0)) || math.IsNaN(s.Y[i]) {
				t.Errorf("%s / %s: point (%v, %v) cannot be drawn on its axes", f.File, s.Name, s.X[i], s.Y[i])
			}
			if s.Expect == nil {
				continue
			}
			if s.SE == nil {
				t.Fatalf("%s / %s: simulated points without error bars", f.File, s.Name)
			}
			claim.Count(1)
			if d := math.Abs(s.Y[i] - s.Expect[i]); !(d <= crit*s.SE[i]+1e-12*math.Abs(s.Expect[i])) {
				t.Errorf("%s / %s: point %d at x = %.4g is %.3g from its curve (SE %.3g, bound %.3g SE)", f.File, s.Name, i, s.X[i], d, s.SE[i], crit)
			}
		}
	}
}

// allSkipped reports whether every row was skipped (a data set that is absent and not required).
func allSkipped(rows []claim.Result) bool {
	for _, r := range rows {
		if !r.Skipped() {
			return false
		}
	}
	return len(rows) > 0
}

// skipReason is the reason the first skipped row gives.
func skipReason(rows []claim.Result) string {
	for _, r := range rows {
		if r.Skipped() {
			return r.Skip
		}
	}
	return ""
}
