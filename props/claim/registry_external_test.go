package claim_test

import (
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/dlt5/verify/props/claim"
	"pgregory.net/rapid"
)

func TestIDLess(t *testing.T) {
	ordered := []string{"CNN-1", "CNN-2", "CNN-9", "CNN-10", "CNN-100", "KER-1", "KER-2", "MF-2", "MF-10", "RBP-1", "X-1a", "X-1b"}
	shuffled := append([]string(nil), ordered...)
	sort.Slice(shuffled, func(i, j int) bool { return shuffled[i] > shuffled[j] })
	sort.Slice(shuffled, func(i, j int) bool { return claim.IDLess(shuffled[i], shuffled[j]) })
	if strings.Join(shuffled, " ") != strings.Join(ordered, " ") {
		t.Fatalf("natural order %v, want %v", shuffled, ordered)
	}
}

// TestIDLessIsAnOrder: irreflexive, antisymmetric and numeric on generated IDs.
func TestIDLessIsAnOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prefix := rapid.StringMatching(`[A-Z]{1,4}`).Draw(t, "prefix")
		a, b := rapid.IntRange(0, 100000).Draw(t, "a"), rapid.IntRange(0, 100000).Draw(t, "b")
		ia, ib := prefix+"-"+itoa(a), prefix+"-"+itoa(b)
		if claim.IDLess(ia, ia) {
			t.Fatalf("%s < itself", ia)
		}
		if claim.IDLess(ia, ib) != (a < b) {
			t.Fatalf("IDLess(%s, %s) = %v", ia, ib, claim.IDLess(ia, ib))
		}
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var s []byte
	for ; n > 0; n /= 10 {
		s = append([]byte{byte('0' + n%10)}, s...)
	}
	return string(s)
}

// TestRegisterRejects: malformed registrations panic at init rather than run half-described.
func TestRegisterRejects(t *testing.T) {
	claim.RegisterPaper(claim.Paper{Key: "zz-test", Prefix: "ZZT", Citation: "test", Summary: "test"})
	ok := claim.Claim{ID: "ZZT-1", Paper: "zz-test", Statement: "s", Source: "src", Conditions: "c",
		Run: func(uint64) claim.Outcome { return claim.Outcome{} }, Control: func(uint64, claim.Size) []claim.Result { return nil }}
	for name, c := range map[string]claim.Claim{
		"unknown paper":  func() claim.Claim { c := ok; c.Paper = "nope"; return c }(),
		"wrong prefix":   func() claim.Claim { c := ok; c.ID = "KER-99"; return c }(),
		"no control":     func() claim.Claim { c := ok; c.Control = nil; return c }(),
		"no source":      func() claim.Claim { c := ok; c.Source = ""; return c }(),
		"finding twice":  func() claim.Claim { c := ok; c.Findings = []claim.Finding{{"f", "x"}, {"f", "y"}}; return c }(),
		"finding no say": func() claim.Claim { c := ok; c.Findings = []claim.Finding{{"f", ""}}; return c }(),
		"negative time":  func() claim.Claim { c := ok; c.Seconds = -1; return c }(),
		"NaN time":       func() claim.Claim { c := ok; c.Seconds = math.NaN(); return c }(),
		"infinite time":  func() claim.Claim { c := ok; c.Seconds = math.Inf(1); return c }(),
	} {
		if !panics(func() { claim.Register(c) }) {
			t.Errorf("%s: registered without a panic", name)
		}
	}
	claim.Register(ok)
	if !panics(func() { claim.Register(ok) }) {
		t.Error("a duplicate ID registered without a panic")
	}
	if c, found := claim.Lookup("zzt-1"); !found || c.ID != "ZZT-1" {
		t.Errorf("Lookup is not case-insensitive: %v %v", c.ID, found)
	}
	md := string(claim.Catalogue(claim.Papers(), claim.Claims()))
	for _, want := range []string{"### ZZT-1", "- Source: src", "- Conditions: c", "(`zz-test`, ZZT-n)"} {
		if !strings.Contains(md, want) {
			t.Errorf("catalogue lacks %q:\n%s", want, md)
		}
	}
}

func panics(f func()) (p bool) {
	defer func() { p = recover() != nil }()
	f()
	return false
}
