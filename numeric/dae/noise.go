package dae

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// NoiseSamples draws pairs antithetic noise pairs (e, -e), e ~ N(0, sigma2 I), and returns for each
// pair the mean over the pair of the corrupted loss l(e) = |x - W (x + e)|^2 and of its gradient's
// component <dl/dW, dir> along each direction (dl/dW = -2 (x - W (x + e)) (x + e)^T, whose
// component is the bilinear form -2 (x - W (x + e))^T dir (x + e)): the Monte-Carlo side of DAE-1, whose means are |x - W x|^2 + sigma2 |W|_F^2 and
// <-2 (x - W x) x^T + 2 sigma2 W, dir>. The antithetic pair cancels the cross term exactly, which is
// the variance reduction; the samples are i.i.d. across pairs. Errors: W nil or not square of x's
// dimension, non-finite entries, sigma2 < 0 or not finite, pairs < 2, (1 + len(dirs)) pairs above
// MaxFloats (the samples returned), a direction nil or of the wrong shape, samples beyond float64
// (ErrNotFinite).
//
// With antithetic false each sample is one draw e alone (the cross term -2 (x - W x)^T W e left in,
// with its mean of zero: the part of the claim the pairs cannot see).
func NoiseSamples(w *mat.Dense, x []float64, sigma2 float64, dirs []*mat.Dense, pairs int, antithetic bool, seed uint64) (loss []float64, grad [][]float64, err error) {
	if w == nil {
		return nil, nil, errors.New("dae: W is nil")
	}
	d := len(x)
	if r, c := w.Dims(); r != d || c != d || d == 0 {
		return nil, nil, fmt.Errorf("dae: W is %dx%d for x of dimension %d", r, c, d)
	}
	if err := finiteAll(x); err != nil {
		return nil, nil, fmt.Errorf("%w (in x)", err)
	}
	if err := finiteMatrix("W", w); err != nil {
		return nil, nil, err
	}
	if !(sigma2 >= 0) || math.IsInf(sigma2, 0) {
		return nil, nil, fmt.Errorf("dae: sigma2 = %v must be finite and >= 0", sigma2)
	}
	if pairs < 2 {
		return nil, nil, fmt.Errorf("dae: %d noise pairs; need at least 2", pairs)
	}
	if err := checkFloats("the samples", 1+len(dirs), pairs); err != nil {
		return nil, nil, err
	}
	for k, dir := range dirs {
		if dir == nil {
			return nil, nil, fmt.Errorf("dae: direction %d is nil", k)
		}
		if r, c := dir.Dims(); r != d || c != d {
			return nil, nil, fmt.Errorf("dae: direction %d is %dx%d, want %dx%d", k, r, c, d, d)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x1015e))
	sd := math.Sqrt(sigma2)
	xv := mat.NewVecDense(d, x)
	e, xt, res := mat.NewVecDense(d, nil), mat.NewVecDense(d, nil), mat.NewVecDense(d, nil)
	loss = make([]float64, pairs)
	grad = make([][]float64, len(dirs))
	for k := range grad {
		grad[k] = make([]float64, pairs)
	}
	for p := range pairs {
		for i := range d {
			e.SetVec(i, sd*rng.NormFloat64())
		}
		signs := []float64{1, -1}
		if !antithetic {
			signs = signs[:1]
		}
		for _, sign := range signs {
			xt.AddScaledVec(xv, sign, e) // x + e
			res.MulVec(w, xt)
			res.SubVec(xv, res) // x - W (x + e)
			loss[p] += mat.Dot(res, res) / float64(len(signs))
			for k, dir := range dirs {
				grad[k][p] += -2 * mat.Inner(res, dir, xt) / float64(len(signs)) // <-2 res xt^T, dir>
			}
		}
	}
	if err := finiteAll(loss); err != nil {
		return nil, nil, err
	}
	for _, g := range grad {
		if err := finiteAll(g); err != nil {
			return nil, nil, err
		}
	}
	return loss, grad, nil
}

// ErrNotFinite is returned (wrapped) when an input or a result is NaN or infinite.
var ErrNotFinite = errors.New("dae: not finite")

func finiteAll(xs []float64) error {
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: value %d = %v (input or result beyond float64)", ErrNotFinite, i, v)
		}
	}
	return nil
}
