package rbp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// SpectralNorm returns |A|_2, the largest singular value (gonum's mat.Norm(a, 2) is the Frobenius
// norm, not this one). A may be rectangular. Errors: a nil (also typed-nil), empty or oversized A
// (MaxDim), a NaN or infinite entry, no convergence, and a norm that overflows float64.
func SpectralNorm(a mat.Matrix) (float64, error) {
	if _, _, err := checkMatrix("matrix", a); err != nil {
		return 0, err
	}
	return spectralNorm(a)
}

// spectralNorm is SpectralNorm for a validated matrix.
func spectralNorm(a mat.Matrix) (float64, error) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		return 0, errors.New("rbp: SVD did not converge")
	}
	s := svd.Values(nil)[0]
	if !isFinite(s) {
		return 0, fmt.Errorf("rbp: the spectral norm overflows float64 (SVD gave %v)", s)
	}
	return s, nil
}

// TanhFixedPoint returns the fixed point h* = tanh(W h* + c) of the tanh recurrence
// (the paper's Section 2 setting, F(h) = tanh(W h + c)) for |W|_2 < 1, where the map is a
// contraction (tanh is 1-Lipschitz) and h* is unique. It is found by Newton's method on
// h - tanh(W h + c), a deterministic computation independent of the forward iteration numeric/rbp
// checks it with. Errors: a nil, empty, non-square or oversized W, shapes, non-finite entries,
// |W|_2 >= 1.
func TanhFixedPoint(w mat.Matrix, c []float64) ([]float64, error) {
	n, err := checkSquare("W", w)
	if err != nil {
		return nil, err
	}
	if err := checkVec("c", c, n); err != nil {
		return nil, err
	}
	norm, err := spectralNorm(w)
	if err != nil {
		return nil, err
	}
	if norm >= 1 {
		return nil, fmt.Errorf("rbp: |W|_2 = %.6g >= 1: tanh(W h + c) is not known to be a contraction", norm)
	}
	h := mat.NewVecDense(n, nil)
	pre, resid, step := mat.NewVecDense(n, nil), mat.NewVecDense(n, nil), mat.NewVecDense(n, nil)
	jac := mat.NewDense(n, n, nil)
	for range 100 {
		pre.MulVec(w, h)
		for i := range n {
			y := math.Tanh(pre.AtVec(i) + c[i])
			resid.SetVec(i, h.AtVec(i)-y)
			s := 1 - y*y
			for j := range n {
				jac.Set(i, j, -s*w.At(i, j))
			}
			jac.Set(i, i, 1+jac.At(i, i))
		}
		if mat.Norm(resid, math.Inf(1)) == 0 {
			break
		}
		if err := step.SolveVec(jac, resid); err != nil {
			return nil, err
		}
		h.SubVec(h, step)
		if mat.Norm(step, math.Inf(1)) <= 1e-17*(1+mat.Norm(h, math.Inf(1))) {
			break
		}
	}
	if err := finiteResult("the Newton iteration for h*", h.RawVector().Data); err != nil {
		return nil, err
	}
	return h.RawVector().Data, nil
}

// TanhJacobians returns, at a state h of the tanh recurrence F(h) = tanh(W h + c), the state
// Jacobian J = diag(s) W and the Jacobian with respect to W, as the map
// (dF/dW)^T z = (s o z) h^T, with s = 1 - tanh(W h + c)^2. The second is returned as a function,
// which keeps its own copy of h; it returns nil for a z whose length is not n or that has a NaN or
// infinite entry, or when (s o z) h^T overflows float64 (it has no error result). Errors: a nil,
// empty, non-square or oversized W, shapes, non-finite entries, and a pre-activation W h + c that
// is NaN (W h overflowing with both signs).
func TanhJacobians(w mat.Matrix, c, h []float64) (*mat.Dense, func(z []float64) *mat.Dense, error) {
	n, err := checkSquare("W", w)
	if err != nil {
		return nil, nil, err
	}
	if err := errors.Join(checkVec("c", c, n), checkVec("h", h, n)); err != nil {
		return nil, nil, err
	}
	hc := append([]float64(nil), h...)
	pre := mat.NewVecDense(n, nil)
	pre.MulVec(w, mat.NewVecDense(n, hc))
	s := make([]float64, n)
	j := mat.NewDense(n, n, nil)
	for i := range n {
		y := math.Tanh(pre.AtVec(i) + c[i]) // +-1 when W h + c overflows to +-Inf: s = 0, right
		if math.IsNaN(y) {
			return nil, nil, fmt.Errorf("rbp: the pre-activation (W h + c)[%d] is NaN (W h overflows float64)", i)
		}
		s[i] = 1 - y*y
		for k := range n {
			j.Set(i, k, s[i]*w.At(i, k))
		}
	}
	gradW := func(z []float64) *mat.Dense {
		if checkVec("z", z, n) != nil {
			return nil
		}
		g := mat.NewDense(n, n, nil)
		for i := range n {
			for k := range n {
				g.Set(i, k, s[i]*z[i]*hc[k])
			}
		}
		if finiteMatrix("(dF/dW)^T z", g) != nil {
			return nil
		}
		return g
	}
	return j, gradW, nil
}
