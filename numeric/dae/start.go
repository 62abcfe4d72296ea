package dae

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/mat"
)

// Decoupled returns the decoupled balanced start W1 = R A V_H^T, W2 = V_H A R^T (catalogue DAE,
// "Setting"): V_H the first H = len(u0) columns of v (D x D, Sigma's eigenvectors; nil for the
// eigenbasis, v = I), A = diag(sqrt(u0_i)) (balanced: each mode's two weights equal), R a
// Haar-orthogonal H x H matrix from seed. Mode i then starts at strength u0_i. Errors: u0 empty or
// longer than d, a strength not finite and > 0, d above MaxDim, v not d x d or not finite, weights
// beyond float64 (ErrNotFinite: a v far from orthogonal).
func Decoupled(d int, v *mat.Dense, u0 []float64, seed uint64) (Net, error) {
	h := len(u0)
	if h < 1 || h > d {
		return Net{}, fmt.Errorf("dae: %d start strengths for dimension %d", h, d)
	}
	if err := checkDim("the dimension D =", d); err != nil {
		return Net{}, err
	}
	for i, u := range u0 {
		if !(u > 0) || math.IsInf(u, 0) {
			return Net{}, fmt.Errorf("dae: start strength %d = %v must be finite and > 0", i, u)
		}
	}
	if v != nil {
		if r, c := v.Dims(); r != d || c != d {
			return Net{}, fmt.Errorf("dae: eigenvectors %dx%d, want %dx%d", r, c, d, d)
		}
		if err := finiteMatrix("the eigenvectors V", v); err != nil {
			return Net{}, err
		}
	}
	R, err := orthogonal.Haar(rand.New(rand.NewPCG(seed, 0xdae)), h)
	if err != nil {
		return Net{}, err
	}
	ra := mat.DenseCopyOf(R) // R A: column i scaled by sqrt(u0_i)
	for i := range h {
		for j := range h {
			ra.Set(i, j, ra.At(i, j)*math.Sqrt(u0[j]))
		}
	}
	vh := mat.NewDense(d, h, nil) // V_H
	for i := range d {
		for j := range h {
			if v == nil {
				if i == j {
					vh.Set(i, j, 1)
				}
			} else {
				vh.Set(i, j, v.At(i, j))
			}
		}
	}
	var w1, w2 mat.Dense
	w1.Mul(ra, vh.T())
	w2.Mul(vh, ra.T())
	for _, w := range []*mat.Dense{&w1, &w2} {
		if err := finiteMatrix("a start weight", w); err != nil {
			return Net{}, err
		}
	}
	return Net{W1: &w1, W2: &w2}, nil
}

// RandomStart returns a small random start: W1 (h x d) and W2 (d x h) with i.i.d. N(0, s^2)
// entries from seed. Errors: h or d outside [1, MaxDim], s not finite and > 0, an entry beyond
// float64 (ErrNotFinite: s above about 1e307).
func RandomStart(d, h int, s float64, seed uint64) (Net, error) {
	if d < 1 || h < 1 || d > MaxDim || h > MaxDim {
		return Net{}, fmt.Errorf("dae: dimensions D = %d and H = %d must be in [1, MaxDim = %d]", d, h, MaxDim)
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return Net{}, fmt.Errorf("dae: start scale s = %v must be finite and > 0", s)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	fill := func(r, c int) *mat.Dense {
		x := make([]float64, r*c)
		for i := range x {
			x[i] = s * rng.NormFloat64()
		}
		return mat.NewDense(r, c, x)
	}
	n := Net{W1: fill(h, d), W2: fill(d, h)}
	for _, w := range []*mat.Dense{n.W1, n.W2} {
		if err := finiteMatrix("a start weight", w); err != nil {
			return Net{}, fmt.Errorf("%w (start scale %v)", err, s)
		}
	}
	return n, nil
}

// Strengths returns u_i = v_i^T W2 W1 v_i for the first k columns v_i of v (D x D; nil for the
// eigenbasis, v_i = e_i): the mode strengths that theory/dae's u(t) describes. Computed as
// (W1 v_i) . (W2^T v_i), without forming W2 W1. Errors: a net with a nil, misshapen or non-finite
// layer, k outside [1, D], v not D x (k or more), a strength beyond float64 or NaN from a
// non-finite v (ErrNotFinite).
func (n Net) Strengths(v *mat.Dense, k int) ([]float64, error) {
	if n.W1 == nil {
		return nil, fmt.Errorf("dae: the net needs W1 and W2")
	}
	_, d := n.W1.Dims()
	if _, err := n.check(d); err != nil {
		return nil, err
	}
	if k < 1 || k > d {
		return nil, fmt.Errorf("dae: %d strengths asked of dimension %d", k, d)
	}
	var a, b mat.Dense
	if v == nil {
		a.CloneFrom(n.W1.Slice(0, n.W1.RawMatrix().Rows, 0, k))
		b.CloneFrom(n.W2.Slice(0, k, 0, n.W2.RawMatrix().Cols).T())
	} else {
		if r, c := v.Dims(); r != d || c < k {
			return nil, fmt.Errorf("dae: eigenvectors %dx%d for dimension %d", r, c, d)
		}
		vk := v.Slice(0, d, 0, k)
		a.Mul(n.W1, vk)
		b.Mul(n.W2.T(), vk)
	}
	out := make([]float64, k)
	for i := range k {
		out[i] = mat.Dot(a.ColView(i), b.ColView(i))
	}
	return out, finiteAll(out)
}

// BalancedU0 is the effective start strength of a random start (catalogue DAE-9):
// u0 = |W1 + W2^T|_F^2 / (4D), the size of each mode's balanced part, computed as
// (|W1 + W2^T|_F / (2 sqrt(D)))^2 so that the square does not overflow before the division.
// Errors: a net with a nil, misshapen or non-finite layer, u0 beyond float64 (ErrNotFinite).
func (n Net) BalancedU0() (float64, error) {
	if n.W1 == nil {
		return 0, fmt.Errorf("dae: the net needs W1 and W2")
	}
	_, d := n.W1.Dims()
	if _, err := n.check(d); err != nil {
		return 0, err
	}
	var s mat.Dense
	s.Add(n.W1, n.W2.T())
	f := mat.Norm(&s, 2) / (2 * math.Sqrt(float64(d)))
	u := f * f
	return u, finiteAll([]float64{u})
}
