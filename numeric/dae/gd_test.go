package dae

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// randomProblem returns a pixel-space problem with Sigma = V diag(lambda) V^T (V Haar), its
// eigenbasis twin, and V.
func randomProblem(t *rapid.T, d int) (pix, eig Problem, v *mat.Dense) {
	rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
	lam := make([]float64, d)
	for i := range lam {
		lam[i] = rapid.Float64Range(0, 3).Draw(t, "lambda")
	}
	v, err := orthogonal.Haar(rng, d)
	if err != nil {
		t.Fatal(err)
	}
	var vl, s mat.Dense
	vl.Mul(v, mat.NewDiagDense(d, lam))
	s.Mul(&vl, v.T())
	sym := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			sym.SetSym(i, j, (s.At(i, j)+s.At(j, i))/2)
		}
	}
	s2 := rapid.Float64Range(0, 1).Draw(t, "sigma2")
	gam := rapid.Float64Range(0, 0.5).Draw(t, "gamma")
	return Problem{Sigma: sym, Sigma2: s2, Gamma: gam}, Problem{Lambda: lam, Sigma2: s2, Gamma: gam}, v
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, math.Inf(1)) // max row sum: >= every entry
}

// TestGradientFiniteDifferences: both evaluations of the gradient equal the central differences of
// the loss, entry by entry, to 1e-6 relative to the gradient's scale.
func TestGradientFiniteDifferences(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 6).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		p, _, _ := randomProblem(t, d)
		n, err := RandomStart(d, h, 0.5, rapid.Uint64().Draw(t, "net"))
		if err != nil {
			t.Fatal(err)
		}
		for _, factored := range []bool{true, false} {
			g, err := NewGD(p, h, 0.01)
			if err != nil {
				t.Fatal(err)
			}
			g.SetFactored(factored)
			g1, g2, err := g.Gradient(n)
			if err != nil {
				t.Fatal(err)
			}
			scale := 1 + mat.Norm(g1, math.Inf(1)) + mat.Norm(g2, math.Inf(1))
			for _, pair := range []struct{ w, grad *mat.Dense }{{n.W1, g1}, {n.W2, g2}} {
				r, c := pair.w.Dims()
				for i := range r {
					for j := range c {
						x, e := pair.w.At(i, j), 1e-5
						pair.w.Set(i, j, x+e)
						lp, _ := p.Loss(n)
						pair.w.Set(i, j, x-e)
						lm, _ := p.Loss(n)
						pair.w.Set(i, j, x)
						if fd := (lp - lm) / (2 * e); math.Abs(fd-pair.grad.At(i, j)) > 1e-6*scale {
							t.Fatalf("factored=%v: gradient [%d][%d] %v, differences %v", factored, i, j, pair.grad.At(i, j), fd)
						}
					}
				}
			}
		}
	})
}

// TestEigenbasisMatchesPixels: descent in Sigma's eigenbasis is an exact orthogonal change of
// variables: from W1 V^T and V W2 the pixel-space run stays equal to the rotated eigenbasis run
// (to 1e-10 after 50 steps), with either evaluation.
func TestEigenbasisMatchesPixels(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(2, 8).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		pix, eig, v := randomProblem(t, d)
		ne, err := RandomStart(d, h, 0.3, rapid.Uint64().Draw(t, "net"))
		if err != nil {
			t.Fatal(err)
		}
		var w1, w2 mat.Dense
		w1.Mul(ne.W1, v.T())
		w2.Mul(v, ne.W2)
		np := Net{W1: &w1, W2: &w2}
		ge, err1 := NewGD(eig, h, 0.05)
		gp, err2 := NewGD(pix, h, 0.05)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		gp.SetFactored(rapid.Bool().Draw(t, "factored"))
		if err := ge.Run(ne, 50, inOrder(50)); err != nil {
			t.Fatal(err)
		}
		if err := gp.Run(np, 50, inOrder(50)); err != nil {
			t.Fatal(err)
		}
		var r1, r2 mat.Dense
		r1.Mul(ne.W1, v.T())
		r2.Mul(v, ne.W2)
		if e := maxAbsDiff(&r1, np.W1) + maxAbsDiff(&r2, np.W2); e > 1e-10 {
			t.Fatalf("pixel and eigenbasis runs differ by %v", e)
		}
	})
}

// TestSummedUnits: the summed problem stepped at rate alpha/n is the mean problem stepped at alpha
// (to 1e-12 after 20 steps).
func TestSummedUnits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 6).Draw(t, "D")
		_, eig, _ := randomProblem(t, d)
		n := rapid.IntRange(1, 10000).Draw(t, "n")
		sum, err := eig.Summed(n)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := RandomStart(d, d, 0.3, 7)
		b := a.Clone()
		g, _ := NewGD(eig, d, 0.05)
		gs, _ := NewGD(sum, d, 0.05/float64(n))
		if err := g.Run(a, 20, inOrder(20)); err != nil {
			t.Fatal(err)
		}
		if err := gs.Run(b, 20, inOrder(20)); err != nil {
			t.Fatal(err)
		}
		if e := maxAbsDiff(a.W1, b.W1) + maxAbsDiff(a.W2, b.W2); e > 1e-12 {
			t.Fatalf("conventions differ by %v", e)
		}
	})
}

// TestDecoupledStart: the decoupled start has strengths u0 on its H modes, 0 on the others, and is
// balanced (W1 W1^T = W2^T W2 to 1e-13).
func TestDecoupledStart(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 8).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		_, _, v := randomProblem(t, d)
		if rapid.Bool().Draw(t, "eigenbasis") {
			v = nil
		}
		u0 := make([]float64, h)
		for i := range u0 {
			u0[i] = rapid.Float64Range(1e-4, 1).Draw(t, "u0")
		}
		n, err := Decoupled(d, v, u0, rapid.Uint64().Draw(t, "R"))
		if err != nil {
			t.Fatal(err)
		}
		u, err := n.Strengths(v, d)
		if err != nil {
			t.Fatal(err)
		}
		for i := range d {
			want := 0.0
			if i < h {
				want = u0[i]
			}
			if math.Abs(u[i]-want) > 1e-13 {
				t.Fatalf("mode %d: strength %v, want %v", i, u[i], want)
			}
		}
		var a, b mat.Dense
		a.Mul(n.W1, n.W1.T())
		b.Mul(n.W2.T(), n.W2)
		if e := maxAbsDiff(&a, &b); e > 1e-13 {
			t.Fatalf("unbalanced by %v", e)
		}
	})
}

// TestSGDWithoutNoiseIsGD: with sigma2 = 0 the sampled-noise descent is full-batch descent on
// X^T X / n (with and without weight decay), to 1e-12 after 30 steps.
func TestSGDWithoutNoiseIsGD(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 4).Draw(t, "D")
		lam := make([]float64, d)
		for i := range lam {
			lam[i] = rapid.Float64Range(0.1, 3).Draw(t, "lambda")
		}
		x, err := ExactData(lam, rapid.IntRange(d, 20).Draw(t, "n"), rapid.Uint64().Draw(t, "data"))
		if err != nil {
			t.Fatal(err)
		}
		gam := rapid.Float64Range(0, 0.5).Draw(t, "gamma")
		a, _ := RandomStart(d, d, 0.3, rapid.Uint64().Draw(t, "net"))
		b := a.Clone()
		if err := (SGD{X: x, Gamma: gam, Rate: 0.02}).Run(a, 30, 1, inOrder(30)); err != nil {
			t.Fatal(err)
		}
		g, _ := NewGD(Problem{Lambda: lam, Gamma: gam}, d, 0.02)
		if err := g.Run(b, 30, inOrder(30)); err != nil {
			t.Fatal(err)
		}
		if e := maxAbsDiff(a.W1, b.W1) + maxAbsDiff(a.W2, b.W2); e > 1e-12 {
			t.Fatalf("SGD without noise differs from GD by %v", e)
		}
	})
}
