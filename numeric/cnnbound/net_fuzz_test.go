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
		_ = n.Randomize(scale, 1) // an error leaves the zero weights, which the rest also covers
		x := make([]float64, r0*r0)
		for i := range x {
			x[i] = px
		}
		g, err := n.NewGrad()
		if err != nil {
			t.Fatalf("NewGrad on a built net: %v", err)
		}
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

// FuzzWeights sets every kernel weight to wk (alternating in sign when alt) and every output weight
// to wo, on S1 and on a two-layer net: Loss, Gradient, MeanGradient, SampleGradients and a
// Uniform replicate return an error or finite values (weights of 1e308 made NaN from
// exp(Inf - Inf) before issue 17).
func FuzzWeights(f *testing.F) {
	f.Add(1e308, 1e308, false, 0.5, false)
	f.Add(1e308, 1e308, true, 1.0, true)
	f.Add(-1e308, 1e300, true, 0.0, false)
	f.Add(0.0, 1e300, false, 0.5, true)
	f.Add(1.0, math.Inf(1), false, 0.25, false)
	f.Add(math.NaN(), 1.0, false, 0.25, true)
	f.Fuzz(func(t *testing.T, wk, wo float64, alt bool, px float64, deep bool) {
		a := s1()
		if deep {
			a = theory.Arch{Name: "deep", R0: 10, C0: 10, D0: 1, P: 1, Layers: []theory.Layer{{K: 3, S: 1, D: 2, A: 1, B: 2}, {K: 2, S: 2, D: 2, A: 1, B: 2}}, Out: 3, OutA: 1, OutB: 3}
		}
		n, err := New(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range n.Kernels {
			for i := range k {
				k[i] = wk
				if alt && i%2 == 1 {
					k[i] = -wk
				}
			}
		}
		for i := range n.Out {
			n.Out[i] = wo
		}
		pop, err := NewPopulation(a, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		x := pop.X[0]
		if px >= 0 && px <= 1 {
			x = make([]float64, len(x))
			for i := range x {
				x[i] = px
			}
		}
		requirePasses(t, n, pop, x)
	})
}

// requirePasses runs every pass of n on x and on pop and requires an error or finite values.
func requirePasses(t *testing.T, n *Net, pop *Population, x []float64) {
	l, err := n.Loss(x, 1)
	fp.RequireFinite(t, "Loss", err, l)
	g, _ := n.NewGrad()
	l, err = n.Gradient(x, 1, g)
	o, all := g.SquaredNorms()
	fp.RequireFinite(t, "Gradient", err, l, o, all)
	l, gr, err := n.MeanGradient(pop, nil)
	fp.RequireFinite(t, "MeanGradient", err, append(gr, l)...)
	ls, rows, err := n.SampleGradients(pop, []int{2, 0})
	fp.RequireFinite(t, "SampleGradients", err, append(rows, ls...)...)
	if u, err := NewUniform([]*Net{n}, pop); err == nil {
		fp.RequireFinite(t, "NewUniform", nil, append(u.TraceCov, append(u.PopLoss, u.LossVar...)...)...)
		dev2, gap, err := u.Replicate([]int{1, 4}, 3, true)
		fp.RequireFinite(t, "Replicate", err, append(flat(dev2), flat(gap)...)...)
	}
}

// FuzzMisuse calls the API the wrong way round: a nil or zero net, a nil rng, AddTo into a slice of
// fuzzed length, kernels resized after building, Replicate with fuzzed sample sizes and on a
// Uniform whose M, W, D are fuzzed (by hand, or changed after NewUniform), an index list with
// fuzzed entries. Errors, never panics.
func FuzzMisuse(f *testing.F) {
	f.Add(0, 0, 5, 1, 2, -1, false, 0, 0, 0)
	f.Add(3, 2, 0, 0, 0, 7, true, 0, 0, 0)
	f.Add(90, 5, 3, 7, 3, 64, false, 0, 0, 0)
	// The audit's &Uniform{M: 3, W: 1, D: 2} (a "slice bounds out of range" panic in draw), and M
	// changed after NewUniform.
	f.Add(0, 0, 1, 4, 2, 0, true, 3, 1, 2)
	f.Add(0, 0, 1, 4, 2, 0, false, 9, 1, 0)
	f.Fuzz(func(t *testing.T, dst, cut, n1, n2, which, index int, zero bool, um, uw, ud int) {
		if dst < 0 || dst > 1<<12 || n1 > 1<<12 || n2 > 1<<12 {
			return
		}
		var nilNet *Net
		if zero {
			nilNet = &Net{}
		}
		_, err1 := nilNet.Loss(nil, 0)
		_, err2 := nilNet.NewGrad()
		_, err3 := nilNet.Clone()
		if err1 == nil || err2 == nil || err3 == nil || nilNet.NumWeights() != 0 {
			t.Fatalf("a nil net accepted: %v %v %v", err1, err2, err3)
		}
		n := randomNet(t, s1(), 1, 1)
		if _, err := n.RandomInput(nil); err == nil {
			t.Fatal("RandomInput(nil) accepted")
		}
		g, _ := n.NewGrad()
		if err := g.AddTo(make([]float64, dst)); (err == nil) != (dst == n.NumWeights()) {
			t.Fatalf("AddTo into %d of %d: %v", dst, n.NumWeights(), err)
		}
		pop, _ := NewPopulation(s1(), 8, 1)
		l, gr, err := n.MeanGradient(pop, []int{index, which})
		fp.RequireFinite(t, "MeanGradient", err, append(gr, l)...)
		if u, err := NewUniform([]*Net{n}, pop); err == nil {
			dev2, gap, err := u.Replicate([]int{n1, n2}, uint64(which), zero)
			fp.RequireFinite(t, "Replicate", err, append(flat(dev2), flat(gap)...)...)
			if um != 0 || uw != 0 || ud != 0 {
				// By hand when zero, else NewUniform's with M, W, D replaced (ud = 0 keeps D).
				bad := &Uniform{M: um, W: uw, D: ud}
				if !zero {
					bad = u
					bad.M, bad.W = um, uw
					if ud != 0 {
						bad.D = ud
					}
				}
				dev2, gap, err = bad.Replicate([]int{1, 4}, 1, true)
				if err == nil && (zero || bad.M != 8 || bad.W != 1 || bad.D != n.NumWeights()) {
					t.Fatalf("Replicate on a Uniform of M = %d, W = %d, D = %d (by hand %v) accepted", bad.M, bad.W, bad.D, zero)
				}
				fp.RequireFinite(t, "Replicate", err, append(flat(dev2), flat(gap)...)...)
			}
		}
		if cut >= 0 && cut < len(n.Kernels[0]) {
			n.Kernels[0] = n.Kernels[0][:cut]
			x, _ := NewPopulation(s1(), 1, 1)
			if _, err := n.Gradient(x.X[0], 0, g); err == nil {
				t.Fatal("a resized net accepted")
			}
			if _, _, _, err := n.Shapes(); err == nil {
				t.Fatal("Shapes of a resized net accepted")
			}
		}
	})
}
