package cnnbound

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	theory "github.com/dlt5/verify/theory/cnnbound"
)

// FuzzNet covers building, weights, the passes and the population over fuzzed small architectures,
// inputs and parameters: an error or finite values, never a panic.
func FuzzNet(f *testing.F) {
	f.Add(8, 3, 1, 2, 2, 3, 0.5, 1.0, 1, 0.3, 10)
	f.Add(0, 0, 0, 0, 0, 0, math.NaN(), 0.0, -1, 2.0, 0)
	f.Add(6, 6, 7, 1, 1, 2, 1.5, 1e300, 5, 1e-300, -3)
	f.Fuzz(func(t *testing.T, r0, k, s, d, p, out int, px, scale float64, y int, q float64, m int) {
		if r0 > 64 || d > 8 || out > 16 || k > 16 || m > 64 {
			return
		}
		a := theory.Arch{R0: r0, C0: r0, D0: 1, P: p, Layers: []theory.Layer{{K: k, S: s, D: d, A: 1, B: 2}}, Out: out, OutA: 1, OutB: 3}
		n, err := New(a)
		if err != nil {
			return
		}
		_ = n.Randomize(scale, 1)
		x := make([]float64, r0*r0)
		for i := range x {
			x[i] = px
		}
		g := n.NewGrad()
		if l, err := n.Gradient(x, y, g); err == nil {
			o, all := g.SquaredNorms()
			fp.RequireFinite(t, "Gradient", nil, l, o, all)
		}
		if err := n.Adversarial(y, q); err == nil {
			l, err := n.Loss(x, y)
			fp.RequireFinite(t, "Loss", err, l)
		}
		if err := n.AdversarialFlat(y, q); err == nil {
			l, err := n.Gradient(x, y, g)
			fp.RequireFinite(t, "AdversarialFlat", err, l)
		}
		if pop, err := NewPopulation(a, m, 1); err == nil {
			l, gr, err := n.MeanGradient(pop, []int{0, m - 1})
			fp.RequireFinite(t, "MeanGradient", err, append(gr, l)...)
		}
	})
}
