package dae

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// SGD is gradient descent on the data X (n x D, one datum per row) with the noise sampled, not
// averaged: every step draws e_m ~ N(0, Sigma2 I) for each datum and steps down the gradient of
// (1/2n) sum_m |x_m - W2 W1 (x_m + e_m)|^2 + (Gamma/2)(|W1|^2 + |W2|^2) at rate Rate (catalogue
// DAE-8). Its mean over the noise is the GD step on Problem{Sigma: X^T X / n}. X's dimension D is
// at most MaxDim (each step forms D x D products).
type SGD struct {
	X                   *mat.Dense
	Sigma2, Gamma, Rate float64
	// Negate uses -e for every noise draw e of the seed's stream: the antithetic partner of the
	// run with the same seed (the mean of the pair cancels the noise's odd-order effects).
	Negate bool
}

func (s SGD) validate() error {
	if s.X == nil || s.X.IsEmpty() {
		return errors.New("dae: SGD needs the data X (nil or empty)")
	}
	_, d := s.X.Dims()
	if err := checkDim("the data's dimension D =", d); err != nil {
		return err
	}
	if err := finiteMatrix("X", s.X); err != nil {
		return err
	}
	for _, v := range []float64{s.Sigma2, s.Gamma} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("dae: sigma2 = %v and gamma = %v must be finite and >= 0", s.Sigma2, s.Gamma)
		}
	}
	if !(s.Rate > 0) || math.IsInf(s.Rate, 0) {
		return fmt.Errorf("dae: step rate %v must be finite and > 0", s.Rate)
	}
	return nil
}

// Run takes steps steps from the net (in place) with noise from seed, calling observe as GD.Run
// does. Errors: invalid settings (X nil, empty, not finite or of D above MaxDim; sigma2 or gamma
// negative or not finite; a rate not finite and > 0), a net that does not fit X's dimension,
// steps < 0, divergence (ErrDiverged: the rate too large, or products of the data and noise beyond
// float64).
func (s SGD) Run(n Net, steps int, seed uint64, observe func(step int) error) error {
	if err := s.validate(); err != nil {
		return err
	}
	m, d := s.X.Dims()
	h, err := n.check(d)
	if err != nil {
		return err
	}
	if steps < 0 {
		return fmt.Errorf("dae: steps = %d must be >= 0", steps)
	}
	rng := rand.New(rand.NewPCG(seed, 0x59d))
	sd, inv := math.Sqrt(s.Sigma2), 1/float64(m)
	if s.Negate {
		sd = -sd
	}
	xt := mat.NewDense(m, d, nil)
	var c, b, p, g mat.Dense
	g1, g2 := mat.NewDense(h, d, nil), mat.NewDense(d, h, nil)
	if observe != nil {
		if err := observe(0); err != nil {
			return err
		}
	}
	for k := 1; k <= steps; k++ {
		raw, xr := xt.RawMatrix(), s.X.RawMatrix()
		for i := range m {
			row, src := raw.Data[i*raw.Stride:i*raw.Stride+d], xr.Data[i*xr.Stride:i*xr.Stride+d]
			for j := range row {
				row[j] = src[j] + sd*rng.NormFloat64()
			}
		}
		c.Mul(xt.T(), xt)  // sum x~ x~^T
		b.Mul(s.X.T(), xt) // sum x x~^T
		p.Mul(n.W2, n.W1)
		g.Mul(&p, &c)
		g.Sub(&g, &b)
		g.Scale(inv, &g) // G = P C~ - B~
		g2.Mul(&g, n.W1.T())
		g1.Mul(n.W2.T(), &g)
		if s.Gamma != 0 {
			axpy(g2, s.Gamma, n.W2)
			axpy(g1, s.Gamma, n.W1)
		}
		axpy(n.W1, -s.Rate, g1)
		axpy(n.W2, -s.Rate, g2)
		if v := mat.Sum(n.W1) + mat.Sum(n.W2); math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w at step %d of SGD (rate %v too large?)", ErrDiverged, k, s.Rate)
		}
		if observe != nil {
			if err := observe(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExactData returns n data in R^D (rows) whose uncentred covariance X^T X / n is exactly
// diag(lambda) up to rounding: X = sqrt(n) Q diag(sqrt(lambda)), Q an n x D matrix with orthonormal
// columns (the thin QR factor of a Gaussian n x D matrix from seed, formed in place: memory n D,
// never the n x n Q). Errors: n < D, lambda empty, negative or not finite, D above MaxDim, n x D
// above MaxFloats floats, data beyond float64 (ErrNotFinite: n lambda_i above 1e308).
func ExactData(lambda []float64, n int, seed uint64) (*mat.Dense, error) {
	d := len(lambda)
	if d == 0 || n < d {
		return nil, fmt.Errorf("dae: %d data for dimension %d (need n >= D >= 1)", n, d)
	}
	if err := (Problem{Lambda: lambda}).validate(); err != nil {
		return nil, err
	}
	if err := checkFloats("the data", n, d); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	x := mat.NewDense(n, d, nil)
	raw := x.RawMatrix()
	for i := range n {
		for j := range d {
			raw.Data[i*raw.Stride+j] = rng.NormFloat64()
		}
	}
	tau := make([]float64, d)
	work := []float64{0}
	lapack64.Geqrf(raw, tau, work, -1) // workspace query
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(raw, tau, work, len(work))
	work = []float64{0}
	lapack64.Orgqr(raw, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Orgqr(raw, tau, work, len(work)) // x = Q, n x D
	for j := range d {
		c := math.Sqrt(float64(n) * lambda[j])
		for i := range n {
			raw.Data[i*raw.Stride+j] *= c
		}
	}
	return x, finiteAll(raw.Data)
}
