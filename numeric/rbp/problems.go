package rbp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TanhProblem is F(h) = tanh(W h + U x + c) with the loss L = 1/2 |h* - y|^2 (Liao et al.,
// Section 2; the setting of claims RBP-1 and RBP-2 in CLAIMS.md).
type TanhProblem struct {
	W        *mat.Dense
	C, Drive []float64 // c and U x
	Y        []float64
}

// MaxProblem bounds the state size of the problems built here.
const MaxProblem = 1 << 10

// NewTanhProblem draws a problem of size n from PCG(seed, 5) with |W|_2 = q (0 < q < 1, a
// contraction): W is a Gaussian matrix rescaled to that spectral norm, c, U x and y standard
// normal.
func NewTanhProblem(n int, q float64, seed uint64) (TanhProblem, error) {
	if n < 1 || n > MaxProblem || !(q > 0 && q < 1) {
		return TanhProblem{}, fmt.Errorf("rbp: a tanh problem needs 1 <= n <= %d and 0 < q < 1, got n = %d, q = %v", MaxProblem, n, q)
	}
	rng := rand.New(rand.NewPCG(seed, 5))
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, rng.NormFloat64())
		}
	}
	var svd mat.SVD
	if !svd.Factorize(w, mat.SVDNone) || svd.Values(nil)[0] == 0 {
		return TanhProblem{}, errors.New("rbp: a degenerate W was drawn")
	}
	w.Scale(q/svd.Values(nil)[0], w)
	draw := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	return TanhProblem{W: w, C: draw(), Drive: draw(), Y: draw()}, nil
}

// CanonicalProblem is the reference problem of the RBP golden grid (CLAIMS.md, RBP): n = 3,
// W = [[0.2, -0.3, 0.1], [0.4, 0.1, -0.2], [-0.1, 0.3, 0.25]], c = (0.5, -0.4, 0.3), no drive,
// y = (0.1, 0.2, -0.3).
func CanonicalProblem() TanhProblem {
	return TanhProblem{
		W:     mat.NewDense(3, 3, []float64{0.2, -0.3, 0.1, 0.4, 0.1, -0.2, -0.1, 0.3, 0.25}),
		C:     []float64{0.5, -0.4, 0.3},
		Drive: []float64{0, 0, 0},
		Y:     []float64{0.1, 0.2, -0.3},
	}
}

// Validate reports whether the problem is well formed: W an n x n matrix (1 <= n <= MaxProblem),
// c, U x and y of length n, every entry finite. A problem from NewTanhProblem or
// CanonicalProblem is; Bias, Loss and LossGrad assume it (as gonum does, they panic on vectors of
// the wrong length).
func (p TanhProblem) Validate() error {
	if p.W == nil || p.W.IsEmpty() {
		return errors.New("rbp: the problem has no W")
	}
	n, m := p.W.Dims()
	if n != m || n > MaxProblem || len(p.C) != n || len(p.Drive) != n || len(p.Y) != n {
		return fmt.Errorf("rbp: a tanh problem needs W n x n (n <= %d) and c, U x, y of length n; got W %dx%d, %d, %d, %d",
			MaxProblem, n, m, len(p.C), len(p.Drive), len(p.Y))
	}
	w := mat.DenseCopyOf(p.W).RawMatrix().Data // W's own entries, also when it is a view
	return errors.Join(finite("W", w), finite("c", p.C), finite("Ux", p.Drive), finite("y", p.Y))
}

// Bias returns c + U x (nil when their lengths differ).
func (p TanhProblem) Bias() []float64 {
	if len(p.C) != len(p.Drive) {
		return nil
	}
	b := make([]float64, len(p.C))
	floats.AddTo(b, p.C, p.Drive)
	return b
}

// Model returns the problem as a Model (parameters: W then c), on a copy of W.
func (p TanhProblem) Model() (*Tanh, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return NewTanh(mat.DenseCopyOf(p.W).RawMatrix().Data, p.C, p.Drive)
}

// LossGrad writes dL/dh = h - y to dst.
func (p TanhProblem) LossGrad(dst, h []float64) { floats.SubTo(dst, h, p.Y) }

// Loss is L(h) = 1/2 |h - y|^2.
func (p TanhProblem) Loss(h []float64) float64 {
	d := make([]float64, len(h))
	floats.SubTo(d, h, p.Y)
	return 0.5 * floats.Dot(d, d)
}

// SpectrumMatrix returns a real n x n matrix J = V Lambda V^{-1} with the given eigenvalues, drawn
// from PCG(seed, 6). A real eigenvalue (zero imaginary part) is a 1 x 1 block of Lambda; an
// eigenvalue a + ib with b != 0 stands for the conjugate pair a +- ib, a 2 x 2 block
// [[a, b], [-b, a]] (so n counts a pair twice). V = Q1 diag(s) Q2 with Q1, Q2 Haar-orthogonal and
// s log-spaced from 1 to cond, so cond_2(V) = cond exactly: cond = 1 gives a normal J, and
// cond > 1 a non-normal one (J != J^T, and |J|_2 > rho(J) in general) whose eigenvalues are still
// those asked for.
func SpectrumMatrix(eigs []complex128, cond float64, seed uint64) (*mat.Dense, error) {
	n := 0
	for _, e := range eigs {
		if math.IsNaN(real(e)) || math.IsInf(real(e), 0) || math.IsNaN(imag(e)) || math.IsInf(imag(e), 0) {
			return nil, fmt.Errorf("rbp: eigenvalue %v is not finite", e)
		}
		n += 1 + boolInt(imag(e) != 0)
	}
	if n < 1 || n > MaxProblem {
		return nil, fmt.Errorf("rbp: spectrum of size %d outside [1, %d]", n, MaxProblem)
	}
	if !(cond >= 1) || math.IsInf(cond, 0) || cond > 1e8 {
		return nil, fmt.Errorf("rbp: condition number %v of V must be in [1, 1e8]", cond)
	}
	lam := mat.NewDense(n, n, nil)
	i := 0
	for _, e := range eigs {
		lam.Set(i, i, real(e))
		if imag(e) != 0 {
			lam.Set(i+1, i+1, real(e))
			lam.Set(i, i+1, imag(e))
			lam.Set(i+1, i, -imag(e))
			i++
		}
		i++
	}
	rng := rand.New(rand.NewPCG(seed, 6))
	q1, err1 := orthogonal.Haar(rng, n)
	q2, err2 := orthogonal.Haar(rng, n)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("rbp: Haar matrices: %v %v", err1, err2)
	}
	s := make([]float64, n)
	for k := range s {
		s[k] = 1
		if n > 1 {
			s[k] = math.Pow(cond, float64(k)/float64(n-1))
		}
	}
	var v, vinv, j mat.Dense
	v.Mul(q1, mat.NewDiagDense(n, s))
	v.Mul(&v, q2)
	// V^{-1} = Q2^T diag(1/s) Q1^T, exactly, without a solve.
	for k := range s {
		s[k] = 1 / s[k]
	}
	vinv.Mul(q2.T(), mat.NewDiagDense(n, s))
	vinv.Mul(&vinv, q1.T())
	j.Mul(&v, lam)
	j.Mul(&j, &vinv)
	if err := finite("J", j.RawMatrix().Data); err != nil {
		return nil, fmt.Errorf("%w (eigenvalues too large for cond %v)", err, cond)
	}
	return &j, nil
}

// RealSpectrum converts real eigenvalues to SpectrumMatrix's argument.
func RealSpectrum(eigs []float64) []complex128 {
	out := make([]complex128, len(eigs))
	for i, e := range eigs {
		out[i] = complex(e, 0)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
