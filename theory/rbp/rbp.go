package rbp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxCond is the largest condition number of I - J^T that Adjoint accepts: beyond it the solve
// cannot give the adjoint to better than ~1e-4 and the matrix is treated as singular.
const MaxCond = 1e12

func checkSquare(name string, a mat.Matrix) (int, error) {
	if a == nil {
		return 0, fmt.Errorf("rbp: %s is nil", name)
	}
	r, c := a.Dims()
	if r != c || r == 0 {
		return 0, fmt.Errorf("rbp: %s is %dx%d, want square and non-empty", name, r, c)
	}
	for i := range r {
		for j := range c {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("rbp: %s[%d,%d] = %v is not finite", name, i, j, v)
			}
		}
	}
	return r, nil
}

func checkVec(name string, v []float64, n int) error {
	if len(v) != n {
		return fmt.Errorf("rbp: %s has length %d, want %d", name, len(v), n)
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("rbp: %s[%d] = %v is not finite", name, i, x)
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
// dL/dh. Errors: shapes, non-finite entries, and ErrSingular when cond(I - J) > MaxCond.
func Adjoint(j mat.Matrix, b []float64) ([]float64, error) {
	n, err := checkSquare("J", j)
	if err != nil {
		return nil, err
	}
	if err := checkVec("b", b, n); err != nil {
		return nil, err
	}
	var lu mat.LU
	lu.Factorize(identityMinus(j, true))
	if c := lu.Cond(); !(c <= MaxCond) {
		return nil, fmt.Errorf("%w (cond %.3g)", ErrSingular, c)
	}
	z := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(z, false, mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	return z.RawVector().Data, nil
}

// Gradient returns dL/dw = (dF/dw)^T z for the Jacobian of F with respect to the parameters,
// jw = dF/dw (n x p), and the adjoint z (length n). Units: those of L per unit of w.
func Gradient(jw mat.Matrix, z []float64) ([]float64, error) {
	if jw == nil {
		return nil, errors.New("rbp: dF/dw is nil")
	}
	n, p := jw.Dims()
	if err := checkVec("z", z, n); err != nil {
		return nil, err
	}
	g := mat.NewVecDense(p, nil)
	g.MulVec(jw.T(), mat.NewVecDense(n, append([]float64(nil), z...)))
	for i, v := range g.RawVector().Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("rbp: gradient entry %d is %v (non-finite dF/dw)", i, v)
		}
	}
	return g.RawVector().Data, nil
}

// NeumannPartial returns g_K = sum_{k=0}^{K} (J^T)^k b, the vector Neumann-RBP with K
// vector-Jacobian products accumulates (the paper's Algorithm 3), K >= 0. Units: those of b.
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
	}
	return g.RawVector().Data, nil
}

// NeumannError returns the exact truncation error of Neumann-RBP with K vector-Jacobian products,
//
//	z - g_K = (J^T)^{K+1} z,
//
// where z is the adjoint (Adjoint) and g_K = sum_{k<=K} (J^T)^k b (shared/spec/rbp.md, RBP-3).
// Units: those of b.
func NeumannError(j mat.Matrix, b []float64, k int) ([]float64, error) {
	z, err := Adjoint(j, b)
	if err != nil {
		return nil, err
	}
	if k < 0 {
		return nil, fmt.Errorf("rbp: K = %d must be >= 0", k)
	}
	n := len(z)
	v := mat.NewVecDense(n, z)
	next := mat.NewVecDense(n, nil)
	for range k + 1 {
		next.MulVec(j.T(), v)
		v, next = next, v
	}
	return v.RawVector().Data, nil
}

// NeumannBound returns the bound on the Neumann truncation error
//
//	|z - g_K| <= |J^T|^{K+1} |b| / (1 - |J^T|),
//
// valid in any vector norm for the induced norm normJT = |J^T| < 1 (the norm of J^T, not of J:
// they differ except in the 2-norm), with normB = |b| in the same norm. Errors: normJT outside
// [0, 1), normB < 0, K < 0.
func NeumannBound(normJT, normB float64, k int) (float64, error) {
	if !(normJT >= 0 && normJT < 1) {
		return 0, fmt.Errorf("rbp: |J^T| = %v must be in [0, 1) (a contraction) for the Neumann bound", normJT)
	}
	if !(normB >= 0) || math.IsInf(normB, 0) || k < 0 {
		return 0, fmt.Errorf("rbp: need |b| >= 0 finite and K >= 0, got %v and %d", normB, k)
	}
	return math.Pow(normJT, float64(k+1)) * normB / (1 - normJT), nil
}

// SpectralRadius returns rho(J), the largest modulus of J's eigenvalues (gonum mat.Eigen).
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
		rho = math.Max(rho, math.Hypot(real(v), imag(v)))
	}
	return rho, nil
}

// LinearFixedPoint returns the fixed point of the linear recurrence h <- A h + B x,
//
//	h* = (I - A)^{-1} B x   (shared/spec/rbp.md, RBP-1),
//
// for A (n x n), B (n x m), x (length m). Errors: shapes, non-finite entries, ErrSingular.
func LinearFixedPoint(a, bm mat.Matrix, x []float64) ([]float64, error) {
	n, err := checkSquare("A", a)
	if err != nil {
		return nil, err
	}
	if bm == nil {
		return nil, errors.New("rbp: B is nil")
	}
	r, m := bm.Dims()
	if r != n {
		return nil, fmt.Errorf("rbp: B has %d rows, A has %d", r, n)
	}
	if err := checkVec("x", x, m); err != nil {
		return nil, err
	}
	rhs := mat.NewVecDense(n, nil)
	rhs.MulVec(bm, mat.NewVecDense(m, append([]float64(nil), x...)))
	var lu mat.LU
	lu.Factorize(identityMinus(a, false))
	if c := lu.Cond(); !(c <= MaxCond) {
		return nil, fmt.Errorf("%w (cond %.3g)", ErrSingular, c)
	}
	h := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(h, false, rhs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	return h.RawVector().Data, nil
}

// LinearGradA returns dL/dA for the linear recurrence's fixed point,
//
//	dL/dA = (I - A^T)^{-1} (dL/dh*) h*^T   (shared/spec/rbp.md, RBP-1),
//
// an n x n matrix, from A, h* and dL/dh* (length n each).
func LinearGradA(a mat.Matrix, hstar, dLdh []float64) (*mat.Dense, error) {
	n, err := checkSquare("A", a)
	if err != nil {
		return nil, err
	}
	if err := checkVec("h*", hstar, n); err != nil {
		return nil, err
	}
	z, err := Adjoint(a, dLdh)
	if err != nil {
		return nil, err
	}
	g := mat.NewDense(n, n, nil)
	g.Outer(1, mat.NewVecDense(n, z), mat.NewVecDense(n, append([]float64(nil), hstar...)))
	return g, nil
}

// HopfieldWeights returns the effective weights of the continuous Hopfield network,
//
//	W_eff = (W + W^T) o (1 1^T - I)   (symmetric, zero diagonal; shared/spec/rbp.md, RBP-7).
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
	return out, nil
}

// HopfieldEnergy returns the energy of the continuous Hopfield network (Hopfield, 1984) at the
// outputs V in (0, 1)^n, with gain beta > 0:
//
//	E(V) = -1/2 V^T W_eff V - I_ext^T V + sum_i (1/beta) [V_i ln V_i + (1 - V_i) ln(1 - V_i)],
//
// which does not increase along du/dt = -u + W_eff V + I_ext with V = sigma(beta u) for a
// symmetric W_eff. Errors: shapes, V outside (0, 1), beta <= 0.
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
	return e, nil
}

// MomentumFixedPoint returns the fixed point (w*, m*) = (H^{-1} q, 0) of one step of SGD with
// momentum on 1/2 w^T H w - q^T w (shared/spec/rbp.md, RBP-8):
//
//	m' = mu m - eta (H w - q),   w' = w + m',
//
// for a symmetric positive definite H. The fixed point does not depend on eta or mu.
func MomentumFixedPoint(h mat.Matrix, q []float64) (w, m []float64, err error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, nil, err
	}
	if err := checkVec("q", q, n); err != nil {
		return nil, nil, err
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
	return ws.RawVector().Data, make([]float64, n), nil
}

// MomentumJacobian returns the Jacobian of the momentum step with respect to the state (w, m),
// ordered w then m (2n x 2n):
//
//	J = [[I - eta H, mu I], [-eta H, mu I]].
func MomentumJacobian(h mat.Matrix, eta, mu float64) (*mat.Dense, error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(eta) || math.IsInf(eta, 0) || math.IsNaN(mu) || math.IsInf(mu, 0) {
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
	return j, nil
}

// MomentumHyperJacobian returns dF/d(eta, mu) of the momentum step at the state (w, m), a 2n x 2
// matrix: dF/deta = -[(H w - q); (H w - q)], dF/dmu = [m; m]. At the fixed point both columns
// vanish, so the hyper-gradient of any L(h*) is exactly zero (RBP-8).
func MomentumHyperJacobian(h mat.Matrix, q, w, m []float64) (*mat.Dense, error) {
	n, err := checkSquare("H", h)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string][]float64{"q": q, "w": w, "m": m} {
		if err := checkVec(name, v, n); err != nil {
			return nil, err
		}
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
	return out, nil
}
