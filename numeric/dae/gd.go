package dae

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Problem is a linear DAE's training problem: the data covariance (Sigma, D x D, in pixel space;
// or Lambda, its eigenvalues, when the problem is posed in Sigma's eigenbasis, where Sigma is
// diagonal), the noise variance Sigma2 and the weight decay Gamma. The loss is
// (1/2) tr((I - P) Sigma (I - P)^T) + (Sigma2/2) |P|_F^2 + (Gamma/2)(|W1|_F^2 + |W2|_F^2) with
// P = W2 W1: the noise-averaged reconstruction error (catalogue DAE, "Setting"); units those of
// Sigma. A valid problem has exactly one of Sigma and Lambda, 1 <= D <= MaxDim, finite entries,
// eigenvalues >= 0, and finite Sigma2, Gamma >= 0.
type Problem struct {
	Sigma         *mat.SymDense
	Lambda        []float64
	Sigma2, Gamma float64
}

// Dim returns D (0 for an empty problem).
func (p Problem) Dim() int {
	if p.Sigma != nil {
		return p.Sigma.SymmetricDim()
	}
	return len(p.Lambda)
}

func (p Problem) validate() error {
	if (p.Sigma == nil) == (p.Lambda == nil) {
		return errors.New("dae: a problem needs exactly one of Sigma (pixel space) and Lambda (eigenbasis)")
	}
	if p.Dim() == 0 {
		return errors.New("dae: the covariance is empty")
	}
	if err := checkDim("the dimension D =", p.Dim()); err != nil {
		return err
	}
	for _, v := range []float64{p.Sigma2, p.Gamma} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("dae: sigma2 = %v and gamma = %v must be finite and >= 0", p.Sigma2, p.Gamma)
		}
	}
	for i, l := range p.Lambda {
		if !(l >= 0) || math.IsInf(l, 0) {
			return fmt.Errorf("dae: eigenvalue %d = %v must be finite and >= 0", i, l)
		}
	}
	if p.Sigma != nil {
		d := p.Dim()
		for i := range d {
			for j := i; j < d; j++ {
				if v := p.Sigma.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("dae: Sigma[%d][%d] = %v is not finite", i, j, v)
				}
			}
		}
	}
	return nil
}

// Summed returns the problem in the authors' units, the loss summed over n data rather than
// averaged: Sigma (or Lambda), Sigma2 and Gamma all n times larger (catalogue DAE, "Setting"). A
// gradient-descent step of rate alpha/n on it (tau = n/alpha) is the step of rate alpha on p.
func (p Problem) Summed(n int) (Problem, error) {
	if err := p.validate(); err != nil {
		return Problem{}, err
	}
	if n < 1 {
		return Problem{}, fmt.Errorf("dae: the number of data n = %d must be >= 1", n)
	}
	f := float64(n)
	q := Problem{Sigma2: f * p.Sigma2, Gamma: f * p.Gamma}
	if p.Sigma != nil {
		q.Sigma = mat.NewSymDense(p.Dim(), nil)
		q.Sigma.ScaleSym(f, p.Sigma)
	} else {
		q.Lambda = make([]float64, len(p.Lambda))
		for i, l := range p.Lambda {
			q.Lambda[i] = f * l
		}
	}
	return q, q.validate()
}

// Net is a linear autoencoder x_hat = W2 W1 x: W1 is H x D (encoder), W2 is D x H (decoder).
type Net struct {
	W1, W2 *mat.Dense
}

// check returns an error unless the net's shapes fit a problem of dimension d and its entries are
// finite.
func (n Net) check(d int) (h int, err error) {
	if n.W1 == nil || n.W2 == nil {
		return 0, errors.New("dae: the net needs W1 and W2")
	}
	h, d1 := n.W1.Dims()
	d2, h2 := n.W2.Dims()
	if d1 != d || d2 != d || h2 != h || h < 1 {
		return 0, fmt.Errorf("dae: W1 is %dx%d and W2 %dx%d; want H x %d and %d x H", h, d1, d2, h2, d, d)
	}
	for _, m := range []*mat.Dense{n.W1, n.W2} {
		raw := m.RawMatrix()
		for i := range raw.Rows {
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return 0, fmt.Errorf("dae: a weight [%d][%d] = %v is not finite", i, j, v)
				}
			}
		}
	}
	return h, nil
}

// Clone returns a deep copy of the net. It never panics: a nil layer stays nil (the zero Net
// clones to the zero Net) and an empty one stays empty, and every function given such a copy
// rejects it with an error, as it would the original.
func (n Net) Clone() Net {
	return Net{W1: cloneDense(n.W1), W2: cloneDense(n.W2)}
}

func cloneDense(m *mat.Dense) *mat.Dense {
	if m == nil {
		return nil
	}
	return mat.DenseCopyOf(m)
}

// Loss returns the problem's loss at the net (type Problem), in Sigma's units. Errors: an invalid
// problem, a net that does not fit it (nil or misshapen layers, non-finite weights), a loss beyond
// float64 (ErrNotFinite).
func (p Problem) Loss(n Net) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	d := p.Dim()
	if _, err := n.check(d); err != nil {
		return 0, err
	}
	var P, R mat.Dense
	P.Mul(n.W2, n.W1)
	// (I - P) Sigma (I - P)^T's trace = sum_ij (I - P)_ij (Sigma (I - P)^T)_ji.
	R.Scale(-1, &P)
	for i := range d {
		R.Set(i, i, 1+R.At(i, i))
	}
	var RS mat.Dense
	p.mulSigmaRight(&RS, &R)
	fit := mat.Dot(mat.NewVecDense(d*d, RS.RawMatrix().Data), mat.NewVecDense(d*d, mat.DenseCopyOf(&R).RawMatrix().Data))
	norm := func(m mat.Matrix) float64 { f := mat.Norm(m, 2); return f * f }
	l := 0.5*fit + 0.5*p.Sigma2*norm(&P) + 0.5*p.Gamma*(norm(n.W1)+norm(n.W2))
	return l, finiteAll([]float64{l})
}

// mulSigmaRight sets dst = src Sigma (src r x D).
func (p Problem) mulSigmaRight(dst *mat.Dense, src mat.Matrix) {
	if p.Sigma != nil {
		dst.Mul(src, p.Sigma)
		return
	}
	dst.CloneFrom(src)
	r, _ := dst.Dims()
	raw := dst.RawMatrix()
	for i := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+len(p.Lambda)]
		for j, l := range p.Lambda {
			row[j] *= l
		}
	}
}
