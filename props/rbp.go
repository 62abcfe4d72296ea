package props

// RBP: Liao et al., "Reviving and Improving Recurrent Back-Propagation" (ICML 2018); catalogue
// shared/spec/rbp.md. Closed forms: theory/rbp; simulations: numeric/rbp.
//
// Counting convention (RBP-2): Neumann-RBP with K vector-Jacobian products accumulates the series
// terms J^0 .. J^K; with every state equal to h* it equals TBPTT through the last K+1
// applications of F. The paper's "K-step Neumann-RBP equals K-step TBPTT" counts the other way;
// the off-by-one version (TBPTT through K applications) misses the J^K term and is the negative
// control.

import (
	"fmt"
	"math"
	"math/rand/v2"

	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TanhProblem is F(h) = tanh(W h + U x + c) with L = 1/2 |h* - y|^2.
type TanhProblem struct {
	W        *mat.Dense
	C, Drive []float64 // c and U x
	Y        []float64
}

// NewTanhProblem draws a problem of size n from PCG(seed, 5) with |W|_2 = q (0 < q < 1): W is a
// Gaussian matrix rescaled to that spectral norm, c, U x and y standard normal.
func NewTanhProblem(n int, q float64, seed uint64) (TanhProblem, error) {
	if n < 1 || !(q > 0 && q < 1) {
		return TanhProblem{}, fmt.Errorf("tanh problem needs n >= 1 and 0 < q < 1, got %d, %v", n, q)
	}
	rng := rand.New(rand.NewPCG(seed, 5))
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, rng.NormFloat64())
		}
	}
	norm, err := rbp.SpectralNorm(w)
	if err != nil || norm == 0 {
		return TanhProblem{}, fmt.Errorf("degenerate W: %v", err)
	}
	w.Scale(q/norm, w)
	draw := func() []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	return TanhProblem{W: w, C: draw(), Drive: draw(), Y: draw()}, nil
}

// CanonicalProblem is the catalogue's reference problem (shared/spec/rbp.md, Reference grid).
func CanonicalProblem() TanhProblem {
	return TanhProblem{
		W:     mat.NewDense(3, 3, []float64{0.2, -0.3, 0.1, 0.4, 0.1, -0.2, -0.1, 0.3, 0.25}),
		C:     []float64{0.5, -0.4, 0.3},
		Drive: []float64{0, 0, 0},
		Y:     []float64{0.1, 0.2, -0.3},
	}
}

func (p TanhProblem) bias() []float64 {
	b := make([]float64, len(p.C))
	floats.AddTo(b, p.C, p.Drive)
	return b
}

// Model returns the problem as a numeric/rbp model (parameters: W then c).
func (p TanhProblem) Model() (*simrbp.Tanh, error) {
	return simrbp.NewTanh(mat.DenseCopyOf(p.W).RawMatrix().Data, p.C, p.Drive)
}

// lossGrad is dL/dh = h - y.
func (p TanhProblem) lossGrad(dst, h []float64) { floats.SubTo(dst, h, p.Y) }

func (p TanhProblem) loss(h []float64) float64 {
	d := make([]float64, len(h))
	floats.SubTo(d, h, p.Y)
	return 0.5 * floats.Dot(d, d)
}

// Implicit is the analytic side of a tanh problem: h*, J, b, the adjoint z and dL/dW.
type Implicit struct {
	HStar, B, Z []float64
	J           *mat.Dense
	GradW       *mat.Dense
	gradOf      func(z []float64) *mat.Dense
}

// Solve computes the implicit gradient with theory/rbp (Newton fixed point, dense adjoint solve).
// adjoint may substitute a wrong variant (negative controls); nil is rbp.Adjoint.
func (p TanhProblem) Solve(adjoint func(mat.Matrix, []float64) ([]float64, error)) (Implicit, error) {
	h, err := rbp.TanhFixedPoint(p.W, p.bias())
	if err != nil {
		return Implicit{}, err
	}
	j, gradOf, err := rbp.TanhJacobians(p.W, p.bias(), h)
	if err != nil {
		return Implicit{}, err
	}
	b := make([]float64, len(h))
	p.lossGrad(b, h)
	if adjoint == nil {
		adjoint = rbp.Adjoint
	}
	z, err := adjoint(j, b)
	if err != nil {
		return Implicit{}, err
	}
	return Implicit{HStar: h, B: b, Z: z, J: j, GradW: gradOf(z), gradOf: gradOf}, nil
}

// WrongAdjointTranspose solves (I - J) z = b instead of (I - J^T) z = b: the transpose slip.
func WrongAdjointTranspose(j mat.Matrix, b []float64) ([]float64, error) {
	return rbp.Adjoint(j.T(), b)
}

// fdGradW is the central finite difference of L(h*(W)) in every W_ij with step delta, each h*
// found by the numeric forward iteration to fdFixTol (independent of the Newton solve).
func (p TanhProblem) fdGradW(delta float64) (*mat.Dense, error) {
	n, _ := p.W.Dims()
	m, err := p.Model()
	if err != nil {
		return nil, err
	}
	lossAt := func() (float64, error) {
		h, rep, err := simrbp.FixedPoint(m, make([]float64, n), fdFixTol, 100000)
		if err != nil || !rep.Converged {
			return 0, fmt.Errorf("forward iteration did not converge (%+v, %v)", rep, err)
		}
		return p.loss(h), nil
	}
	g, err := fdParams(m.Params(), delta, lossAt)
	if err != nil {
		return nil, err
	}
	return mat.NewDense(n, n, g[:n*n]), nil // W's entries come first
}

// fdTol is the relative tolerance of a finite-difference gradient comparison (RBP-1, 7, 9).
const fdTol = 1e-6

// fdDelta is the central-difference step of the finite-difference gradients for a well-conditioned
// problem; fdStep shrinks it by kappa = |(I - J)^{-1}|_inf, since the truncation error is about
// (delta kappa)^2 relative (h*(w) has derivatives growing like kappa^k).
const fdDelta = 1e-5

// fdFixTol is the relative stopping tolerance of the fixed-point iterations behind a
// finite-difference loss (a few roundings above the iteration's floor).
const fdFixTol = 1e-14

func fdStep(kappa float64) float64 { return fdDelta / math.Max(1, kappa) }

// fdFloor is the absolute error of a central-difference gradient of L(h*(w)) with step
// delta = fdStep(kappa), times a safety factor 10: the loss's rounding, 2 eps |L| / delta; the
// fixed-point iteration's stopping error, kappa fdFixTol (1 + |h|) |b| / delta; and the
// truncation delta^2 |L^(3)|/6 <= delta^2 kappa^3 (1 + |h|)^2 (the third derivative's leading
// term is 3 h' h” with |h'| <= kappa |h| and |h”| <= 2 kappa^2 |h|), with
// kappa = |(I - J)^{-1}|_inf. Gradients much smaller than |L| cannot be compared at fdTol alone.
func fdFloor(kappa, loss float64, b, h []float64) float64 {
	d, nh := fdStep(kappa), 1+floats.Norm(h, math.Inf(1))
	return 10 * (kappa*(2*2.2e-16*math.Abs(loss)+fdFixTol*floats.Norm(b, math.Inf(1))*nh)/d + d*d*kappa*kappa*kappa*nh*nh)
}

// identityMinus returns I - J.
func identityMinus(j mat.Matrix) *mat.Dense {
	n, _ := j.Dims()
	ij := mat.NewDense(n, n, nil)
	for i := range n {
		ij.Set(i, i, 1)
	}
	ij.Sub(ij, j)
	return ij
}

// amplification returns |(I - J)^{-1}|_inf.
func amplification(j mat.Matrix) (float64, error) {
	var inv mat.Dense
	if err := inv.Inverse(identityMinus(j)); err != nil {
		return 0, err
	}
	return mat.Norm(&inv, math.Inf(1)), nil
}

// jacobianOf builds dF/dh at h from a model's Jacobian-vector products.
func jacobianOf(m simrbp.Model, h []float64) *mat.Dense {
	n := m.Dim()
	j := mat.NewDense(n, n, nil)
	e, col := make([]float64, n), make([]float64, n)
	for k := range n {
		e[k] = 1
		m.JVP(col, h, e)
		j.SetCol(k, col)
		e[k] = 0
	}
	return j
}

// fdParams returns the central differences (loss(w + delta e_k) - loss(w - delta e_k)) / (2 delta)
// for every entry of the live parameter vector w, restoring each entry after use.
func fdParams(w []float64, delta float64, loss func() (float64, error)) ([]float64, error) {
	g := make([]float64, len(w))
	for k := range w {
		orig := w[k]
		w[k] = orig + delta
		lp, err1 := loss()
		w[k] = orig - delta
		lm, err2 := loss()
		w[k] = orig
		if err := firstErr(err1, err2); err != nil {
			return nil, err
		}
		g[k] = (lp - lm) / (2 * delta)
	}
	return g, nil
}

// fdCheck compares a gradient with its finite differences: pass when
// |got - fd|_inf <= fdTol |fd|_inf + floor (fdFloor).
func fdCheck(what string, got, fd *mat.Dense, floor float64) Result {
	var diff mat.Dense
	diff.Sub(got, fd)
	d, bound := mat.Norm(&diff, math.Inf(1)), fdTol*mat.Norm(fd, math.Inf(1))+floor
	return Result{Case: what, Measured: d, Bound: bound, Pass: d <= bound,
		Detail: fmt.Sprintf("|grad - fd|_inf %.3g, |fd|_inf %.3g, noise floor %.3g", d, mat.Norm(fd, math.Inf(1)), floor)}
}

// RBP1 checks the implicit gradient dL/dW = (dF/dW)^T (I - J^T)^{-1} b against central finite
// differences of L(h*(W)). adjoint: nil, or a wrong variant.
func RBP1(p TanhProblem, adjoint func(mat.Matrix, []float64) ([]float64, error)) Result {
	n, _ := p.W.Dims()
	what := fmt.Sprintf("RBP-1 implicit gradient vs finite differences, n=%d", n)
	imp, err := p.Solve(adjoint)
	if err != nil {
		return failed(what, err)
	}
	kappa, err := amplification(imp.J)
	if err != nil {
		return failed(what, err)
	}
	fd, err := p.fdGradW(fdStep(kappa))
	if err != nil {
		return failed(what, err)
	}
	return fdCheck(what, imp.GradW, fd, fdFloor(kappa, p.loss(imp.HStar), imp.B, imp.HStar))
}

// RBP1Linear checks the linear closed forms: h* = (I - A)^{-1} B x against the forward iteration
// (relative 1e-12), and dL/dA = (I - A^T)^{-1} (h* - y) h*^T against finite differences.
func RBP1Linear(a *mat.Dense, bx, y []float64) []Result {
	n, _ := a.Dims()
	ident := mat.NewDense(n, n, nil)
	for i := range n {
		ident.Set(i, i, 1)
	}
	hs, err := rbp.LinearFixedPoint(a, ident, bx)
	if err != nil {
		return []Result{failed("RBP-1 linear", err)}
	}
	m, err := simrbp.NewLinear(a.RawMatrix().Data, bx)
	if err != nil {
		return []Result{failed("RBP-1 linear", err)}
	}
	h, rep, err := simrbp.FixedPoint(m, make([]float64, n), fdFixTol, 1000000)
	if err != nil || !rep.Converged {
		return []Result{failed("RBP-1 linear", fmt.Errorf("forward iteration: %+v %v", rep, err))}
	}
	kappa, err := amplification(a)
	if err != nil {
		return []Result{failed("RBP-1 linear", err)}
	}
	dl := make([]float64, n)
	floats.SubTo(dl, hs, y)
	grad, err := rbp.LinearGradA(a, hs, dl)
	if err != nil {
		return []Result{failed("RBP-1 linear", err)}
	}
	fdv, err := fdParams(m.Params(), fdStep(kappa), func() (float64, error) {
		hh, _, err := simrbp.FixedPoint(m, make([]float64, n), fdFixTol, 1000000)
		d := make([]float64, n)
		floats.SubTo(d, hh, y)
		return 0.5 * floats.Dot(d, d), err
	})
	if err != nil {
		return []Result{failed("RBP-1 linear", err)}
	}
	fd := mat.NewDense(n, n, fdv)
	// A stopped iteration is off by exactly h - h* = -(I - A)^{-1} (F(h) - h), so its distance to h*
	// is at most |(I - A)^{-1}|_inf times the residual; the solve adds ~1e-14 |h*|.
	allowed := kappa*rep.Residual + 1e-14*floats.Norm(hs, math.Inf(1))
	return []Result{
		{Case: "RBP-1 linear h* = (I-A)^-1 Bx", Measured: floats.Distance(h, hs, math.Inf(1)), Bound: allowed,
			Pass: floats.Distance(h, hs, math.Inf(1)) <= allowed, Detail: fmt.Sprintf("iteration residual %.3g after %d steps", rep.Residual, rep.Iterations)},
		fdCheck("RBP-1 linear dL/dA closed form vs finite differences", grad, fd, fdFloor(kappa, 0.5*floats.Dot(dl, dl), dl, hs)),
	}
}

// neumannTBPTT returns Neumann-RBP(K) and TBPTT through the last m applications, both at h*.
func neumannTBPTT(p TanhProblem, hstar []float64, k, m int) (neu, tb []float64, err error) {
	model, err := p.Model()
	if err != nil {
		return nil, nil, err
	}
	neu, err = simrbp.Neumann(model, hstar, k, p.lossGrad)
	if err != nil {
		return nil, nil, err
	}
	tb, _, err = simrbp.TBPTT(model, hstar, m, p.lossGrad)
	return neu, tb, err
}

// rbpIdentityTol is the relative tolerance of the Neumann = TBPTT identity: both sums of K+1
// terms of size <= |b| |dF/dw|, accumulated in different orders. It is relative to identityScale,
// the size of those terms, not of their sum, which can cancel far below them.
const rbpIdentityTol = 1e-12

// identityScale returns max(|Neumann(K)|_inf, |Neumann(0)|_inf) at h: the size of the identity's
// terms (Neumann(0) = (dF/dw)^T b is the first and, for a contraction, the largest).
func identityScale(m simrbp.Model, h, neu []float64, lossGrad func(dst, h []float64)) float64 {
	first, err := simrbp.Neumann(m, h, 0, lossGrad)
	if err != nil {
		return math.Inf(1)
	}
	return math.Max(floats.Norm(neu, math.Inf(1)), floats.Norm(first, math.Inf(1))) + 1e-300
}

// identityCheck compares Neumann-RBP(K) with a TBPTT gradient computed at h: pass when
//
//	|neu - tb|_inf <= rbpIdentityTol identityScale + 10 (K + 1) r (1 + |h|_inf + |b|_inf),
//
// where r = |F(h) - h|_inf is how far h is from being the fixed point. TBPTT's states are
// F(h), F(F(h)), ...: each is off by about r, which moves b and dF/dw by O(r) in absolute terms,
// negligible for an ordinary gradient but not when b ~ 0 makes the gradient itself tiny.
func identityCheck(what string, m simrbp.Model, h []float64, k int, neu, tb []float64, lossGrad func(dst, h []float64)) Result {
	next, b := make([]float64, len(h)), make([]float64, len(h))
	m.Step(next, h)
	lossGrad(b, h)
	r := floats.Distance(next, h, math.Inf(1))
	bound := rbpIdentityTol*identityScale(m, h, neu, lossGrad) + 10*float64(k+1)*r*(1+floats.Norm(h, math.Inf(1))+floats.Norm(b, math.Inf(1)))
	d := floats.Distance(neu, tb, math.Inf(1))
	return Result{Case: what, Measured: d, Bound: bound, Pass: d <= bound,
		Detail: fmt.Sprintf("|Neumann - TBPTT|_inf %.3g; terms of size %.3g; fixed-point residual %.2g", d, identityScale(m, h, neu, lossGrad), r)}
}

// RBP2 checks Neumann-RBP(K) = TBPTT(K + offset) at the fixed point, relative to the gradient's
// size. offset = 1 is the claim; offset = 0 is the off-by-one negative control.
func RBP2(p TanhProblem, k, offset int) Result {
	what := fmt.Sprintf("RBP-2 Neumann(K=%d) = TBPTT(%d) at h*", k, k+offset)
	imp, err := p.Solve(nil)
	if err != nil {
		return failed(what, err)
	}
	neu, tb, err := neumannTBPTT(p, imp.HStar, k, k+offset)
	if err != nil {
		return failed(what, err)
	}
	model, err := p.Model()
	if err != nil {
		return failed(what, err)
	}
	return identityCheck(what, model, imp.HStar, k, neu, tb, p.lossGrad)
}

// RBP2Unconverged compares Neumann-RBP(K) at h_{K+1} with TBPTT through the K+1 applications
// from h_0 = h* + 0.5 (+-1, +-1, ...) (a forward pass that has not converged): the identity needs
// every state at the fixed point, so this must fail (negative control).
func RBP2Unconverged(p TanhProblem, k int) Result {
	what := fmt.Sprintf("RBP-2 unconverged forward pass, Neumann(K=%d) vs TBPTT(%d)", k, k+1)
	imp, err := p.Solve(nil)
	if err != nil {
		return failed(what, err)
	}
	model, err := p.Model()
	if err != nil {
		return failed(what, err)
	}
	h0 := append([]float64(nil), imp.HStar...)
	for i := range h0 {
		h0[i] += 0.5 * float64(1-2*(i%2))
	}
	tb, hT, err := simrbp.TBPTT(model, h0, k+1, p.lossGrad)
	if err != nil {
		return failed(what, err)
	}
	neu, err := simrbp.Neumann(model, hT, k, p.lossGrad)
	if err != nil {
		return failed(what, err)
	}
	// The control asserts the identity as if h_T were the fixed point: the claim's tolerance there
	// (residual ~ 0), not identityCheck's allowance for h_T's own, large, residual.
	return RelCheck(what, floats.Distance(neu, tb, math.Inf(1)), 0, identityScale(model, hT, neu, p.lossGrad), rbpIdentityTol)
}

// RBP2Limits checks that Neumann-RBP(K) tends to the implicit gradient (its error at K = 40 is
// at most |W|_2^41 / (1 - |W|_2) times |b| |dF/dW| in relative terms, the Neumann bound in the
// 2-norm) and that full BPTT from h_0 = 0 approaches it geometrically: the gap is at most
// C T^2 q^T (state errors q^t carried through products of Jacobians that depend on those states),
// so its rate from T1 to 2 T1 is at most q 4^(1/T1), q = |W|_2. T1 = ceil(10/(1 - q)) keeps that
// bound below 1 and the gap at 2 T1 (about e^-20) above rounding.
func RBP2Limits(p TanhProblem) []Result {
	imp, err := p.Solve(nil)
	if err != nil {
		return []Result{failed("RBP-2 limits", err)}
	}
	model, err := p.Model()
	if err != nil {
		return []Result{failed("RBP-2 limits", err)}
	}
	q, _ := rbp.SpectralNorm(p.W)
	n, _ := p.W.Dims()
	exact := imp.GradW.RawMatrix().Data // dL/dW; the models' gradients list W first, then c
	errOf := func(g []float64) float64 { return floats.Distance(g[:n*n], exact, math.Inf(1)) }
	neu, _ := simrbp.Neumann(model, imp.HStar, 40, p.lossGrad)
	bound := math.Pow(q, 41) / (1 - q)
	scale := floats.Norm(imp.B, 2) * floats.Norm(imp.HStar, 2) // |dF/dW^T| <= |h*| for tanh
	out := []Result{{Case: "RBP-2 Neumann(K=40) -> implicit gradient", Measured: errOf(neu) / scale, Bound: bound,
		Pass: errOf(neu)/scale <= bound*(1+1e-9)+1e-14, Detail: fmt.Sprintf("error %.3g, |b||h*| %.3g, q %.4g", errOf(neu), scale, q)}}
	t1 := int(math.Ceil(10 / (1 - q)))
	e1, e2 := 0.0, 0.0
	for i, t := range []int{t1, 2 * t1} {
		g, _, err := simrbp.TBPTT(model, make([]float64, n), t, p.lossGrad)
		if err != nil {
			return append(out, failed("RBP-2 BPTT", err))
		}
		if i == 0 {
			e1 = errOf(g)
		} else {
			e2 = errOf(g)
		}
	}
	rate := math.Pow(e2/e1, 1/float64(t1))
	limit := q * math.Pow(4, 1/float64(t1)) * (1 + 1e-6)
	// Below 1e-12 of the gradient the gap is rounding and has no rate.
	floor := 1e-12 * math.Max(floats.Norm(exact, math.Inf(1)), scale)
	return append(out, Result{Case: "RBP-2 full BPTT gap shrinks geometrically in T", Measured: rate, Bound: limit,
		Pass: rate <= limit || e2 <= floor, Detail: fmt.Sprintf("gap %.3g at T=%d, %.3g at T=%d (rounding floor %.3g)", e1, t1, e2, 2*t1, floor)})
}
