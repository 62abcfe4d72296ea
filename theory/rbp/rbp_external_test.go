package rbp_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

func randDense(rng *rand.Rand, r, c int, s float64) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, s*rng.NormFloat64())
		}
	}
	return m
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// contraction draws J with |J|_2 = q.
func contraction(t *rapid.T) (*mat.Dense, []float64, *rand.Rand) {
	n := rapid.IntRange(1, 7).Draw(t, "n")
	rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0))
	j := randDense(rng, n, n, 1)
	s, _ := rbp.SpectralNorm(j)
	j.Scale(rapid.Float64Range(0.05, 0.95).Draw(t, "q")/s, j)
	return j, randVec(rng, n), rng
}

func TestAdjointSolves(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		j, b, _ := contraction(t)
		z, err := rbp.Adjoint(j, b)
		if err != nil {
			t.Fatal(err)
		}
		// (I - J^T) z = b.
		r := mat.NewVecDense(len(b), nil)
		r.MulVec(j.T(), mat.NewVecDense(len(z), z))
		for i := range b {
			if res := z[i] - r.AtVec(i) - b[i]; math.Abs(res) > 1e-13*(1+floats.Norm(z, math.Inf(1))) {
				t.Fatalf("residual %v at %d", res, i)
			}
		}
	})
}

// TestNeumann checks g_K against the explicit sum of powers, the error identity
// z - g_K = (J^T)^{K+1} z and the bound in the 2-norm.
func TestNeumann(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		j, b, _ := contraction(t)
		k := rapid.IntRange(0, 25).Draw(t, "K")
		n := len(b)
		g, err := rbp.NeumannPartial(j, b, k)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, n)
		term := mat.NewVecDense(n, append([]float64(nil), b...))
		for range k + 1 {
			floats.Add(want, term.RawVector().Data)
			term.MulVec(j.T(), mat.VecDenseCopyOf(term))
		}
		if d := floats.Distance(g, want, math.Inf(1)); d > 1e-13*floats.Norm(want, math.Inf(1)) {
			t.Fatalf("g_K off by %v", d)
		}
		e, err := rbp.NeumannError(j, b, k)
		if err != nil {
			t.Fatal(err)
		}
		z, _ := rbp.Adjoint(j, b)
		diff := make([]float64, n)
		floats.SubTo(diff, z, g)
		if d := floats.Distance(diff, e, math.Inf(1)); d > 1e-13*floats.Norm(z, math.Inf(1)) {
			t.Fatalf("z - g_K differs from (J^T)^{K+1} z by %v", d)
		}
		q, _ := rbp.SpectralNorm(j)
		bound, err := rbp.NeumannBound(q, floats.Norm(b, 2), k)
		if err != nil {
			t.Fatal(err)
		}
		if en := floats.Norm(e, 2); en > bound*(1+1e-12) {
			t.Fatalf("error %v above the bound %v", en, bound)
		}
		want2 := math.Pow(q, float64(k+1)) * floats.Norm(b, 2) / (1 - q)
		if math.Abs(bound-want2) > 1e-14*want2 {
			t.Fatalf("bound %v, want %v", bound, want2)
		}
	})
}

func TestSpectralRadiusAndNorm(t *testing.T) {
	// A scaled rotation: eigenvalues r e^{+-i phi}, rho = r, |.|_2 = r.
	r, phi := 0.7, 0.9
	rot := mat.NewDense(2, 2, []float64{r * math.Cos(phi), -r * math.Sin(phi), r * math.Sin(phi), r * math.Cos(phi)})
	if rho, _ := rbp.SpectralRadius(rot); math.Abs(rho-r) > 1e-15 {
		t.Fatalf("rho of a scaled rotation = %v, want %v", rho, r)
	}
	// A Jordan-like block: rho = 0.5 but |.|_2 > 1.
	j := mat.NewDense(2, 2, []float64{0.5, 3, 0, -0.2})
	if rho, _ := rbp.SpectralRadius(j); math.Abs(rho-0.5) > 1e-15 {
		t.Fatalf("rho = %v, want 0.5", rho)
	}
	s, _ := rbp.SpectralNorm(mat.NewDense(2, 2, []float64{3, 0, 0, -4}))
	if s != 4 {
		t.Fatalf("|diag(3, -4)|_2 = %v, want 4", s)
	}
}

func TestLinearClosedForm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, _, rng := contraction(t)
		n, _ := a.Dims()
		m := rapid.IntRange(1, 4).Draw(t, "m")
		bm, x := randDense(rng, n, m, 1), randVec(rng, m)
		h, err := rbp.LinearFixedPoint(a, bm, x)
		if err != nil {
			t.Fatal(err)
		}
		lhs, rhs := mat.NewVecDense(n, nil), mat.NewVecDense(n, nil)
		lhs.MulVec(a, mat.NewVecDense(n, h))
		rhs.MulVec(bm, mat.NewVecDense(m, x))
		for i := range n {
			if res := h[i] - lhs.AtVec(i) - rhs.AtVec(i); math.Abs(res) > 1e-13*(1+floats.Norm(h, math.Inf(1))) {
				t.Fatalf("h* - A h* - B x = %v", res)
			}
		}
		dl := randVec(rng, n)
		g, err := rbp.LinearGradA(a, h, dl)
		if err != nil {
			t.Fatal(err)
		}
		z, _ := rbp.Adjoint(a, dl)
		for i := range n {
			for k := range n {
				if math.Abs(g.At(i, k)-z[i]*h[k]) > 1e-15*(1+math.Abs(z[i]*h[k])) {
					t.Fatalf("dL/dA[%d,%d] = %v, want z_i h_k = %v", i, k, g.At(i, k), z[i]*h[k])
				}
			}
		}
		grad, _ := rbp.Gradient(a, z)
		want := mat.NewVecDense(n, nil)
		want.MulVec(a.T(), mat.NewVecDense(n, z))
		if floats.Distance(grad, want.RawVector().Data, math.Inf(1)) > 1e-15*(1+floats.Norm(grad, math.Inf(1))) {
			t.Fatal("Gradient is not (dF/dw)^T z")
		}
	})
}

func TestTanhFixedPoint(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, c, _ := contraction(t)
		n := len(c)
		h, err := rbp.TanhFixedPoint(w, c)
		if err != nil {
			t.Fatal(err)
		}
		pre := mat.NewVecDense(n, nil)
		pre.MulVec(w, mat.NewVecDense(n, h))
		for i := range n {
			if r := h[i] - math.Tanh(pre.AtVec(i)+c[i]); math.Abs(r) > 1e-15 { // a few ulps of |h| <= 1
				t.Fatalf("h* - tanh(W h* + c) = %v at %d", r, i)
			}
		}
		// Jacobians against central differences of F.
		jac, gradOf, err := rbp.TanhJacobians(w, c, h)
		if err != nil {
			t.Fatal(err)
		}
		f := func(hh []float64, ww *mat.Dense) []float64 {
			out := mat.NewVecDense(n, nil)
			out.MulVec(ww, mat.NewVecDense(n, hh))
			for i := range n {
				out.SetVec(i, math.Tanh(out.AtVec(i)+c[i]))
			}
			return out.RawVector().Data
		}
		const d = 1e-6
		for k := range n {
			hp, hm := append([]float64(nil), h...), append([]float64(nil), h...)
			hp[k] += d
			hm[k] -= d
			fp, fm := f(hp, w), f(hm, w)
			for i := range n {
				if fd := (fp[i] - fm[i]) / (2 * d); math.Abs(fd-jac.At(i, k)) > 1e-8 {
					t.Fatalf("J[%d,%d] = %v, finite difference %v", i, k, jac.At(i, k), fd)
				}
			}
		}
		// (dF/dW)^T z for a generic z, every entry against central differences of z . F.
		z := rapid.SliceOfN(rapid.Float64Range(-2, 2), n, n).Draw(t, "z")
		gw := gradOf(z)
		for i := range n {
			for k := range n {
				wp, wm := mat.DenseCopyOf(w), mat.DenseCopyOf(w)
				wp.Set(i, k, w.At(i, k)+d)
				wm.Set(i, k, w.At(i, k)-d)
				if fd := (floats.Dot(z, f(h, wp)) - floats.Dot(z, f(h, wm))) / (2 * d); math.Abs(fd-gw.At(i, k)) > 1e-8 {
					t.Fatalf("((dF/dW)^T z)[%d,%d] = %v, finite difference %v", i, k, gw.At(i, k), fd)
				}
			}
		}
	})
}

func TestHopfield(t *testing.T) {
	w := mat.NewDense(3, 3, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8})
	weff, err := rbp.HopfieldWeights(w)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 4, 8, 4, 0, 12, 8, 12, 0}
	if !floats.Equal(weff.RawMatrix().Data, want) {
		t.Fatalf("W_eff = %v, want %v", weff.RawMatrix().Data, want)
	}
	v, iext, beta := []float64{0.25, 0.5, 0.75}, []float64{1, -1, 2}, 2.0
	e, err := rbp.HopfieldEnergy(weff, iext, v, beta)
	if err != nil {
		t.Fatal(err)
	}
	quad := 0.5 * (2*4*0.25*0.5 + 2*8*0.25*0.75 + 2*12*0.5*0.75)
	ent := 0.0
	for _, x := range v {
		ent += (x*math.Log(x) + (1-x)*math.Log(1-x)) / beta
	}
	if wantE := -quad - (0.25 - 0.5 + 1.5) + ent; math.Abs(e-wantE) > 1e-14 {
		t.Fatalf("E = %v, want %v", e, wantE)
	}
}

func TestMomentum(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 5).Draw(t, "n")
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0))
		g := randDense(rng, n, n, 1)
		h := mat.NewSymDense(n, nil)
		h.SymOuterK(1, g)
		for i := range n {
			h.SetSym(i, i, h.At(i, i)+1)
		}
		q := randVec(rng, n)
		w, m, err := rbp.MomentumFixedPoint(h, q)
		if err != nil {
			t.Fatal(err)
		}
		hw := mat.NewVecDense(n, nil)
		hw.MulVec(h, mat.NewVecDense(n, w))
		for i := range n {
			if math.Abs(hw.AtVec(i)-q[i]) > 1e-12*(1+math.Abs(q[i])) || m[i] != 0 {
				t.Fatalf("fixed point: H w - q = %v, m = %v", hw.AtVec(i)-q[i], m[i])
			}
		}
		eta, mu := rapid.Float64Range(0, 1).Draw(t, "eta"), rapid.Float64Range(0, 1).Draw(t, "mu")
		j, _ := rbp.MomentumJacobian(h, eta, mu)
		// Central differences of the step in the state.
		step := func(s []float64) []float64 {
			out := make([]float64, 2*n)
			gr := mat.NewVecDense(n, nil)
			gr.MulVec(h, mat.NewVecDense(n, s[:n]))
			for i := range n {
				out[n+i] = mu*s[n+i] - eta*(gr.AtVec(i)-q[i])
				out[i] = s[i] + out[n+i]
			}
			return out
		}
		s := randVec(rng, 2*n)
		for k := range 2 * n {
			sp, sm := append([]float64(nil), s...), append([]float64(nil), s...)
			sp[k]++
			sm[k]--
			fp, fm := step(sp), step(sm)
			for i := range 2 * n {
				if fd := (fp[i] - fm[i]) / 2; math.Abs(fd-j.At(i, k)) > 1e-12*(1+math.Abs(fd)) { // exact: the step is affine
					t.Fatalf("J[%d,%d] = %v, difference %v", i, k, j.At(i, k), fd)
				}
			}
		}
		hj, _ := rbp.MomentumHyperJacobian(h, q, w, m)
		if mat.Norm(hj, math.Inf(1)) > 1e-12*(1+floats.Norm(q, math.Inf(1))) {
			t.Fatalf("dF/d(eta, mu) at the fixed point = %v", mat.Formatted(hj))
		}
		hj, _ = rbp.MomentumHyperJacobian(h, q, s[:n], s[n:])
		gr := mat.NewVecDense(n, nil)
		gr.MulVec(h, mat.NewVecDense(n, s[:n]))
		for i := range n {
			r := gr.AtVec(i) - q[i]
			if hj.At(i, 0) != -r || hj.At(n+i, 0) != -r || hj.At(i, 1) != s[n+i] || hj.At(n+i, 1) != s[n+i] {
				t.Fatalf("hyper-Jacobian row %d wrong", i)
			}
		}
	})
}

func TestErrors(t *testing.T) {
	nan := math.NaN()
	id := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	if _, err := rbp.Adjoint(id, []float64{1, 1}); !errors.Is(err, rbp.ErrSingular) {
		t.Errorf("J = I: %v, want ErrSingular", err)
	}
	if _, err := rbp.LinearFixedPoint(id, id, []float64{1, 1}); !errors.Is(err, rbp.ErrSingular) {
		t.Errorf("A = I: %v, want ErrSingular", err)
	}
	sq := mat.NewDense(2, 2, []float64{0.1, 0, 0, 0.1})
	cases := map[string]error{}
	_, cases["non-square"] = rbp.Adjoint(mat.NewDense(2, 3, nil), []float64{1, 1})
	_, cases["b length"] = rbp.Adjoint(sq, []float64{1})
	_, cases["NaN J"] = rbp.Adjoint(mat.NewDense(1, 1, []float64{nan}), []float64{1})
	_, cases["NaN b"] = rbp.Adjoint(sq, []float64{nan, 1})
	_, cases["nil J"] = rbp.Adjoint(nil, []float64{1})
	_, cases["negative K"] = rbp.NeumannPartial(sq, []float64{1, 1}, -1)
	_, cases["error negative K"] = rbp.NeumannError(sq, []float64{1, 1}, -1)
	_, cases["bound not contractive"] = rbp.NeumannBound(1, 1, 1)
	_, cases["bound negative norm"] = rbp.NeumannBound(0.5, -1, 1)
	_, cases["bound negative K"] = rbp.NeumannBound(0.5, 1, -1)
	_, cases["gradient length"] = rbp.Gradient(sq, []float64{1})
	_, cases["gradient nil"] = rbp.Gradient(nil, []float64{1})
	_, cases["B rows"] = rbp.LinearFixedPoint(sq, mat.NewDense(3, 1, nil), []float64{1})
	_, cases["x length"] = rbp.LinearFixedPoint(sq, mat.NewDense(2, 1, nil), []float64{1, 2})
	_, cases["h* length"] = rbp.LinearGradA(sq, []float64{1}, []float64{1, 1})
	_, cases["tanh not contractive"] = rbp.TanhFixedPoint(id, []float64{1, 1})
	_, cases["tanh c length"] = rbp.TanhFixedPoint(sq, []float64{1})
	_, _, cases["tanh jacobian h"] = rbp.TanhJacobians(sq, []float64{1, 1}, []float64{1})
	_, cases["energy V = 0"] = rbp.HopfieldEnergy(sq, []float64{0, 0}, []float64{0, 0.5}, 1)
	_, cases["energy V = 1"] = rbp.HopfieldEnergy(sq, []float64{0, 0}, []float64{0.5, 1}, 1)
	_, cases["energy beta"] = rbp.HopfieldEnergy(sq, []float64{0, 0}, []float64{0.5, 0.5}, 0)
	_, cases["energy I length"] = rbp.HopfieldEnergy(sq, []float64{0}, []float64{0.5, 0.5}, 1)
	_, _, cases["momentum singular H"] = rbp.MomentumFixedPoint(mat.NewDense(2, 2, nil), []float64{1, 1})
	_, cases["momentum NaN eta"] = rbp.MomentumJacobian(sq, nan, 0.5)
	_, cases["hyper q length"] = rbp.MomentumHyperJacobian(sq, []float64{1}, []float64{1, 1}, []float64{0, 0})
	_, cases["radius non-square"] = rbp.SpectralRadius(mat.NewDense(1, 2, nil))
	_, cases["norm nil"] = rbp.SpectralNorm(nil)
	_, cases["weights NaN"] = rbp.HopfieldWeights(mat.NewDense(1, 1, []float64{nan}))
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := rbp.NeumannBound(0, 0, 0); err != nil {
		t.Errorf("the domain's edge |J^T| = 0, |b| = 0, K = 0: %v", err)
	}
}

// TestBoundaries holds the domain edges the mutation run found unchecked: |J^T| = 0 is a valid
// (trivial) contraction with a zero bound; |J^T| = 1, a gain of 0 and outputs of exactly 0 or 1 are
// outside the domain, and the error must say so (the entropy term needs V in (0, 1), the 1/beta a
// positive gain), not come from a later overflow check.
func TestBoundaries(t *testing.T) {
	if b, err := rbp.NeumannBound(0, 2, 3); err != nil || b != 0 {
		t.Errorf("NeumannBound(0, 2, 3) = %v, %v; want 0", b, err)
	}
	w := mat.NewDense(2, 2, []float64{0, 0.5, 0.5, 0})
	ext := []float64{0.1, -0.2}
	if _, err := rbp.HopfieldEnergy(w, ext, []float64{0.3, 0.6}, 0.5); err != nil {
		t.Fatalf("a valid energy: %v", err)
	}
	// The errors must say what was wrong (not a later, generic overflow).
	if _, err := rbp.HopfieldEnergy(w, ext, []float64{0.3, 0.6}, 0); err == nil || !strings.Contains(err.Error(), "gain beta") {
		t.Errorf("beta = 0: %v, want an error naming the gain", err)
	}
	for _, v := range [][]float64{{0, 0.5}, {0.5, 1}} {
		if _, err := rbp.HopfieldEnergy(w, ext, v, 0.5); err == nil || !strings.Contains(err.Error(), "outside (0, 1)") {
			t.Errorf("V = %v: %v, want an error naming the domain", v, err)
		}
	}
	if _, err := rbp.NeumannBound(1, 1, 1); err == nil || !strings.Contains(err.Error(), "contraction") {
		t.Errorf("|J^T| = 1: %v, want an error naming the contraction", err)
	}
}

// TestMaxDim: a MaxDim x 1 or 1 x MaxDim matrix is accepted, one more row or column is refused
// (cheap shapes at the size limit, through Gradient).
func TestMaxDim(t *testing.T) {
	ones := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	if g, err := rbp.Gradient(mat.NewDense(rbp.MaxDim, 1, ones(rbp.MaxDim)), ones(rbp.MaxDim)); err != nil || g[0] != rbp.MaxDim {
		t.Errorf("MaxDim x 1: %v, %v", g, err)
	}
	if g, err := rbp.Gradient(mat.NewDense(1, rbp.MaxDim, ones(rbp.MaxDim)), []float64{1}); err != nil || len(g) != rbp.MaxDim {
		t.Errorf("1 x MaxDim: %d entries, %v", len(g), err)
	}
	if _, err := rbp.Gradient(mat.NewDense(rbp.MaxDim+1, 1, ones(rbp.MaxDim+1)), ones(rbp.MaxDim+1)); err == nil {
		t.Error("(MaxDim + 1) x 1: no error")
	}
	if _, err := rbp.Gradient(mat.NewDense(1, rbp.MaxDim+1, ones(rbp.MaxDim+1)), []float64{1}); err == nil {
		t.Error("1 x (MaxDim + 1): no error")
	}
}
