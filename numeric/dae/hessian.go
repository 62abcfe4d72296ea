package dae

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxHessianWeights bounds HessianMax's 2 H D weights: its Hessian and its columns take
// 16 (2 H D)^2 bytes (16 MiB at the bound).
const MaxHessianWeights = 1024

// HessianMax returns the largest eigenvalue of the loss's Hessian in the 2 H D weights at the net
// (catalogue DAE-3: 2 (lambda_1 - gamma) at a minimum), by central differences of the gradient
// (step 1e-6; the Hessian is symmetrised), in the problem's units (the loss per unit weight^2). The
// net is not changed (the differences are taken on a copy). Errors: an invalid problem, a net
// that does not fit it, more than MaxHessianWeights weights, a gradient beyond float64, a failed
// eigen-decomposition.
func HessianMax(p Problem, n Net) (float64, error) {
	if n.W1 == nil || n.W2 == nil {
		return 0, errors.New("dae: HessianMax needs a net with W1 and W2")
	}
	h, d := n.W1.Dims()
	if h < 1 || d < 1 || h > MaxHessianWeights || d > MaxHessianWeights || 2*h*d > MaxHessianWeights {
		return 0, fmt.Errorf("dae: a Hessian in 2 x %d x %d weights (at most %d)", h, d, MaxHessianWeights)
	}
	g, err := NewGD(p, h, 1)
	if err != nil {
		return 0, err
	}
	n = n.Clone()
	if _, err := n.check(g.d); err != nil {
		return 0, err
	}
	m := 2 * h * d
	hess := mat.NewSymDense(m, nil)
	flat := func(g1, g2 *mat.Dense) []float64 {
		return append(append([]float64{}, g1.RawMatrix().Data...), g2.RawMatrix().Data...)
	}
	cols := make([][]float64, m)
	const e = 1e-6
	for k := range m {
		w, idx := n.W1, k
		if k >= h*d {
			w, idx = n.W2, k-h*d
		}
		_, c := w.Dims()
		i, j := idx/c, idx%c
		x := w.At(i, j)
		w.Set(i, j, x+e)
		p1, p2, err1 := g.Gradient(n)
		w.Set(i, j, x-e)
		m1, m2, err2 := g.Gradient(n)
		w.Set(i, j, x)
		if err := errors.Join(err1, err2); err != nil {
			return 0, err
		}
		plus, minus := flat(p1, p2), flat(m1, m2)
		cols[k] = make([]float64, m)
		for r := range m {
			cols[k][r] = (plus[r] - minus[r]) / (2 * e)
		}
	}
	for a := range m {
		for b := a; b < m; b++ {
			hess.SetSym(a, b, (cols[a][b]+cols[b][a])/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(hess, false) {
		return 0, errors.New("dae: the Hessian's eigen-decomposition failed")
	}
	vals := es.Values(nil)
	top := vals[len(vals)-1]
	if math.IsNaN(top) || math.IsInf(top, 0) {
		return 0, fmt.Errorf("%w: the Hessian's largest eigenvalue is %v", ErrNotFinite, top)
	}
	return top, nil
}
