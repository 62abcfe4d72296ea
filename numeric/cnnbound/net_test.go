package cnnbound

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// smallArch draws a valid small architecture: one or two conv layers (the second with stride 1
// or 2), pooling 1 or 2, rows and columns of different sizes.
func smallArch(t *rapid.T) theory.Arch {
	p := rapid.IntRange(1, 2).Draw(t, "p")
	k2 := rapid.IntRange(1, 3).Draw(t, "k2")
	s2 := rapid.IntRange(1, min(2, k2)).Draw(t, "s2")
	k1 := rapid.IntRange(1, 3).Draw(t, "k1")
	s1 := rapid.IntRange(1, k1).Draw(t, "s1")
	two := rapid.Bool().Draw(t, "two layers")
	side := func(name string) int {
		// The second layer's output o2 = p a2 from a pooled input m2 = k2 + s2 (o2 - 1).
		o2 := p * rapid.IntRange(1, 2).Draw(t, name)
		m2 := k2 + s2*(o2-1)
		if !two {
			m2 = rapid.IntRange(1, 3).Draw(t, name+" pooled")
		}
		o1 := p * m2
		return k1 + s1*(o1-1)
	}
	a := theory.Arch{Name: "small", R0: side("rows"), C0: side("cols"), D0: rapid.IntRange(1, 2).Draw(t, "d0"), P: p,
		Layers: []theory.Layer{{K: k1, S: s1, D: rapid.IntRange(1, 3).Draw(t, "d1"), A: 1, B: 2}}, Out: rapid.IntRange(2, 4).Draw(t, "out"), OutA: 1, OutB: 3}
	if two {
		a.Layers = append(a.Layers, theory.Layer{K: k2, S: s2, D: rapid.IntRange(1, 3).Draw(t, "d2"), A: 1, B: 2})
	}
	return a
}

// TestGradientFiniteDifferences: the backward pass equals central differences of the loss for
// every weight, to 1e-6 relative to the gradient's largest entry (step 1e-5).
func TestGradientFiniteDifferences(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n, err := New(smallArch(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Randomize(1, rapid.Uint64().Draw(t, "w")); err != nil {
			t.Fatal(err)
		}
		x := n.RandomInput(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "x"), 1)))
		y := rapid.IntRange(0, n.Arch.Out-1).Draw(t, "y")
		g := n.NewGrad()
		if _, err := n.Gradient(x, y, g); err != nil {
			t.Fatal(err)
		}
		scale := 1e-8
		for _, w := range append(append([]float64{}, g.Out...), flat(g.Kernels)...) {
			scale = math.Max(scale, math.Abs(w))
		}
		check := func(w []float64, gw []float64, name string) {
			for i := range w {
				old := w[i]
				w[i] = old + 1e-5
				lp, _ := n.Loss(x, y)
				w[i] = old - 1e-5
				lm, _ := n.Loss(x, y)
				w[i] = old
				if fd := (lp - lm) / 2e-5; math.Abs(fd-gw[i]) > 1e-6*scale {
					t.Fatalf("%s[%d]: backward %v, differences %v", name, i, gw[i], fd)
				}
			}
		}
		check(n.Out, g.Out, "output")
		for i := range n.Kernels {
			check(n.Kernels[i], g.Kernels[i], "kernels")
		}
	})
}

func flat(xs [][]float64) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

// TestErrors: bad inputs, classes, weights and gradient shapes are errors.
func TestErrors(t *testing.T) {
	a, _ := theory.Reference("A1")
	n, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 28*28)
	if _, err := n.Loss(x[:10], 0); err == nil {
		t.Error("a short input was accepted")
	}
	x[3] = 1.5
	if _, err := n.Loss(x, 0); err == nil {
		t.Error("an input entry above 1 was accepted")
	}
	x[3] = 0
	if _, err := n.Loss(x, 10); err == nil {
		t.Error("class 10 of 10 was accepted")
	}
	n.Out[0] = math.NaN()
	if _, err := n.Loss(x, 0); err == nil {
		t.Error("a NaN weight was accepted")
	}
	n.Out[0] = 0
	if _, err := n.Gradient(x, 0, &Grad{}); err == nil {
		t.Error("a gradient of the wrong shape was accepted")
	}
	if err := n.Adversarial(0, 0); err == nil {
		t.Error("target probability 0 was accepted")
	}
	if err := n.Randomize(0, 1); err == nil {
		t.Error("weight scale 0 was accepted")
	}
	a.Layers[0].K = 40
	if _, err := New(a); err == nil {
		t.Error("a kernel larger than the input was accepted")
	}
}

// TestMeanGradientDeterministic: the parallel mean gradient equals a plain sequential sum to 1e-12
// relative and is bit-identical whatever GOMAXPROCS is.
func TestMeanGradientDeterministic(t *testing.T) {
	a := theory.Arch{Name: "S1", R0: 8, C0: 8, D0: 1, P: 2, Layers: []theory.Layer{{K: 3, S: 1, D: 2, A: 2, B: 2}}, Out: 3, OutA: 2, OutB: 3}
	n, _ := New(a)
	_ = n.Randomize(1, 5)
	pop, err := NewPopulation(a, 3000, 6)
	if err != nil {
		t.Fatal(err)
	}
	_, seq, err := sequentialMean(n, pop)
	if err != nil {
		t.Fatal(err)
	}
	var first []float64
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		_, g, err := n.MeanGradient(pop, nil)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if math.Abs(g[i]-seq[i]) > 1e-12*(1+math.Abs(seq[i])) {
				t.Fatalf("procs %d: entry %d = %v, sequential %v", procs, i, g[i], seq[i])
			}
			if first != nil && g[i] != first[i] {
				t.Fatalf("procs %d: entry %d = %v differs from GOMAXPROCS 1's %v", procs, i, g[i], first[i])
			}
		}
		first = g
	}
}

// sequentialMean is the plain loop the parallel mean is checked against.
func sequentialMean(n *Net, p *Population) (float64, []float64, error) {
	g := n.NewGrad()
	var out []float64
	var loss float64
	for i := range p.X {
		l, err := n.Gradient(p.X[i], p.Y[i], g)
		if err != nil {
			return 0, nil, err
		}
		loss += l
		flatG := append(append([]float64{}, g.Out...), flat(g.Kernels)...)
		if out == nil {
			out = make([]float64, len(flatG))
		}
		for k, v := range flatG {
			out[k] += v / float64(len(p.X))
		}
	}
	return loss / float64(len(p.X)), out, nil
}
