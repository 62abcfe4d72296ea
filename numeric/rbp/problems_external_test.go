package rbp_test

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/dlt5/verify/numeric/rbp"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// TestSpectrumMatrix: the eigenvalues are those asked for, and with cond > 1 and two distinct
// eigenvalues the matrix is genuinely non-normal (|J J^T - J^T J| far from rounding), so a
// transpose slip can be seen.
func TestSpectrumMatrix(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var eigs []complex128
		for range rapid.IntRange(1, 3).Draw(t, "real") {
			eigs = append(eigs, complex(rapid.Float64Range(-0.9, 0.9).Draw(t, "eig"), 0))
		}
		for range rapid.IntRange(0, 2).Draw(t, "pairs") {
			eigs = append(eigs, complex(rapid.Float64Range(-0.6, 0.6).Draw(t, "re"), rapid.Float64Range(0.1, 0.6).Draw(t, "im")))
		}
		cond := rapid.Float64Range(2, 10).Draw(t, "cond")
		j, err := rbp.SpectrumMatrix(eigs, cond, rapid.Uint64().Draw(t, "seed"))
		if err != nil {
			t.Fatal(err)
		}
		var want []complex128
		for _, e := range eigs {
			want = append(want, e)
			if imag(e) != 0 {
				want = append(want, cmplx.Conj(e))
			}
		}
		var eig mat.Eigen
		if !eig.Factorize(j, mat.EigenNone) {
			t.Fatal("eigen-decomposition failed")
		}
		got := eig.Values(nil)
		// J = V diag V^-1 is diagonalisable, so by Bauer-Fike every computed eigenvalue, repeated
		// ones too, is within cond(V) eps |J| of a wanted one, and building V diag V^-1 adds up to
		// n eps cond(V)^3 (1e-12 at cond 10; measured at most 5e-15 over 20,000 draws): 1e-10
		// leaves a margin of 100 on the worst case. Each wanted value takes its nearest unused
		// computed one (a sort by real part with a tolerance is not an ordering: real parts of
		// +-5e-7 swapped a conjugate pair at a random seed).
		if len(got) != len(want) {
			t.Fatalf("%d eigenvalues, want %d", len(got), len(want))
		}
		used := make([]bool, len(got))
		for _, w := range want {
			best := -1
			for i, g := range got {
				if !used[i] && (best < 0 || cmplx.Abs(g-w) < cmplx.Abs(got[best]-w)) {
					best = i
				}
			}
			if best < 0 || cmplx.Abs(got[best]-w) > 1e-10 {
				t.Fatalf("eigenvalues %v, want %v", got, want)
			}
			used[best] = true
		}
		var a, b mat.Dense
		a.Mul(j, j.T())
		b.Mul(j.T(), j)
		a.Sub(&a, &b)
		// Non-normal needs two distinct eigenvalues: V lambda I V^-1 = lambda I (a random seed drew
		// -0.4375 twice). With a spread of 0.05 or more, 1e-6 |J|^2 is still 1e10 times rounding.
		spread := 0.0
		for _, u := range want {
			for _, v := range want {
				spread = math.Max(spread, cmplx.Abs(u-v))
			}
		}
		if spread >= 0.05 && mat.Norm(&a, 2) < 1e-6*mat.Norm(j, 2)*mat.Norm(j, 2) {
			t.Fatalf("J is nearly normal: |JJ^T - J^TJ|_F = %.3g, eigenvalues %v", mat.Norm(&a, 2), want)
		}
	})
}

func TestSpectrumMatrixErrors(t *testing.T) {
	for _, c := range []struct {
		eigs []complex128
		cond float64
	}{
		{nil, 1}, {[]complex128{1}, 0.5}, {[]complex128{complex(math.NaN(), 0)}, 1}, {[]complex128{1}, math.Inf(1)},
		{[]complex128{complex(0, math.Inf(1))}, 1},
	} {
		if _, err := rbp.SpectrumMatrix(c.eigs, c.cond, 1); err == nil {
			t.Errorf("SpectrumMatrix(%v, %v) returned no error", c.eigs, c.cond)
		}
	}
}

func TestNewTanhProblem(t *testing.T) {
	p, err := rbp.NewTanhProblem(5, 0.7, 3)
	if err != nil {
		t.Fatal(err)
	}
	var svd mat.SVD
	svd.Factorize(p.W, mat.SVDNone)
	if s := svd.Values(nil)[0]; math.Abs(s-0.7) > 1e-12 {
		t.Fatalf("|W|_2 = %v, want 0.7", s)
	}
	for _, bad := range []struct {
		n int
		q float64
	}{{0, 0.5}, {3, 1}, {3, 0}, {3, math.NaN()}, {1 << 20, 0.5}} {
		if _, err := rbp.NewTanhProblem(bad.n, bad.q, 1); err == nil {
			t.Errorf("NewTanhProblem(%d, %v) returned no error", bad.n, bad.q)
		}
	}
	if _, err := (rbp.TanhProblem{}).Model(); err == nil {
		t.Error("a problem without W made a model")
	}
}

func FuzzSpectrumMatrix(f *testing.F) {
	f.Add(0.5, 0.0, 0.3, 0.2, 2.0, uint64(1))
	f.Add(math.NaN(), 0.0, 0.3, 0.2, 2.0, uint64(1))
	f.Add(1e300, 1e300, 1e300, 1e300, 1e8, uint64(2))
	f.Add(0.0, 0.0, 0.0, 0.0, 1.0, uint64(3))
	f.Fuzz(func(t *testing.T, a, b, c, d, cond float64, seed uint64) {
		j, err := rbp.SpectrumMatrix([]complex128{complex(a, b), complex(c, d)}, cond, seed)
		if err != nil {
			return
		}
		r, cc := j.Dims()
		for i := range r {
			for k := range cc {
				if v := j.At(i, k); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite entry %v with nil error", v)
				}
			}
		}
	})
}

// TestTanhProblemValidate: malformed hand-built problems are refused before anything can panic.
func TestTanhProblemValidate(t *testing.T) {
	ok := rbp.CanonicalProblem()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	short := ok
	short.Y = []float64{1}
	nan := rbp.CanonicalProblem()
	nan.C = []float64{math.NaN(), 0, 0}
	wide := ok
	wide.W = mat.NewDense(3, 2, nil)
	for name, p := range map[string]rbp.TanhProblem{"no W": {}, "short y": short, "NaN c": nan, "W 3x2": wide} {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: validated", name)
		}
		if _, err := p.Model(); err == nil {
			t.Errorf("%s: made a model", name)
		}
	}
}
