package rbp

import (
	"errors"
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxCond is the largest condition number of I - J^T that Adjoint accepts: beyond it the solve
// cannot give the adjoint to better than ~1e-4 and the matrix is treated as singular.
const MaxCond = 1e12

// MaxDim is the largest number of rows or columns a matrix argument may have. The functions copy
// their matrix arguments into dense n x n storage and most factorise them (O(n^3) work), so a
// larger one, possibly a compact type such as a diagonal matrix that claims huge dimensions, is
// rejected rather than allocated.
const MaxDim = 4096

// checkMatrix validates a matrix argument (not nil, non-empty, at most MaxDim x MaxDim, finite
// entries) and returns its dimensions. A matrix whose methods panic (a zero-value or malformed
// implementation) is reported as an error.
func checkMatrix(name string, a mat.Matrix) (r, c int, err error) {
	if fp.IsNil(a) {
		return 0, 0, fmt.Errorf("rbp: %s is nil", name)
	}
	defer func() {
		if p := recover(); p != nil {
			r, c, err = 0, 0, fmt.Errorf("rbp: %s cannot be read: %v", name, p)
		}
	}()
	r, c = a.Dims()
	if r < 1 || c < 1 {
		return 0, 0, fmt.Errorf("rbp: %s is %dx%d, want non-empty", name, r, c)
	}
	if r > MaxDim || c > MaxDim {
		return 0, 0, fmt.Errorf("rbp: %s is %dx%d, larger than MaxDim = %d", name, r, c, MaxDim)
	}
	for i := range r {
		for j := range c {
			if v := a.At(i, j); !isFinite(v) {
				return 0, 0, fmt.Errorf("rbp: %s[%d,%d] = %v is not finite", name, i, j, v)
			}
		}
	}
	return r, c, nil
}

// checkSquare validates a square matrix argument (see checkMatrix) and returns its size.
func checkSquare(name string, a mat.Matrix) (int, error) {
	r, c, err := checkMatrix(name, a)
	if err != nil {
		return 0, err
	}
	if r != c {
		return 0, fmt.Errorf("rbp: %s is %dx%d, want square", name, r, c)
	}
	return r, nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func checkVec(name string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("rbp: %s has length %d, want %d", name, len(v), n)
	}
	for i, x := range v {
		if !isFinite(x) {
			return fmt.Errorf("rbp: %s[%d] = %v is not finite", name, i, x)
		}
	}
	return nil
}

// finiteResult returns an error naming what when v has a NaN or infinite entry: the result of a
// computation on finite arguments that overflowed float64.
func finiteResult(what string, v []float64) error {
	for i, x := range v {
		if !isFinite(x) {
			return fmt.Errorf("rbp: %s overflows float64 (entry %d is %v)", what, i, x)
		}
	}
	return nil
}

// finiteMatrix is finiteResult for a dense matrix.
func finiteMatrix(what string, m *mat.Dense) error {
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if x := m.At(i, j); !isFinite(x) {
				return fmt.Errorf("rbp: %s overflows float64 (entry [%d,%d] is %v)", what, i, j, x)
			}
		}
	}
	return nil
}

// identityMinus returns I - A (or I - A^T when transpose).
func identityMinus(a mat.Matrix, transpose bool) *mat.Dense {
	n, _ := a.Dims()
	out := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			v := a.At(i, j)
			if transpose {
				v = a.At(j, i)
			}
			out.Set(i, j, -v)
		}
		out.Set(i, i, 1+out.At(i, i))
	}
	return out
}

// ErrSingular reports that I - J (or I - A) is singular or too ill-conditioned to solve with.
var ErrSingular = errors.New("rbp: I - J is singular or ill-conditioned (condition number above MaxCond): the implicit function theorem does not apply")

// Adjoint returns the adjoint z solving (I - J^T) z = b (the implicit function theorem; the
// paper's Eq. 6): dL/dw = (dF/dw)^T z. J is dF/dh at h* (n x n), b = (dL/dh*)^T. Units: those of
// dL/dh. Errors: a nil, empty, non-square or oversized J (MaxDim), shapes, non-finite entries,
// ErrSingular when cond(I - J) > MaxCond, and an adjoint that overflows float64.
func Adjoint(j mat.Matrix, b []float64) ([]float64, error) {
	n, err := checkSquare("J", j)
	if err != nil {
		return nil, err
	}
	if err := checkVec("b", b, n); err != nil {
		return nil, err
	}
	return adjoint(j, b)
}

// adjoint is Adjoint for a validated J.
func adjoint(j mat.Matrix, b []float64) ([]float64, error) {
	n, _ := j.Dims()
	var lu mat.LU
	lu.Factorize(identityMinus(j, true))
	if c := lu.Cond(); !(c <= MaxCond) {
		return nil, fmt.Errorf("%w (cond %.3g)", ErrSingular, c)
	}
	z := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(z, false, mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	if err := finiteResult("the adjoint (I - J^T)^{-1} b", z.RawVector().Data); err != nil {
		return nil, err
	}
	return z.RawVector().Data, nil
}

// Gradient returns dL/dw = (dF/dw)^T z for the Jacobian of F with respect to the parameters,
// jw = dF/dw (n x p), and the adjoint z (length n). Units: those of L per unit of w. Errors: a nil,
// empty or oversized jw, non-finite entries, a z of the wrong length, a gradient that overflows.
func Gradient(jw mat.Matrix, z []float64) ([]float64, error) {
	n, p, err := checkMatrix("dF/dw", jw)
	if err != nil {
		return nil, err
	}
	if err := checkVec("z", z, n); err != nil {
		return nil, err
	}
	g := mat.NewVecDense(p, nil)
	g.MulVec(jw.T(), mat.NewVecDense(n, append([]float64(nil), z...)))
	if err := finiteResult("the gradient (dF/dw)^T z", g.RawVector().Data); err != nil {
		return nil, err
	}
	return g.RawVector().Data, nil
}

// NeumannPartial returns g_K = sum_{k=0}^{K} (J^T)^k b, the vector Neumann-RBP with K
// vector-Jacobian products accumulates (the paper's Algorithm 3), K >= 0. Units: those of b.
// Errors: as Adjoint's for J and b, K < 0, and a partial sum that overflows float64 (possible
// when rho(J) > 1), reported as soon as it happens.
func NeumannPartial(j mat.Matrix, b []float64, k int) ([]float64, error) {
	n, err := checkSquare("J", j)
	if err != nil {
		return nil, err
	}
	if err := checkVec("b", b, n); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("rbp: K = %d must be >= 0", k)
	}
	v := mat.NewVecDense(n, append([]float64(nil), b...))
	g := mat.NewVecDense(n, append([]float64(nil), b...))
	next := mat.NewVecDense(n, nil)
	for range k {
		next.MulVec(j.T(), v)
		v, next = next, v
		g.AddVec(g, v)
		if err := finiteResult("the Neumann partial sum", g.RawVector().Data); err != nil {
			return nil, err
		}
	}
	return g.RawVector().Data, nil
}

// NeumannError returns the exact truncation error of Neumann-RBP with K vector-Jacobian products,
//
//	z - g_K = (J^T)^{K+1} z,
//
// where z is the adjoint (Adjoint) and g_K = sum_{k<=K} (J^T)^k b (the paper's Section 3.3; claim
// RBP-3 in CLAIMS.md). Units: those of b. Errors: as Adjoint's, K < 0, and an error that
// overflows float64 (possible when rho(J) > 1).
func NeumannError(j mat.Matrix, b []float64, k int) ([]float64, error) {
	n, err := checkSquare("J", j)
	if err != nil {
		return nil, err
	}
	if err := checkVec("b", b, n); err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("rbp: K = %d must be >= 0", k)
	}
	z, err := adjoint(j, b)
	if err != nil {
		return nil, err
	}
	v := mat.NewVecDense(n, z)
	next := mat.NewVecDense(n, nil)
	for range k + 1 {
		next.MulVec(j.T(), v)
		v, next = next, v
		if err := finiteResult("a power (J^T)^k z", v.RawVector().Data); err != nil {
			return nil, err
		}
	}
	return v.RawVector().Data, nil
}

// NeumannBound returns the bound on the Neumann truncation error
//
//	|z - g_K| <= |J^T|^{K+1} |b| / (1 - |J^T|),
//
// valid in any vector norm for the induced norm normJT = |J^T| < 1 (the norm of J^T, not of J:
// they differ except in the 2-norm), with normB = |b| in the same norm. Errors: normJT outside
// [0, 1), normB < 0 or not finite, K < 0, and a bound that overflows float64 (|b| huge and |J^T|
// within rounding of 1).
func NeumannBound(normJT, normB float64, k int) (float64, error) {
	if !(normJT >= 0 && normJT < 1) {
		return 0, fmt.Errorf("rbp: |J^T| = %v must be in [0, 1) (a contraction) for the Neumann bound", normJT)
	}
	if !(normB >= 0) || math.IsInf(normB, 0) || k < 0 {
		return 0, fmt.Errorf("rbp: need |b| >= 0 finite and K >= 0, got %v and %d", normB, k)
	}
	bound := math.Pow(normJT, float64(k)+1) * normB / (1 - normJT)
	if !isFinite(bound) {
		return 0, fmt.Errorf("rbp: the Neumann bound |J^T|^(K+1) |b| / (1 - |J^T|) overflows float64 (|J^T| = %v, |b| = %v)", normJT, normB)
	}
	return bound, nil
}

// SpectralRadius returns rho(J), the largest modulus of J's eigenvalues (gonum mat.Eigen).
// Errors: a nil, empty, non-square or oversized J, non-finite entries, no convergence, a radius
// that overflows float64.
func SpectralRadius(j mat.Matrix) (float64, error) {
	n, err := checkSquare("J", j)
	if err != nil {
		return 0, err
	}
	var eig mat.Eigen
	if !eig.Factorize(mat.DenseCopyOf(j), mat.EigenNone) {
		return 0, errors.New("rbp: eigen-decomposition did not converge")
	}
	var rho float64
	for _, v := range eig.Values(make([]complex128, n)) {
		m := math.Hypot(real(v), imag(v))
		if math.IsNaN(m) {
			return 0, errors.New("rbp: eigen-decomposition gave a NaN eigenvalue")
		}
		rho = math.Max(rho, m)
	}
	if !isFinite(rho) {
		return 0, errors.New("rbp: the spectral radius overflows float64")
	}
	return rho, nil
}

// LinearFixedPoint returns the fixed point of the linear recurrence h <- A h + B x,
//
//	h* = (I - A)^{-1} B x   (the paper's Section 2, for F(h) = A h + B x; claim RBP-1 in CLAIMS.md),
//
// for A (n x n), B (n x m), x (length m). Errors: nil (also typed-nil), empty or oversized
// matrices, shapes, non-finite entries, ErrSingular, and a B x or h* that overflows float64.
func LinearFixedPoint(a, bm mat.Matrix, x []float64) ([]float64, error) {
	n, err := checkSquare("A", a)
	if err != nil {
		return nil, err
	}
	r, m, err := checkMatrix("B", bm)
	if err != nil {
		return nil, err
	}
	if r != n {
		return nil, fmt.Errorf("rbp: B has %d rows, A has %d", r, n)
	}
	if err := checkVec("x", x, m); err != nil {
		return nil, err
	}
	rhs := mat.NewVecDense(n, nil)
	rhs.MulVec(bm, mat.NewVecDense(m, append([]float64(nil), x...)))
	if err := finiteResult("B x", rhs.RawVector().Data); err != nil {
		return nil, err
	}
	var lu mat.LU
	lu.Factorize(identityMinus(a, false))
	if c := lu.Cond(); !(c <= MaxCond) {
		return nil, fmt.Errorf("%w (cond %.3g)", ErrSingular, c)
	}
	h := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(h, false, rhs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	if err := finiteResult("the fixed point (I - A)^{-1} B x", h.RawVector().Data); err != nil {
		return nil, err
	}
	return h.RawVector().Data, nil
}

// LinearGradA returns dL/dA for the linear recurrence's fixed point,
//
//	dL/dA = (I - A^T)^{-1} (dL/dh*) h*^T   (the paper's Eq. 6 for F(h) = A h + B x; claim RBP-1),
//
// an n x n matrix, from A, h* and dL/dh* (length n each). Errors: as Adjoint's, and a gradient that
// overflows float64.
func LinearGradA(a mat.Matrix, hstar, dLdh []float64) (*mat.Dense, error) {
	n, err := checkSquare("A", a)
	if err != nil {
		return nil, err
	}
	if err := checkVec("h*", hstar, n); err != nil {
		return nil, err
	}
	if err := checkVec("dL/dh*", dLdh, n); err != nil {
		return nil, err
	}
	z, err := adjoint(a, dLdh)
	if err != nil {
		return nil, err
	}
	g := mat.NewDense(n, n, nil)
	g.Outer(1, mat.NewVecDense(n, z), mat.NewVecDense(n, append([]float64(nil), hstar...)))
	if err := finiteMatrix("dL/dA", g); err != nil {
		return nil, err
	}
	return g, nil
}

// HopfieldWeights returns the effective weights of the continuous Hopfield network,
//
//	W_eff = (W + W^T) o (1 1^T - I)   (symmetric, zero diagonal; the paper's Section 4.1, claim
//	RBP-7 in CLAIMS.md).
//
// Errors: a nil, empty, non-square or oversized W, non-finite entries, and W + W^T overflowing.
func HopfieldWeights(w mat.Matrix) (*mat.Dense, error) {
	n, err := checkSquare("W", w)
	if err != nil {
		return nil, err
	}
	out := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			if i != j {
				out.Set(i, j, w.At(i, j)+w.At(j, i))
			}
		}
	}
	if err := finiteMatrix("W + W^T", out); err != nil {
		return nil, err
	}
	return out, nil
}

// HopfieldEnergy returns the energy of the continuous Hopfield network (Hopfield, 1984) at the
// outputs V in (0, 1)^n, with gain beta > 0:
//
//	E(V) = -1/2 V^T W_eff V - I_ext^T V + sum_i (1/beta) [V_i ln V_i + (1 - V_i) ln(1 - V_i)],
//
// which does not increase along du/dt = -u + W_eff V + I_ext with V = sigma(beta u) for a
// symmetric W_eff. Errors: shapes, non-finite entries, V outside (0, 1), beta <= 0 or not finite,
// and an energy that overflows float64.
func HopfieldEnergy(wEff mat.Matrix, iExt, v []float64, beta float64) (float64, error) {
	n, err := checkSquare("W_eff", wEff)
	if err != nil {
		return 0, err
	}
	if err := checkVec("I_ext", iExt, n); err != nil {
		return 0, err
	}
	if err := checkVec("V", v, n); err != nil {
		return 0, err
	}
	if !(beta > 0) || math.IsInf(beta, 0) {
		return 0, fmt.Errorf("rbp: gain beta = %v must be finite and > 0", beta)
	}
	var e float64
	for i, vi := range v {
		if !(vi > 0 && vi < 1) {
			return 0, fmt.Errorf("rbp: V[%d] = %v outside (0, 1)", i, vi)
		}
		e += (vi*math.Log(vi) + (1-vi)*math.Log1p(-vi)) / beta
	}
	vv := mat.NewVecDense(n, append([]float64(nil), v...))
	e -= 0.5*mat.Inner(vv, wEff, vv) + floats.Dot(iExt, v)
	if !isFinite(e) {
		return 0, fmt.Errorf("rbp: the Hopfield energy overflows float64 (beta = %v)", beta)
	}
	return e, nil
}

// MomentumFixedPoint returns the fixed point (w*, m*) = (H^{-1} q, 0) of one step of SGD with
// momentum on 1/2 w^T H w - q^T w (the paper's Section 4.3; claim RBP-8 in CLAIMS.md):
//
//	m' = mu m - eta (H w - q),   w' = w + m',
//
// for a symmetric positive definite H. The fixed point does not depend on eta or mu. Errors: a
// nil, empty, non-square or oversized H, non-finite entries, an H that is not exactly symmetric or
// not positive definite, cond(H) > MaxCond, and a w* that overflows float64.
func MomentumFixedPoint(h mat.Matrix, q []float64) (w, m []float64, err error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, nil, err
	}
	if err := checkVec("q", q, n); err != nil {
		return nil, nil, err
	}
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			if h.At(i, j) != h.At(j, i) {
				return nil, nil, fmt.Errorf("rbp: H is not symmetric at (%d, %d)", i, j)
			}
			sym.SetSym(i, j, h.At(i, j))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(sym) {
		return nil, nil, errors.New("rbp: H is not positive definite")
	}
	var lu mat.LU
	lu.Factorize(h)
	if c := lu.Cond(); !(c <= MaxCond) {
		return nil, nil, fmt.Errorf("rbp: H is singular or ill-conditioned (cond %.3g)", c)
	}
	ws := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(ws, false, mat.NewVecDense(n, append([]float64(nil), q...))); err != nil {
		return nil, nil, err
	}
	if err := finiteResult("the fixed point H^{-1} q", ws.RawVector().Data); err != nil {
		return nil, nil, err
	}
	return ws.RawVector().Data, make([]float64, n), nil
}

// MomentumJacobian returns the Jacobian of the momentum step with respect to the state (w, m),
// ordered w then m (2n x 2n):
//
//	J = [[I - eta H, mu I], [-eta H, mu I]].
//
// Errors: a nil, empty, non-square or oversized H, non-finite entries, eta or mu not finite, and
// eta H overflowing float64.
func MomentumJacobian(h mat.Matrix, eta, mu float64) (*mat.Dense, error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, err
	}
	if !isFinite(eta) || !isFinite(mu) {
		return nil, fmt.Errorf("rbp: learning rate %v and momentum %v must be finite", eta, mu)
	}
	j := mat.NewDense(2*n, 2*n, nil)
	for r := range n {
		for c := range n {
			j.Set(r, c, -eta*h.At(r, c))
			j.Set(n+r, c, -eta*h.At(r, c))
		}
		j.Set(r, r, 1+j.At(r, r))
		j.Set(r, n+r, mu)
		j.Set(n+r, n+r, mu)
	}
	if err := finiteMatrix("the momentum Jacobian", j); err != nil {
		return nil, err
	}
	return j, nil
}

// MomentumHyperJacobian returns dF/d(eta, mu) of the momentum step at the state (w, m), a 2n x 2
// matrix: dF/deta = -[(H w - q); (H w - q)], dF/dmu = [m; m]. At the fixed point both columns
// vanish, so the hyper-gradient of any L(h*) is exactly zero (RBP-8). Errors: a nil, empty,
// non-square or oversized H, lengths, non-finite entries, and H w - q overflowing float64.
func MomentumHyperJacobian(h mat.Matrix, q, w, m []float64) (*mat.Dense, error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, err
	}
	if err := errors.Join(checkVec("q", q, n), checkVec("w", w, n), checkVec("m", m, n)); err != nil {
		return nil, err
	}
	grad := mat.NewVecDense(n, nil)
	grad.MulVec(h, mat.NewVecDense(n, append([]float64(nil), w...)))
	out := mat.NewDense(2*n, 2, nil)
	for i := range n {
		r := grad.AtVec(i) - q[i]
		out.Set(i, 0, -r)
		out.Set(n+i, 0, -r)
		out.Set(i, 1, m[i])
		out.Set(n+i, 1, m[i])
	}
	if err := finiteMatrix("H w - q", out); err != nil {
		return nil, err
	}
	return out, nil
}
