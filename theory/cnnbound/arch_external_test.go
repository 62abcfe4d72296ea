package cnnbound_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// TestCatalogueValues holds the numbers the catalogue states: A1's theta and d (5951 and 11720),
// A1's theta at k = 3, 5, 7, 9 (6887, 5951, 5127, 4415: theta falls as k grows), theta = 11902
// with a_1 = 8 and a_{l+1} = 10 (above d), and B(1e4) > 1 for A1.
func TestCatalogueValues(t *testing.T) {
	a, err := cnnbound.Reference("A1")
	if err != nil {
		t.Fatal(err)
	}
	th, err1 := a.Theta()
	d, err2 := a.Params()
	b, err3 := a.Bound(1e4, 0.05)
	if err1 != nil || err2 != nil || err3 != nil || th != 5951 || d != 11720 || !(b > 1) {
		t.Fatalf("A1: theta %v, d %v, B(1e4) %v (%v %v %v)", th, d, b, err1, err2, err3)
	}
	for i, k := range []int{3, 5, 7, 9} {
		a.Layers[0].K = k
		if th, err := a.Theta(); err != nil || th != []float64{6887, 5951, 5127, 4415}[i] {
			t.Errorf("A1 at k = %d: theta %v (%v)", k, th, err)
		}
	}
	a, _ = cnnbound.Reference("A1")
	a.Layers[0].A, a.OutA = 8, 10
	if th, err := a.Theta(); err != nil || th != 11902 {
		t.Errorf("A1 with a = 8, 10: theta %v (%v), want 11902", th, err)
	}
	if _, err := cnnbound.Reference("A4"); err == nil {
		t.Error("an unknown reference architecture was accepted")
	}
}

// TestSizesAgainstCounting: the size recursion equals counting the positions a k x k window with
// stride s takes in the input (a loop, independent of the formula), over drawn valid layers.
func TestSizesAgainstCounting(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := rapid.IntRange(1, 3).Draw(t, "p")
		k := rapid.IntRange(1, 6).Draw(t, "k")
		s := rapid.IntRange(1, k).Draw(t, "s")
		positions := p * rapid.IntRange(1, 6).Draw(t, "pooled")
		in := k + s*(positions-1)
		a := cnnbound.Arch{R0: in, C0: in, D0: 2, P: p, Layers: []cnnbound.Layer{{K: k, S: s, D: 3, A: 1, B: 1}}, Out: 4, OutA: 1, OutB: 1}
		conv, pooled, err := a.Sizes()
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for start := 0; start+k <= in; start += s {
			count++
		}
		if conv[0].R != count || pooled[0].R != count/p || pooled[0].D != 3 {
			t.Fatalf("conv %v pooled %v, counted %d positions", conv, pooled, count)
		}
	})
}

// TestInvalid: every invalid architecture and argument is an error naming the problem.
func TestInvalid(t *testing.T) {
	base := func() cnnbound.Arch { a, _ := cnnbound.Reference("A2"); return a }
	// Each error names what is wrong and, for a layer, which (counted from 1).
	cases := map[string]func(a *cnnbound.Arch){
		"layer 2: kernel":  func(a *cnnbound.Arch) { a.Layers[1].K = 13 },
		"layer 1: stride":  func(a *cnnbound.Arch) { a.Layers[0].S = 4; a.Layers[0].K = 6 },
		"layer 1: pooling": func(a *cnnbound.Arch) { a.P = 5 },
		"layer 2: kernel 1 smaller than its stride": func(a *cnnbound.Arch) {
			a.Layers[1].K, a.Layers[1].S = 1, 2
		},
		"layer 1: k = 5, s = 1, d = 0": func(a *cnnbound.Arch) { a.Layers[0].D = 0 },
		"layer 2: norm bound":          func(a *cnnbound.Arch) { a.Layers[1].B = 0 },
		"layer 1: a size or count above": func(a *cnnbound.Arch) {
			a.Layers[0].A = 5000
		},
		"output norm": func(a *cnnbound.Arch) {
			a.OutB = math.NaN()
		},
		"output norm bound b = 0": func(a *cnnbound.Arch) { a.OutB = 0 },
		"at least one":            func(a *cnnbound.Arch) { a.Layers = nil },
	}
	for says, mutate := range cases {
		a := base()
		mutate(&a)
		if err := a.Validate(); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%q: error %v", says, err)
		}
	}
	a := base()
	for _, c := range [][2]float64{{0, 0.05}, {-1, 0.05}, {math.Inf(1), 0.05}, {1e4, 0}, {1e4, 1}} {
		if _, err := a.Bound(c[0], c[1]); err == nil {
			t.Errorf("Bound(%v, %v) accepted", c[0], c[1])
		}
	}
	if _, err := a.Bound(1, 0.05); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("Bound at n = 1 (theta varrho + ln(4/eps) < 0): %v", err)
	}
	if _, err := a.GradBound(1e4, 0.05, 0); err == nil {
		t.Error("GradBound with c_g = 0 accepted")
	}
	if _, err := a.StationaryDistance(1e4, 0.05, 12, 0); err == nil || !strings.Contains(err.Error(), "non-degeneracy") {
		t.Error("StationaryDistance with zeta = 0 accepted")
	}
	if _, err := a.SunRademacher(1e4, 0, 1); err == nil {
		t.Error("SunRademacher with bx = 0 accepted")
	}
}
