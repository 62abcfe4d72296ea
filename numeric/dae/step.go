package dae

import (
	"errors"
	"fmt"
	"math"

	"github.com/dlt5/verify/internal/vec"
	"gonum.org/v1/gonum/mat"
)

// GD is full-batch gradient descent on a Problem with a fixed step rate (the learning rate in
// the problem's units: alpha for the mean convention, alpha/n for the sum convention), reusing
// its buffers across steps. Gradient flow time advances by rate per step (t = rate * steps).
//
// The gradient is dL/dW2 = G W1^T + gamma W2 and dL/dW1 = W2^T G + gamma W1 with
// G = P (Sigma + sigma2 I) - Sigma, P = W2 W1. Two algebraically equal evaluations are used,
// whichever needs fewer multiply-adds: the product form (forms the D x D matrix G) and the factored
// form, which never forms P: with S1 = (Sigma + sigma2 I) W1^T, dL/dW2 = W2 (W1 S1) - Sigma W1^T +
// gamma W2 and dL/dW1 = (W2^T W2) S1^T - (Sigma W2)^T + gamma W1 (H x H and D x H products only;
// Sigma W is a row scaling in the eigenbasis).
type GD struct {
	p        Problem
	rate     float64
	h, d     int
	factored bool
	// buffers
	a1, s1, a2, g2, hh, hh2, g1 *mat.Dense
	pp, gg                      *mat.Dense
	b, w2t                      *mat.Dense
	sigma                       *mat.Dense // Sigma as a dense matrix (pixel space)
	root                        []float64  // sqrt(lambda_j + sigma2) (eigenbasis), once, not per step
}

// mulT sets dst = a b^T (a m x k, b n x k, dst m x n) by vec.MulT: AVX2 and FMA dot products of
// rows, on one core. At DAE-9's H = 50, D = 196, BenchmarkGD's eigenbasis step takes 270-305 us
// against 400 us with gonum's two-core Dgemm and Dsyrk. Shapes that disagree panic as gonum's do.
func mulT(dst, a, b *mat.Dense) {
	ra, rb, rd := a.RawMatrix(), b.RawMatrix(), dst.RawMatrix()
	if ra.Cols != rb.Cols || rd.Rows != ra.Rows || rd.Cols != rb.Rows {
		panic(mat.ErrShape)
	}
	vec.MulT(ra.Data, ra.Stride, ra.Rows, rb.Data, rb.Stride, rb.Rows, ra.Cols, rd.Data, rd.Stride)
}

// gramT sets dst = x x^T by mulT, then copies the upper triangle onto the lower one, so that dst
// is symmetric to the bit (the kernels may round x_i . x_j and x_j . x_i differently).
func gramT(dst, x *mat.Dense) {
	mulT(dst, x, x)
	rd := dst.RawMatrix()
	for i := range rd.Rows {
		for j := i + 1; j < rd.Cols; j++ {
			rd.Data[j*rd.Stride+i] = rd.Data[i*rd.Stride+j]
		}
	}
}

// subTransposed sets dst -= a^T (dst r x c, a c x r) by rows of a: gonum's Sub reads a
// transposed operand entry by entry through At, a third of DAE-9's gradient time.
func subTransposed(dst, a *mat.Dense) {
	rd, ra := dst.RawMatrix(), a.RawMatrix()
	if rd.Rows != ra.Cols || rd.Cols != ra.Rows {
		panic(mat.ErrShape) // as gonum's Sub: NewGD's buffers never differ, so only a bug reaches this
	}
	for j := range ra.Rows {
		arow := ra.Data[j*ra.Stride : j*ra.Stride+ra.Cols]
		for i, v := range arow {
			rd.Data[i*rd.Stride+j] -= v
		}
	}
}

// ErrDiverged is returned (wrapped) by a run whose weights stopped being finite.
var ErrDiverged = errors.New("dae: the weights diverged")

// Flops returns the multiply-adds per step of the product and the factored evaluations for
// dimension d, width h, pixel space or eigenbasis: eigenbasis 3 d^2 h and 4 d h^2, pixel space
// d^3 + 3 d^2 h and 2 d^2 h + 4 d h^2. Errors: d or h outside [1, MaxDim] (where the counts, at
// most 2^38, cannot overflow an int).
func Flops(d, h int, eigenbasis bool) (product, factored int, err error) {
	if d < 1 || h < 1 || d > MaxDim || h > MaxDim {
		return 0, 0, fmt.Errorf("dae: Flops needs D = %d and H = %d in [1, MaxDim = %d]", d, h, MaxDim)
	}
	if eigenbasis {
		return 3 * d * d * h, 4 * d * h * h, nil
	}
	return d*d*d + 3*d*d*h, 2*d*d*h + 4*d*h*h, nil
}

// NewGD returns a stepper for nets of width h. Errors: an invalid problem (type Problem: D above
// MaxDim included), h < 1, h > D, a rate that is not finite and > 0.
func NewGD(p Problem, h int, rate float64) (*GD, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	d := p.Dim()
	if h < 1 || h > d {
		return nil, fmt.Errorf("dae: width H = %d must be in [1, D = %d]", h, d)
	}
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("dae: step rate %v must be finite and > 0", rate)
	}
	prod, fact, err := Flops(d, h, p.Sigma == nil)
	if err != nil {
		return nil, err
	}
	p.Lambda = append([]float64(nil), p.Lambda...) // root derives from it: a caller's later edit must not split them
	g := &GD{p: p, rate: rate, h: h, d: d, factored: fact < prod}
	g.a1, g.s1, g.a2, g.g2 = mat.NewDense(d, h, nil), mat.NewDense(d, h, nil), mat.NewDense(d, h, nil), mat.NewDense(d, h, nil)
	g.hh, g.hh2, g.g1 = mat.NewDense(h, h, nil), mat.NewDense(h, h, nil), mat.NewDense(h, d, nil)
	g.b, g.w2t = mat.NewDense(h, d, nil), mat.NewDense(h, d, nil)
	if p.Sigma != nil {
		g.sigma = mat.DenseCopyOf(p.Sigma)
	}
	for _, l := range p.Lambda {
		g.root = append(g.root, math.Sqrt(l+p.Sigma2))
	}
	if !g.factored {
		g.pp, g.gg = mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
	}
	return g, nil
}

// errNoGD is the error of a method called on a nil *GD or on a GD not made by NewGD.
var errNoGD = errors.New("dae: the stepper is nil or was not made by NewGD")

// ready returns errNoGD unless g was made by NewGD.
func (g *GD) ready() error {
	if g == nil || g.d == 0 {
		return errNoGD
	}
	return nil
}

// SetFactored forces the factored (true) or product (false) evaluation (for tests and
// benchmarks; NewGD picks the cheaper). On a nil GD or one not made by NewGD it does nothing (its
// Gradient and Run return the error).
func (g *GD) SetFactored(f bool) {
	if g.ready() != nil {
		return
	}
	g.factored = f
	if !f && g.pp == nil {
		g.pp, g.gg = mat.NewDense(g.d, g.d, nil), mat.NewDense(g.d, g.d, nil)
	}
}

// sigmaMul sets dst = Sigma src (src D x k).
func (g *GD) sigmaMul(dst *mat.Dense, src mat.Matrix) {
	if g.p.Sigma != nil {
		dst.Mul(g.sigma, src) // a dense copy: gonum's Dgemm is faster than its Dsymm
		return
	}
	dst.Copy(src)
	raw := dst.RawMatrix()
	for i, l := range g.p.Lambda {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] *= l
		}
	}
}

// Gradient returns dL/dW1 (H x D) and dL/dW2 (D x H) at the net, in fresh matrices. Errors: a nil
// GD or one not made by NewGD, a net that does not fit the problem or the width, a gradient beyond
// float64 (ErrNotFinite).
func (g *GD) Gradient(n Net) (g1, g2 *mat.Dense, err error) {
	if err := g.ready(); err != nil {
		return nil, nil, err
	}
	if h, err := n.check(g.d); err != nil || h != g.h {
		if err == nil {
			err = fmt.Errorf("dae: net width %d, stepper width %d", h, g.h)
		}
		return nil, nil, err
	}
	g.gradient(n)
	if v := mat.Sum(g.g1) + mat.Sum(g.g2); math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, nil, fmt.Errorf("%w: the gradient overflows at these weights", ErrNotFinite)
	}
	return mat.DenseCopyOf(g.g1), mat.DenseCopyOf(g.g2), nil
}

// gradient fills g.g1 and g.g2.
func (g *GD) gradient(n Net) {
	s2, gam := g.p.Sigma2, g.p.Gamma
	if g.factored {
		g.sigmaMul(g.a1, n.W1.T()) // Sigma W1^T
		g.s1.Copy(n.W1.T())
		g.s1.Scale(s2, g.s1)
		g.s1.Add(g.s1, g.a1)   // S1 = (Sigma + sigma2 I) W1^T
		if g.p.Lambda != nil { // W1 S1 = B B^T, B = W1 diag(sqrt(lambda + sigma2))
			rb, rw := g.b.RawMatrix(), n.W1.RawMatrix()
			for i := range g.h {
				for j, r := range g.root {
					rb.Data[i*rb.Stride+j] = rw.Data[i*rw.Stride+j] * r
				}
			}
			gramT(g.hh, g.b)
			mulT(g.g2, n.W2, g.hh) // W2 W1 S1 (= W2 hh^T: hh is symmetric to the bit)
		} else {
			g.hh.Mul(n.W1, g.s1) // W1 S1
			g.g2.Mul(n.W2, g.hh) // W2 W1 S1
		}
		g.g2.Sub(g.g2, g.a1)      // - Sigma W1^T
		g.sigmaMul(g.a2, n.W2)    // Sigma W2
		g.w2t.Copy(n.W2.T())      // W2^T, so that W2^T W2 is a product of rows
		gramT(g.hh2, g.w2t)       // W2^T W2
		mulT(g.g1, g.hh2, g.s1)   // W2^T W2 S1^T
		subTransposed(g.g1, g.a2) // - W2^T Sigma
	} else {
		g.pp.Mul(n.W2, n.W1)
		if g.sigma != nil {
			g.gg.Mul(g.pp, g.sigma) // P Sigma
		} else {
			g.p.mulSigmaRight(g.gg, g.pp)
		}
		raw, pr := g.gg.RawMatrix(), g.pp.RawMatrix()
		for i := range g.d {
			row, prow := raw.Data[i*raw.Stride:i*raw.Stride+g.d], pr.Data[i*pr.Stride:i*pr.Stride+g.d]
			for j := range row {
				row[j] += s2 * prow[j]
			}
			if g.p.Sigma != nil {
				for j := range row {
					row[j] -= g.p.Sigma.At(i, j)
				}
			} else {
				row[i] -= g.p.Lambda[i]
			}
		}
		g.g2.Mul(g.gg, n.W1.T())
		g.g1.Mul(n.W2.T(), g.gg)
	}
	if gam != 0 {
		axpy(g.g2, gam, n.W2)
		axpy(g.g1, gam, n.W1)
	}
}

// Step advances the net by one step of gradient descent in place (both layers from the same
// gradient). The net must have been checked (Run does).
func (g *GD) step(n Net) {
	g.gradient(n)
	axpy(n.W1, -g.rate, g.g1)
	axpy(n.W2, -g.rate, g.g2)
}

// axpy sets y += a x for matrices of equal shape.
func axpy(y *mat.Dense, a float64, x *mat.Dense) {
	ry, rx := y.RawMatrix(), x.RawMatrix()
	for i := range ry.Rows {
		yr, xr := ry.Data[i*ry.Stride:i*ry.Stride+ry.Cols], rx.Data[i*rx.Stride:i*rx.Stride+rx.Cols]
		for j, v := range xr {
			yr[j] += a * v
		}
	}
}

// Run takes steps steps of gradient descent from the net (in place), calling observe (when not
// nil) before the first step with step 0 and after every step k with k; observe may stop the run
// by returning an error, which Run returns. Errors: a nil GD or one not made by NewGD, a net that
// does not fit the problem, steps < 0, weights that stop being finite (the step is unstable: rate
// too large).
func (g *GD) Run(n Net, steps int, observe func(step int) error) error {
	if err := g.ready(); err != nil {
		return err
	}
	if h, err := n.check(g.d); err != nil || h != g.h {
		if err == nil {
			err = fmt.Errorf("dae: net width %d, stepper width %d", h, g.h)
		}
		return err
	}
	if steps < 0 {
		return fmt.Errorf("dae: steps = %d must be >= 0", steps)
	}
	if observe != nil {
		if err := observe(0); err != nil {
			return err
		}
	}
	for k := 1; k <= steps; k++ {
		g.step(n)
		if v := mat.Sum(n.W1) + mat.Sum(n.W2); math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w by step %d (rate %v too large?)", ErrDiverged, k, g.rate)
		}
		if observe != nil {
			if err := observe(k); err != nil {
				return err
			}
		}
	}
	return nil
}
