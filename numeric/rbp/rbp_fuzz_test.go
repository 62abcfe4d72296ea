package rbp_test

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/numeric/rbp"
)

// The fuzz targets below build every model with its constructor from a few fuzzed floats and a
// size reduced to 1..3, then run every algorithm on it (iteration counts reduced to at most 30,
// so the seed corpora, which run in every go test, stay fast), and assert the contract: no panic
// (a panic fails the run by itself), and either an error or a result whose every number is finite.

var special = []float64{0.3, 0, 1, -1, 0.9, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, -1e200, 1e308, 1e-300, 5e-324, -0.45}

func size(n int) int {
	r := n % 3
	if r < 0 {
		r += 3
	}
	return 1 + r
}

// reduce maps a fuzzed count to 0..max, keeping negative values (which must be errors).
func reduce(k, max int) int {
	if k < 0 {
		return k
	}
	return k % (max + 1)
}

// entries returns n values cycling through vals, each scaled differently.
func entries(n int, vals ...float64) []float64 {
	if n < 0 {
		n = 0
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = vals[i%len(vals)] * (1 - 0.13*float64(i%5))
	}
	return out
}

// exercise runs every algorithm on m with the fuzzed vector value v and count k, then again with
// the model's first parameter set to p (a caller may change the live parameters), and on nil,
// typed-nil and zero-value models.
func exercise(t *testing.T, m rbp.Model, v, p float64, k int) {
	t.Helper()
	n := m.Dim()
	run(t, m, n, v, k)
	if w := m.Params(); len(w) > 0 {
		w[0] = p
		run(t, m, n, v, k)
	}
	run(t, nil, n, v, k)
	run(t, (*rbp.Tanh)(nil), n, v, k)
	run(t, &rbp.Linear{}, n, v, k)
}

// run calls every algorithm on m (whose state size should be n).
func run(t *testing.T, m rbp.Model, n int, v float64, k int) {
	t.Helper()
	h0 := entries(n, v, 0.5)
	long := entries(n+1, 0.1)
	lossGrad := func(dst, h []float64) {
		for i := range dst {
			dst[i] = h[i] - v
		}
	}
	steps := reduce(k, 30)
	h, rep, err := rbp.FixedPoint(m, h0, 1e-12, max(steps, 1))
	fp.RequireFinite(t, "FixedPoint", err, append(h, rep.Residual)...)
	_, _, err = rbp.FixedPoint(m, long, 1e-12, 5)
	if err == nil {
		t.Fatal("FixedPoint accepted an h0 of the wrong length")
	}
	g, hT, err := rbp.TBPTT(m, h0, steps, lossGrad)
	fp.RequireFinite(t, "TBPTT", err, append(g, hT...)...)
	g, err = rbp.Neumann(m, h0, steps, lossGrad)
	fp.RequireFinite(t, "Neumann", err, g...)
	g, err = rbp.NeumannAdjoint(m, h0, entries(n, v), steps)
	fp.RequireFinite(t, "NeumannAdjoint", err, g...)
	g, err = rbp.OriginalRBP(m, h0, entries(n, 1, v), entries(n, v), steps)
	fp.RequireFinite(t, "OriginalRBP", err, g...)
	z, crep, err := rbp.CGRBP(m, h0, entries(n, v, 1), math.Abs(v), 1e-10, steps)
	fp.RequireFinite(t, "CGRBP", err, append(z, crep.Residual)...)
	g = rbp.ParamGradient(m, h0, entries(n, v))
	fp.RequireFinite(t, "ParamGradient", nil, g...)
	if rbp.ParamGradient(m, long, long) != nil {
		t.Fatal("ParamGradient accepted vectors of the wrong length")
	}
}

func seeds(f *testing.F) {
	for i, v := range special {
		w := special[(i+3)%len(special)]
		f.Add(i, v, w, 0.1, 0.5, i*7%40, i%5)
	}
	f.Add(2, 0.2, -0.3, 0.1, 0.5, 20, 0)
	f.Add(3, 0.5, 0.5, 1.0, 0.9, 30, 0)
	f.Add(2, 3.0, 2.0, 1.0, 0.3, 30, 0)       // diverging linear map
	f.Add(2, 1e200, 1e200, 1e200, 0.3, 30, 0) // huge parameters
	f.Add(1, 0.3, 0.2, 1e-300, 0.5, 10, 0)
	f.Add(1, 0.3, 0.2, 0.1, 0.5, math.MaxInt, 0)
	f.Add(1, 0.3, 0.2, 0.1, 0.5, -1, 0)
	f.Add(2, 0.3, 0.2, 0.1, 0.5, 5, 1) // mis-sized slices
	f.Add(2, 0.3, 0.2, 0.1, 0.5, 5, 2)
	f.Add(2, 0.3, 0.2, 0.1, 0.5, 5, 3)
}

// FuzzNewTanh covers NewTanh and, on the model, FixedPoint, TBPTT, Neumann, NeumannAdjoint,
// OriginalRBP, CGRBP and ParamGradient.
func FuzzNewTanh(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, n int, a, b, c, p float64, k, bad int) {
		n = size(n)
		w, cv, d := entries(n*n, a, b), entries(n, c), entries(n, b, c)
		switch bad % 4 {
		case 1:
			w = w[:n*n-1]
		case 2:
			cv = nil
		case 3:
			d = append(d, 1)
		}
		m, err := rbp.NewTanh(w, cv, d)
		if err != nil {
			return
		}
		exercise(t, m, c, p, k)
	})
}

// FuzzNewLinear covers NewLinear and the algorithms on it.
func FuzzNewLinear(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, n int, a, b, c, p float64, k, bad int) {
		n = size(n)
		am, d := entries(n*n, a, b), entries(n, c, a)
		if bad%4 == 1 {
			am = append(am, 0)
		} else if bad%4 == 2 {
			d = nil
		}
		m, err := rbp.NewLinear(am, d)
		if err != nil {
			return
		}
		exercise(t, m, c, p, k)
	})
}

// FuzzNewHopfield covers NewHopfield and the algorithms on it (eps and beta are fuzzed; eps is
// also tried at c, beta at b).
func FuzzNewHopfield(f *testing.F) {
	seeds(f)
	f.Add(2, 0.3, 0.5, 0.05, 0.5, 10, 0)
	f.Add(2, 0.3, 1e308, 1.0, 0.5, 10, 0)
	f.Add(2, 0.3, 5e-324, 1.0, 0.5, 10, 0)
	f.Fuzz(func(t *testing.T, n int, a, b, c, p float64, k, bad int) {
		n = size(n)
		w, iExt, pattern := entries(n*n, a, 0.2), entries(n, c, 0.1), entries(n, 1, -1, a)
		clamp := make([]bool, n)
		for i := range clamp {
			clamp[i] = (i+k)%2 == 0
		}
		switch bad % 4 {
		case 1:
			clamp = clamp[1:]
		case 2:
			pattern = append(pattern, 1)
		case 3:
			w = w[1:]
		}
		m, err := rbp.NewHopfield(w, iExt, clamp, pattern, c, b)
		if err != nil {
			return
		}
		exercise(t, m, a, p, k)
	})
}

// FuzzNewGraph covers NewGraph (with neighbour indices derived from the fuzzed ints, negative and
// out-of-range ones included) and the algorithms on it.
func FuzzNewGraph(f *testing.F) {
	seeds(f)
	f.Add(3, 0.3, 0.2, 0.1, 0.5, 10, -1)
	f.Add(3, 0.3, 0.2, 0.1, 0.5, 10, 7)
	f.Add(2, 0.3, 0.2, 0.1, 0.5, 10, math.MaxInt)
	f.Fuzz(func(t *testing.T, nodes int, a, b, c, p float64, k, nb int) {
		nodes = size(nodes)
		kk := size(k)
		nbrs := make([][]int, nodes)
		for v := range nbrs {
			nbrs[v] = []int{(v + 1) % nodes, v}
		}
		switch {
		case nb < 0:
			nbrs[0] = append(nbrs[0], nb)
		case nb%5 == 1:
			nbrs[nodes-1] = nil
		case nb%5 == 2:
			nbrs[0] = append(nbrs[0], nodes+nb)
		}
		w, d := entries(kk*kk, a, b), entries(nodes*kk, c, 1)
		if nb%5 == 3 {
			w = append(w, 1)
		}
		if kk == 2 && nb%5 == 4 {
			kk = math.MaxInt/2 + 1 // kk*kk overflows int
		}
		m, err := rbp.NewGraph(nbrs, kk, w, d)
		if err != nil {
			return
		}
		for v := range nbrs { // the model keeps its own neighbour lists
			nbrs[v] = append(nbrs[v][:0], -7)
		}
		exercise(t, m, c, p, k)
	})
}

// FuzzNewMomentum covers NewMomentum (eta = c, mu = p) and the algorithms on it.
func FuzzNewMomentum(f *testing.F) {
	seeds(f)
	f.Add(2, 2.0, 0.5, 0.1, 0.5, 30, 0)
	f.Add(2, 2.0, 0.5, 0.1, 1.0, 30, 0)
	f.Add(2, 2.0, 0.5, 1e300, 0.5, 30, 0)
	f.Fuzz(func(t *testing.T, n int, a, b, c, p float64, k, bad int) {
		n = size(n)
		h := make([]float64, n*n)
		for i := range n {
			for j := range n {
				h[i*n+j] = b
				if i == j {
					h[i*n+j] = a
				}
			}
		}
		q := entries(n, c, 1)
		switch bad % 4 {
		case 1:
			if n > 1 {
				h[1] = a + 1 // not symmetric
			}
		case 2:
			q = append(q, 1)
		case 3:
			h = h[1:]
		}
		m, err := rbp.NewMomentum(h, q, c, p)
		if err != nil {
			return
		}
		exercise(t, m, b, p, k)
	})
}

// TestConstructorsRejectNaN pins the reviewer's findings: NaN, infinite and out-of-range
// parameters are errors (NewGraph, NewHopfield and NewMomentum used to accept them).
func TestConstructorsRejectNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := map[string]error{}
	_, cases["graph NaN W"] = rbp.NewGraph([][]int{{0}}, 1, []float64{nan}, []float64{1})
	_, cases["graph Inf drive"] = rbp.NewGraph([][]int{{0}}, 1, []float64{0.5}, []float64{inf})
	_, cases["graph negative neighbour"] = rbp.NewGraph([][]int{{-1}}, 1, []float64{0.5}, []float64{1})
	_, cases["hopfield NaN I_ext"] = rbp.NewHopfield([]float64{0}, []float64{nan}, []bool{false}, []float64{1}, 0.5, 1)
	_, cases["hopfield NaN pattern"] = rbp.NewHopfield([]float64{0}, []float64{0}, []bool{true}, []float64{nan}, 0.5, 1)
	_, cases["hopfield NaN eps"] = rbp.NewHopfield([]float64{0}, []float64{0}, []bool{false}, []float64{1}, nan, 1)
	_, cases["hopfield Inf beta"] = rbp.NewHopfield([]float64{0}, []float64{0}, []bool{false}, []float64{1}, 0.5, inf)
	_, cases["momentum NaN H"] = rbp.NewMomentum([]float64{nan}, []float64{1}, 0.1, 0.5)
	_, cases["momentum NaN q"] = rbp.NewMomentum([]float64{1}, []float64{nan}, 0.1, 0.5)
	_, cases["momentum NaN eta"] = rbp.NewMomentum([]float64{1}, []float64{1}, nan, 0.5)
	_, cases["momentum eta 0"] = rbp.NewMomentum([]float64{1}, []float64{1}, 0, 0.5)
	_, cases["momentum NaN mu"] = rbp.NewMomentum([]float64{1}, []float64{1}, 0.1, nan)
	_, cases["momentum mu 1"] = rbp.NewMomentum([]float64{1}, []float64{1}, 0.1, 1)
	_, cases["momentum mu < 0"] = rbp.NewMomentum([]float64{1}, []float64{1}, 0.1, -0.1)
	_, cases["tanh Inf drive"] = rbp.NewTanh([]float64{0.5}, []float64{1}, []float64{inf})
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A model whose live parameters become NaN: the algorithms say so instead of returning NaN.
	m := fp.Must(rbp.NewLinear([]float64{0.5}, []float64{1}))
	m.Params()[0] = nan
	lossGrad := func(dst, h []float64) { dst[0] = h[0] }
	if g, err := rbp.Neumann(m, []float64{1}, 5, lossGrad); err == nil {
		t.Errorf("Neumann on NaN parameters = %v with a nil error", g)
	}
	if g, _, err := rbp.TBPTT(m, []float64{1}, 5, lossGrad); err == nil {
		t.Errorf("TBPTT on NaN parameters = %v with a nil error", g)
	}
	if z, _, err := rbp.CGRBP(m, []float64{1}, []float64{1}, 0, 1e-12, 5); err == nil {
		t.Errorf("CGRBP on NaN parameters = %v with a nil error", z)
	}
	m.Params()[0] = 0.5
	if g, err := rbp.Neumann(m, []float64{math.Inf(1)}, 5, lossGrad); err == nil {
		t.Errorf("Neumann at an infinite h* = %v with a nil error", g)
	}
	// Huge b: CG-RBP solves for b scaled by a power of two (|b|^2 would overflow).
	z, rep, err := rbp.CGRBP(m, []float64{0}, []float64{1e200}, 0, 1e-14, 10)
	if err != nil || !rep.Converged || math.Abs(z[0]/2e200-1) > 1e-14 {
		t.Errorf("CGRBP with b = 1e200: z = %v, %+v, %v; want 2e200", z, rep, err)
	}
	if _, _, err := rbp.TBPTT(m, []float64{1}, rbp.MaxTape, lossGrad); err == nil {
		t.Errorf("TBPTT with a tape beyond MaxTape: no error")
	}
}

// TestCGRBPTinyB: b = 1e-300 is solved at full accuracy (b and (I - J) b are scaled to order one).
func TestCGRBPTinyB(t *testing.T) {
	m := fp.Must(rbp.NewLinear([]float64{0.5}, []float64{1}))
	z, rep, err := rbp.CGRBP(m, []float64{0}, []float64{1e-300}, 0, 1e-14, 10)
	if err != nil || !rep.Converged || math.Abs(z[0]/2e-300-1) > 1e-14 {
		t.Fatalf("CGRBP with b = 1e-300: z = %v, %+v, %v; want 2e-300", z, rep, err)
	}
}

// FuzzNewTanhProblem covers NewTanhProblem (n reduced to 0..6 unless beyond MaxProblem, which
// must be an error), CanonicalProblem and RealSpectrum, and runs the algorithms on the problem's
// model.
func FuzzNewTanhProblem(f *testing.F) {
	for i, v := range special {
		f.Add(i-1, v, uint64(i), special[(i+2)%len(special)])
	}
	f.Add(rbp.MaxProblem+1, 0.5, uint64(1), 0.5)
	f.Add(math.MaxInt, 0.5, uint64(1), 0.5)
	f.Add(4, math.Nextafter(1, 0), uint64(1), 0.5)
	f.Fuzz(func(t *testing.T, n int, q float64, seed uint64, e float64) {
		if n <= rbp.MaxProblem {
			n = reduce(n, 6)
		}
		p, err := rbp.NewTanhProblem(n, q, seed)
		if err == nil {
			m, err := p.Model()
			if err != nil {
				t.Fatalf("NewTanhProblem(%d, %v) gave a problem without a model: %v", n, q, err)
			}
			fp.RequireFinite(t, "TanhProblem.Bias", nil, p.Bias()...)
			exercise(t, m, e, 0.1, int(seed%31))
		}
		c := rbp.CanonicalProblem()
		if m, err := c.Model(); err != nil {
			t.Fatalf("CanonicalProblem: %v", err)
		} else {
			run(t, m, m.Dim(), e, int(seed%31))
		}
		s := rbp.RealSpectrum([]float64{q, e})
		if len(s) != 2 || real(s[0]) != q && !math.IsNaN(q) {
			t.Fatalf("RealSpectrum(%v, %v) = %v", q, e, s)
		}
	})
}
