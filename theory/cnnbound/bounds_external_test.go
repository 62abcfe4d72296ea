package cnnbound_test

import (
	"testing"

	"github.com/dlt5/verify/theory/cnnbound"
)

// base1x1 is a valid architecture of one 1 x 1 layer, pooling 1: every count can be moved alone.
func base1x1() cnnbound.Arch {
	return cnnbound.Arch{Name: "1x1", R0: 4, C0: 4, D0: 1, P: 1, Layers: []cnnbound.Layer{{K: 1, S: 1, D: 1, A: 1, B: 1}}, Out: 1, OutA: 1, OutB: 1}
}

// TestCountBoundaries: every count is accepted at 1 and at the cap 4096 and rejected at 0 and
// 4097 (the exact boundaries of the validation).
func TestCountBoundaries(t *testing.T) {
	const top = 4096
	set := map[string]func(a *cnnbound.Arch, v int){
		"R0":   func(a *cnnbound.Arch, v int) { a.R0 = v },
		"C0":   func(a *cnnbound.Arch, v int) { a.C0 = v },
		"D0":   func(a *cnnbound.Arch, v int) { a.D0 = v },
		"Out":  func(a *cnnbound.Arch, v int) { a.Out = v },
		"OutA": func(a *cnnbound.Arch, v int) { a.OutA = v },
		"D":    func(a *cnnbound.Arch, v int) { a.Layers[0].D = v },
		"A":    func(a *cnnbound.Arch, v int) { a.Layers[0].A = v },
		// K, S and P need the sizes to fit: a K x K kernel with stride S on a K x K input, pooling
		// P on an input whose 1 x 1 conv output is P x P.
		"K": func(a *cnnbound.Arch, v int) { a.Layers[0].K, a.Layers[0].S, a.R0, a.C0 = v, 1, max(v, 1), max(v, 1) },
		"S": func(a *cnnbound.Arch, v int) { a.Layers[0].K, a.Layers[0].S, a.R0, a.C0 = top, v, top, top },
		"P": func(a *cnnbound.Arch, v int) { a.P, a.R0, a.C0 = v, max(v, 1), max(v, 1) },
	}
	for name, f := range set {
		for _, c := range []struct {
			v  int
			ok bool
		}{{1, true}, {top, true}, {0, false}, {top + 1, false}} {
			a := base1x1()
			f(&a, c.v)
			if err := a.Validate(); (err == nil) != c.ok {
				t.Errorf("%s = %d: error %v, want valid %v", name, c.v, err, c.ok)
			}
		}
	}
	a := base1x1()
	for len(a.Layers) < top+1 {
		a.Layers = append(a.Layers, a.Layers[0])
	}
	if err := a.Validate(); err == nil {
		t.Error("4097 layers accepted")
	}
	if err := (cnnbound.Arch{Layers: a.Layers[:top], R0: 4, C0: 4, D0: 1, P: 1, Out: 1, OutA: 1, OutB: 1}).Validate(); err != nil {
		t.Errorf("4096 layers rejected: %v", err)
	}
	if _, err := base1x1().Varrho(0); err == nil {
		t.Error("Varrho at n = 0 accepted")
	}
}

// TestA2ByHand: A2's theta and d from the catalogue's formulas written out (conv 24, pooled 12,
// conv 10, pooled 5): theta = 5 (10 + 5*5*16 + 1) + 4 (25 + 8 + 1) + 8 (9*8 + 16 + 1) and
// d = 5*5*16*10 + 25*8 + 9*8*16.
func TestA2ByHand(t *testing.T) {
	a, _ := cnnbound.Reference("A2")
	th, err1 := a.Theta()
	d, err2 := a.Params()
	if err1 != nil || err2 != nil || th != 5*(10+400+1)+4*(25+8+1)+8*(72+16+1) || d != 4000+200+1152 {
		t.Fatalf("A2: theta %v, d %v (%v %v)", th, d, err1, err2)
	}
}
