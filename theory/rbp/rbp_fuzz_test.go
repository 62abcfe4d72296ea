package rbp_test

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/mat"
)

// The fuzz targets below call every exported function of the package on arbitrary arguments and
// assert its contract: no panic (a panic fails the run by itself), and either an error or a
// result whose every entry is finite. Matrices and vectors are built from a few fuzzed floats and
// a size reduced to 1..3, so the seed corpora (which run in every go test) stay fast.

var special = []float64{0.3, 0, 1, -1, 0.9, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, -1e200, 1e308, 1e-300, 5e-324, -0.45}

// size reduces a fuzzed int to 1..3.
func size(n int) int {
	r := n % 3
	if r < 0 {
		r += 3
	}
	return 1 + r
}

// small reduces a fuzzed count to 0..max, keeping negative values (which must be errors).
func small(k, max int) int {
	if k < 0 {
		return k
	}
	return k % (max + 1)
}

// entries returns n values cycling through vals, each scaled by a different factor so the matrix
// is not constant.
func entries(n int, vals ...float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = vals[i%len(vals)] * (1 - 0.13*float64(i%5))
	}
	return out
}

// matrixArg builds an r x c argument from kind: most kinds give a dense matrix of the fuzzed
// values, the others a nil matrix, a typed nil *mat.Dense, an empty matrix, a non-square one, a
// symmetric one, a transpose wrapping a typed nil.
func matrixArg(kind uint8, n int, vals ...float64) mat.Matrix {
	switch kind % 10 {
	case 0:
		return nil
	case 1:
		return (*mat.Dense)(nil)
	case 2:
		return &mat.Dense{}
	case 3:
		return mat.NewDense(n, n+1, entries(n*(n+1), vals...))
	case 4:
		s := mat.NewSymDense(n, nil)
		e := entries(n*n, vals...)
		for i := range n {
			for j := i; j < n; j++ {
				s.SetSym(i, j, e[i*n+j])
			}
		}
		return s
	case 5:
		return mat.Transpose{Matrix: (*mat.Dense)(nil)}
	default:
		return mat.NewDense(n, n, entries(n*n, vals...))
	}
}

// vecArg returns a vector of length n (n+1 when long is set) from the fuzzed values.
func vecArg(n int, long bool, vals ...float64) []float64 {
	if long {
		n++
	}
	return entries(n, vals...)
}

func addMatrixSeeds(f *testing.F) {
	for i, v := range special {
		w := special[(i+3)%len(special)]
		f.Add(uint8(i), i, v, w, 0.1, 0.2, i%4)
	}
	f.Add(uint8(9), 2, 0.2, -0.3, 0.1, 0.4, 3)
	f.Add(uint8(9), 3, 0.5, 0.5, 0.5, 1.0, 5)
	f.Add(uint8(9), 1, 1.0, 1.0, 1.0, 1.0, 2)           // J = I: singular
	f.Add(uint8(9), 2, 1e308, -1e308, 1e308, 1e308, 10) // overflow
	f.Add(uint8(9), 2, 2.0, 3.0, -1.0, 1e300, 50)       // rho(J) > 1: the Neumann series diverges
	f.Add(uint8(4), 3, 1.0, 0.1, 0.2, 1e-300, 4)
	f.Add(uint8(8), 3, 1e-300, 5e-324, 1e-300, 1e300, 1)
	f.Add(uint8(7), 1, 0.5, 0.5, 0.5, 1e308, math.MaxInt)
	f.Add(uint8(6), 2, 0.1, 0.1, 0.1, 0.1, -1)
}

// FuzzAdjoint covers Adjoint, Gradient, NeumannPartial, NeumannError, SpectralRadius,
// SpectralNorm, LinearFixedPoint and LinearGradA.
func FuzzAdjoint(f *testing.F) {
	addMatrixSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, n int, a, b, c, d float64, k int) {
		n = size(n)
		j := matrixArg(kind, n, a, b, c)
		long := kind%7 == 3
		bv := vecArg(n, long, d, a, 1)
		z, err := rbp.Adjoint(j, bv)
		fp.RequireFinite(t, "Adjoint", err, z...)
		g, err := rbp.Gradient(j, bv)
		fp.RequireFinite(t, "Gradient", err, g...)
		k = small(k, 40)
		g, err = rbp.NeumannPartial(j, bv, k)
		fp.RequireFinite(t, "NeumannPartial", err, g...)
		g, err = rbp.NeumannError(j, bv, k)
		fp.RequireFinite(t, "NeumannError", err, g...)
		r, err := rbp.SpectralRadius(j)
		fp.RequireFinite(t, "SpectralRadius", err, r)
		s, err := rbp.SpectralNorm(j)
		fp.RequireFinite(t, "SpectralNorm", err, s)
		bm := matrixArg(kind/10, n, d, c)
		_, m := n, n
		if bm != nil {
			if dn, ok := bm.(*mat.Dense); ok && dn != nil && !dn.IsEmpty() {
				_, m = dn.Dims()
			}
		}
		h, err := rbp.LinearFixedPoint(j, bm, vecArg(m, long, b, c))
		fp.RequireFinite(t, "LinearFixedPoint", err, h...)
		ga, err := rbp.LinearGradA(j, vecArg(n, false, c, d), bv)
		fp.RequireFiniteMatrix(t, "LinearGradA", err, ga)
	})
}

// FuzzNeumannBound covers NeumannBound (no loop: K is passed unreduced).
func FuzzNeumannBound(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+2)%len(special)], i-2)
	}
	f.Add(0.5, 1.0, 10)
	f.Add(math.Nextafter(1, 0), 1e300, 0)
	f.Add(0.0, 0.0, 0)
	f.Add(0.9, 1e308, math.MaxInt)
	f.Add(0.9, 1.0, math.MinInt)
	f.Fuzz(func(t *testing.T, normJT, normB float64, k int) {
		v, err := rbp.NeumannBound(normJT, normB, k)
		fp.RequireFinite(t, "NeumannBound", err, v)
	})
}

// FuzzHopfield covers HopfieldWeights and HopfieldEnergy.
func FuzzHopfield(f *testing.F) {
	addMatrixSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, n int, a, b, v, beta float64, long int) {
		n = size(n)
		w := matrixArg(kind, n, a, b)
		weff, err := rbp.HopfieldWeights(w)
		fp.RequireFiniteMatrix(t, "HopfieldWeights", err, weff)
		iExt := vecArg(n, long%5 == 1, b, a)
		vv := vecArg(n, long%5 == 2, v, 0.5)
		e, err := rbp.HopfieldEnergy(w, iExt, vv, beta)
		fp.RequireFinite(t, "HopfieldEnergy", err, e)
		if weff != nil {
			e, err = rbp.HopfieldEnergy(weff, iExt, vv, beta)
			fp.RequireFinite(t, "HopfieldEnergy(W_eff)", err, e)
		}
	})
}

// FuzzMomentum covers MomentumFixedPoint, MomentumJacobian and MomentumHyperJacobian.
func FuzzMomentum(f *testing.F) {
	addMatrixSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, n int, a, b, eta, mu float64, long int) {
		n = size(n)
		h := matrixArg(kind, n, a, b)
		q := vecArg(n, long%5 == 1, eta, b)
		w, m, err := rbp.MomentumFixedPoint(h, q)
		fp.RequireFinite(t, "MomentumFixedPoint w", err, w...)
		fp.RequireFinite(t, "MomentumFixedPoint m", err, m...)
		j, err := rbp.MomentumJacobian(h, eta, mu)
		fp.RequireFiniteMatrix(t, "MomentumJacobian", err, j)
		hj, err := rbp.MomentumHyperJacobian(h, q, vecArg(n, long%5 == 2, mu, a), vecArg(n, long%5 == 3, b))
		fp.RequireFiniteMatrix(t, "MomentumHyperJacobian", err, hj)
	})
}

// FuzzTanh covers TanhFixedPoint and TanhJacobians (and the returned dF/dW map, with a z of the
// right and of the wrong length).
func FuzzTanh(f *testing.F) {
	addMatrixSeeds(f)
	f.Fuzz(func(t *testing.T, kind uint8, n int, a, b, c, z float64, long int) {
		n = size(n)
		w := matrixArg(kind, n, a, b)
		cv := vecArg(n, long%5 == 1, c, 0.5)
		h, err := rbp.TanhFixedPoint(w, cv)
		fp.RequireFinite(t, "TanhFixedPoint", err, h...)
		hv := vecArg(n, long%5 == 2, z, c)
		j, gradW, err := rbp.TanhJacobians(w, cv, hv)
		fp.RequireFiniteMatrix(t, "TanhJacobians", err, j)
		if err != nil {
			return
		}
		for _, zv := range [][]float64{vecArg(n, false, z, a), vecArg(n, true, z), nil} {
			if g := gradW(zv); g != nil {
				fp.RequireFiniteMatrix(t, "TanhJacobians dF/dW", nil, g)
				if len(zv) != n {
					t.Fatalf("dF/dW map accepted a z of length %d, want %d", len(zv), n)
				}
			}
		}
	})
}

// TestNilAndNaNMatrices pins the reviewer's findings: nil and typed-nil matrices are errors (they
// used to panic), and a NaN matrix has no spectral norm (it used to be NaN with a nil error).
func TestNilAndNaNMatrices(t *testing.T) {
	var typed *mat.Dense
	for name, m := range map[string]mat.Matrix{"nil": nil, "typed nil": typed, "empty": &mat.Dense{}, "transpose of nil": mat.Transpose{Matrix: typed}} {
		if _, err := rbp.Adjoint(m, []float64{1}); err == nil {
			t.Errorf("Adjoint(%s): no error", name)
		}
		if _, err := rbp.LinearFixedPoint(mat.NewDense(1, 1, []float64{0.5}), m, []float64{1}); err == nil {
			t.Errorf("LinearFixedPoint with B %s: no error", name)
		}
		if _, err := rbp.SpectralNorm(m); err == nil {
			t.Errorf("SpectralNorm(%s): no error", name)
		}
		if _, err := rbp.Gradient(m, []float64{1}); err == nil {
			t.Errorf("Gradient(%s): no error", name)
		}
	}
	if s, err := rbp.SpectralNorm(mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 1})); err == nil {
		t.Errorf("SpectralNorm of a NaN matrix = %v with a nil error", s)
	}
	if _, err := rbp.LinearFixedPoint(mat.NewDense(1, 1, []float64{0.5}), mat.NewDense(1, 1, []float64{math.NaN()}), []float64{1}); err == nil {
		t.Errorf("LinearFixedPoint with a NaN B: no error")
	}
	if _, err := rbp.SpectralNorm(mat.NewDiagDense(rbp.MaxDim+1, nil)); err == nil {
		t.Errorf("SpectralNorm of a matrix beyond MaxDim: no error")
	}
}
