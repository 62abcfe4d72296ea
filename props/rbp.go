package props

// RBP: Liao et al., "Reviving and Improving Recurrent Back-Propagation" (ICML 2018); the claims
// are RBP-1 .. RBP-9 of CLAIMS.md. Closed forms: theory/rbp; simulations and problem builders:
// numeric/rbp; finite differences and Jacobians by products: numeric/diff.
//
// Counting convention (RBP-2): Neumann-RBP with K vector-Jacobian products accumulates the series
// terms J^0 .. J^K; with every state equal to h* it equals TBPTT through the last K+1
// applications of F. The paper's "K-step Neumann-RBP equals K-step TBPTT" counts the other way;
// the off-by-one version (TBPTT through K applications) misses the J^K term and is the negative
// control.

import (
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/dlt5/verify/numeric/diff"
	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// AdjointFormula is the shape of rbp.Adjoint: solve (I - J^T) z = b. Cases take it so a negative
// control can substitute a wrong variant.
type AdjointFormula func(j mat.Matrix, b []float64) ([]float64, error)

// implicit is the analytic side of a tanh problem: h*, J, b, the adjoint z and dL/dW.
type implicit struct {
	hStar, b, z []float64
	j           *mat.Dense
	gradW       *mat.Dense
	gradOf      func(z []float64) *mat.Dense
}

// implicitOf computes the implicit gradient with theory/rbp (Newton fixed point, dense adjoint
// solve); adjoint nil is rbp.Adjoint.
func implicitOf(p simrbp.TanhProblem, adjoint AdjointFormula) (implicit, error) {
	if err := p.Validate(); err != nil {
		return implicit{}, err
	}
	h, err := rbp.TanhFixedPoint(p.W, p.Bias())
	if err != nil {
		return implicit{}, err
	}
	j, gradOf, err := rbp.TanhJacobians(p.W, p.Bias(), h)
	if err != nil {
		return implicit{}, err
	}
	b := make([]float64, len(h))
	p.LossGrad(b, h)
	if adjoint == nil {
		adjoint = rbp.Adjoint
	}
	z, err := adjoint(j, b)
	if err != nil {
		return implicit{}, err
	}
	return implicit{hStar: h, b: b, z: z, j: j, gradW: gradOf(z), gradOf: gradOf}, nil
}

// WrongAdjointTranspose solves (I - J) z = b instead of (I - J^T) z = b: the transpose slip
// (RBP-1 control).
func WrongAdjointTranspose(j mat.Matrix, b []float64) ([]float64, error) {
	return rbp.Adjoint(j.T(), b)
}

// fdTol is the relative tolerance of a finite-difference gradient comparison (RBP-1, 7, 9).
const fdTol = 1e-6

// fdDelta is the step of the Richardson-extrapolated finite-difference gradients
// (diff.GradientRichardson, truncation O(delta^4)) when the floor has no truncation term (h* = 0).
// Otherwise fdFloor chooses the step that minimises it. Central differences at 1e-5 left a noise
// floor of 4e-6 to 4e-5 of |fd| in the command's cases, past fdTol; Richardson at the optimal step
// brings them below 2e-7.
const fdDelta = 1e-3

// fdFixTol is the relative stopping tolerance of the fixed-point iterations behind a
// finite-difference loss (a few roundings above the iteration's floor).
const fdFixTol = 1e-14

// fdFloor returns the step delta of a Richardson finite-difference gradient of L(h*(w)) and its
// absolute error bound at that step, times a safety factor 10: the loss's rounding,
// 1.5 eps |L| / delta (the extrapolation's weights (4 D(delta/2) - D(delta))/3 sum the roundings
// of four values); the fixed-point iteration's stopping error, kappa tol (1 + |h|) |b| / delta
// (tol: fdLoss.tol); and the truncation delta^4 |L^(5)| / 480 <= delta^4 kappa^5 |h|
// (|b| + 16 |h|) / 4 (the k-th derivative of h*(w) is at most k! kappa^k |h| in size), with
// kappa = |(I - J)^{-1}|_inf. The bound A / delta + B delta^4 is least at
// delta = (A / (4 B))^(1/5), the step used.
func fdFloor(kappa, loss, tol float64, b, h []float64) (step, floor float64) {
	nh, nb := floats.Norm(h, math.Inf(1)), floats.Norm(b, math.Inf(1))
	k5 := kappa * kappa * kappa * kappa * kappa
	a := 10 * (1.5*2.2e-16*math.Abs(loss) + kappa*tol*(1+nh)*nb)
	bb := 10 * k5 * nh * (nb + 16*nh) / 4
	step = fdDelta
	if bb > 0 && a > 0 {
		step = math.Min(math.Pow(a/(4*bb), 0.2), fdDelta)
	}
	return step, a/step + bb*step*step*step*step
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

// jacobianAt builds dF/dh at h from a model's Jacobian-vector products.
func jacobianAt(m simrbp.Model, h []float64) (*mat.Dense, error) {
	return diff.Jacobian(m.Dim(), func(dst, v []float64) { m.JVP(dst, h, v) })
}

// fdLoss is the loss L(h*(w)) whose finite differences a gradient claim is held to: eval finds
// h* by the forward iteration from 0, stopped at |F(h) - h| <= tol (1 + |h|).
type fdLoss struct {
	eval func() (float64, error)
	tol  float64
}

// fixedPointLoss builds the fdLoss of m (fixed point hstar at the current parameters). Its
// tolerance is the tightest of fdFixTol |h*| / (1 + |h*|) times 4^k, k = 0, 1, ..., up to fdFixTol,
// that the iteration reaches in 10^4 steps at the current parameters (rho(J) <= 0.95 here, so that
// is far past convergence; a model's own rounding, as a tanh of a sum of larger terms, can stall
// it when |h*| is tiny), times 8 for the perturbed ones (whose rounding stalls elsewhere; twice
// was not enough for a tanh problem at n = 1): small fixed points are then solved to the
// relative accuracy of large ones, about 1e-14, float64's limit for these iterations.
func fixedPointLoss(m simrbp.Model, hstar []float64, lossGrad func(dst, h []float64)) (fdLoss, error) {
	n := m.Dim()
	nh := floats.Norm(hstar, math.Inf(1))
	tol := math.Max(fdFixTol*nh/(1+nh), fdFixTol/1024) // h* = 0 would leave 0 to multiply
	for tol < fdFixTol {
		_, rep, err := simrbp.FixedPoint(m, make([]float64, n), tol, 10000)
		if err != nil {
			return fdLoss{}, err
		}
		if rep.Converged {
			break
		}
		tol *= 4
	}
	tol = math.Max(8*math.Min(tol, fdFixTol), 1e-15) // at least 4.5 eps: residuals come in eps-sized steps
	b := make([]float64, n)
	eval := func() (float64, error) {
		h, rep, err := simrbp.FixedPoint(m, make([]float64, n), tol, 1000000)
		if err != nil {
			return 0, err
		}
		if !rep.Converged {
			return 0, fmt.Errorf("forward iteration did not converge (%+v)", rep)
		}
		lossGrad(b, h) // every loss here is 1/2 |dL/dh|^2 on the units it reads
		return 0.5 * floats.Dot(b, b), nil
	}
	return fdLoss{eval: eval, tol: tol}, nil
}

// fdCheck compares a gradient with Richardson finite differences of loss in the first len(got)
// entries of the live parameters w (the ones compared; the rest are not differenced): pass when
// |got - fd|_inf <= fdTol |fd|_inf + floor (fdFloor at the loss value lossValue, b = dL/dh and the
// fixed point h). Its MDE is (fdTol |fd| + floor) / |fd|, the smallest relative gradient error it
// sees: at most 2 fdTol when the floor is below fdTol |fd|, the catalogue's 1e-6. A gradient far
// smaller than the loss or than |b| (1 + |h|) cannot get there: the loss's own rounding,
// eps |L| / delta, or the iteration's least residual is the floor, and the detail says
// "rounding-limited".
func fdCheck(what string, got []float64, m simrbp.Model, kappa float64, lossGrad func(dst, h []float64), lossValue float64, b, h []float64) claim.Result {
	w := m.Params()
	if len(got) > len(w) {
		return claim.Failed(what, fmt.Errorf("a gradient of %d entries for %d parameters", len(got), len(w)))
	}
	loss, err := fixedPointLoss(m, h, lossGrad)
	if err != nil {
		return claim.Failed(what, err)
	}
	step, floor := fdFloor(kappa, lossValue, loss.tol, b, h)
	fd, err := diff.GradientRichardson(w[:len(got)], step, loss.eval)
	if err != nil {
		return claim.Failed(what, err)
	}
	nfd := floats.Norm(fd, math.Inf(1))
	d, bound := floats.Distance(got, fd, math.Inf(1)), fdTol*nfd+floor
	detail := fmt.Sprintf("|grad - fd|_inf %.3g, |fd|_inf %.3g, step %.2g, noise floor %.3g (%.2g of |fd|)", d, nfd, step, floor, floor/nfd)
	// The parts of the floor float64 sets whatever the step: the loss's rounding, and the
	// iteration's stopping error (its tolerance is at float64's limit).
	rounding := 10 * (1.5*2.2e-16*math.Abs(lossValue) + kappa*loss.tol*(1+floats.Norm(h, math.Inf(1)))*floats.Norm(b, math.Inf(1))) / step
	switch {
	case nfd == 0:
		detail += "; zero gradient: no relative error to detect"
	case rounding > fdTol*nfd/2:
		detail += fmt.Sprintf("; rounding-limited: float64's part of the floor, %.3g, exceeds half of 1e-6 |fd| (|L| = %.3g)", rounding, math.Abs(lossValue))
	}
	r := claim.Check(what, d, bound, detail)
	r.MDE = math.Inf(1) // the smallest relative error of the gradient the comparison sees
	if nfd > 0 {
		r.MDE = bound / nfd
	}
	return r
}

// Gradient is one RBP-1 case: a tanh problem and the adjoint solve under test.
type Gradient struct {
	Problem simrbp.TanhProblem
	Adjoint AdjointFormula // nil: rbp.Adjoint
}

// RBP1 checks the implicit gradient dL/dW = (dF/dW)^T (I - J^T)^{-1} b against central finite
// differences of L(h*(W)), each h* found by the numeric forward iteration (independent of the
// Newton solve).
func RBP1(c Gradient) claim.Result {
	p := c.Problem
	what := "RBP-1 implicit gradient vs finite differences"
	imp, err := implicitOf(p, c.Adjoint)
	if err != nil {
		return claim.Failed(what, err)
	}
	n := len(imp.hStar)
	what += fmt.Sprintf(", n=%d", n)
	kappa, err1 := amplification(imp.j)
	m, err2 := p.Model()
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return fdCheck(what, imp.gradW.RawMatrix().Data, m, kappa, p.LossGrad, p.Loss(imp.hStar), imp.b, imp.hStar)
}

// Linear is one RBP-1 linear case: F(h) = A h + B x with B = I, and L = 1/2 |h* - y|^2.
type Linear struct {
	A     *mat.Dense
	Bx, Y []float64
}

// RBP1Linear checks the linear closed forms: h* = (I - A)^{-1} B x against the forward iteration
// (relative 1e-12), and dL/dA = (I - A^T)^{-1} (h* - y) h*^T against finite differences.
func RBP1Linear(c Linear) []claim.Result {
	const what = "RBP-1 linear"
	if c.A == nil {
		return []claim.Result{claim.Failed(what, fmt.Errorf("the case has no A"))}
	}
	a, bx, y := c.A, c.Bx, c.Y
	n, _ := a.Dims()
	ident := mat.NewDense(n, n, nil)
	for i := range n {
		ident.Set(i, i, 1)
	}
	hs, err := rbp.LinearFixedPoint(a, ident, bx)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	m, err := simrbp.NewLinear(mat.DenseCopyOf(a).RawMatrix().Data, bx)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	h, rep, err := simrbp.FixedPoint(m, make([]float64, n), fdFixTol, 1000000)
	if err != nil || !rep.Converged {
		return []claim.Result{claim.Failed(what, fmt.Errorf("forward iteration: %+v %v", rep, err))}
	}
	kappa, err := amplification(a)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	dl := make([]float64, n)
	floats.SubTo(dl, hs, y)
	grad, err := rbp.LinearGradA(a, hs, dl)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	// A stopped iteration is off by exactly h - h* = -(I - A)^{-1} (F(h) - h), so its distance to h*
	// is at most |(I - A)^{-1}|_inf times the residual; the solve adds ~1e-14 |h*|.
	allowed := kappa*rep.Residual + 1e-14*floats.Norm(hs, math.Inf(1))
	return []claim.Result{
		claim.Check("RBP-1 linear h* = (I-A)^-1 Bx", floats.Distance(h, hs, math.Inf(1)), allowed,
			fmt.Sprintf("iteration residual %.3g after %d steps", rep.Residual, rep.Iterations)),
		fdCheck("RBP-1 linear dL/dA closed form vs finite differences", grad.RawMatrix().Data, m, kappa, lossGrad, 0.5*floats.Dot(dl, dl), dl, hs),
	}
}

// neumannTBPTT returns Neumann-RBP(K) and TBPTT through the last m applications, both at h*.
func neumannTBPTT(p simrbp.TanhProblem, hstar []float64, k, m int) (neu, tb []float64, err error) {
	model, err := p.Model()
	if err != nil {
		return nil, nil, err
	}
	neu, err = simrbp.Neumann(model, hstar, k, p.LossGrad)
	if err != nil {
		return nil, nil, err
	}
	tb, _, err = simrbp.TBPTT(model, hstar, m, p.LossGrad)
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
func identityCheck(what string, m simrbp.Model, h []float64, k int, neu, tb []float64, lossGrad func(dst, h []float64)) claim.Result {
	next, b := make([]float64, len(h)), make([]float64, len(h))
	m.Step(next, h)
	lossGrad(b, h)
	r := floats.Distance(next, h, math.Inf(1))
	scale := identityScale(m, h, neu, lossGrad)
	bound := rbpIdentityTol*scale + 10*float64(k+1)*r*(1+floats.Norm(h, math.Inf(1))+floats.Norm(b, math.Inf(1)))
	d := floats.Distance(neu, tb, math.Inf(1))
	return claim.Check(what, d, bound, fmt.Sprintf("|Neumann - TBPTT|_inf %.3g; terms of size %.3g; fixed-point residual %.2g", d, scale, r))
}

// Truncated is one RBP-2 case: a tanh problem, K vector-Jacobian products, and the number of
// TBPTT steps they are compared with, K + Offset (Offset 1 is the claim; 0, the paper's literal
// wording, is the off-by-one control).
type Truncated struct {
	Problem simrbp.TanhProblem
	K       int
	Offset  int
}

// RBP2 checks Neumann-RBP(K) = TBPTT(K + Offset) at the fixed point, relative to the size of the
// identity's terms.
func RBP2(c Truncated) claim.Result {
	p, k := c.Problem, c.K
	what := fmt.Sprintf("RBP-2 Neumann(K=%d) = TBPTT(%d) at h*", k, k+c.Offset)
	imp, err := implicitOf(p, nil)
	if err != nil {
		return claim.Failed(what, err)
	}
	neu, tb, err := neumannTBPTT(p, imp.hStar, k, k+c.Offset)
	if err != nil {
		return claim.Failed(what, err)
	}
	model, err := p.Model()
	if err != nil {
		return claim.Failed(what, err)
	}
	return identityCheck(what, model, imp.hStar, k, neu, tb, p.LossGrad)
}

// Unrolled is a check of back-propagation through time away from any fixed point: TBPTT through
// Claimed applications of F from the state H0 must be the gradient of L(F^Steps(H0)) in the
// parameters (Claimed = Steps is the claim; any other value is the off-by-one control).
type Unrolled struct {
	Model    simrbp.Model
	H0       []float64
	Steps    int
	Claimed  int
	LossGrad func(dst, h []float64) // the loss is 1/2 |LossGrad|^2
}

// unrolledLoss returns L(F^steps(h0)) = 1/2 |lossGrad(h_T)|^2 at the model's live parameters.
func (c Unrolled) unrolledLoss() func() (float64, error) {
	n := c.Model.Dim()
	h, next, b := make([]float64, n), make([]float64, n), make([]float64, n)
	return func() (float64, error) {
		copy(h, c.H0)
		for range c.Steps {
			c.Model.Step(next, h)
			h, next = next, h
		}
		c.LossGrad(b, h)
		l := 0.5 * floats.Dot(b, b)
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return 0, fmt.Errorf("the unrolled loss is %v", l)
		}
		return l, nil
	}
}

// UnrolledCheck compares TBPTT(F, H0, Claimed) with Richardson finite differences of
// L(F^Steps(H0)) in every parameter: the unrolled map has no fixed-point stopping error, so the
// bound is fdTol |fd| plus the loss's rounding at the finer step, 15 eps |L| / (delta/2), plus
// Richardson's own estimate of its truncation, 2 |R(delta) - R(delta/2)| / 15 (the error falls like
// delta^4, so R(delta/2) is off by about |R(delta) - R(delta/2)| / 15), at delta = 1e-4; fd is
// R(delta/2). MDE = bound / |fd|.
func UnrolledCheck(what string, c Unrolled) claim.Result {
	if fp.IsNil(c.Model) || c.LossGrad == nil || c.Steps < 0 || c.Claimed < 0 {
		return claim.Failed(what, fmt.Errorf("an unrolled check needs a model, a loss gradient and steps >= 0"))
	}
	got, _, err := simrbp.TBPTT(c.Model, c.H0, c.Claimed, c.LossGrad)
	if err != nil {
		return claim.Failed(what, err)
	}
	const delta = 1e-4
	loss := c.unrolledLoss()
	l0, err := loss()
	if err != nil {
		return claim.Failed(what, err)
	}
	coarse, err1 := diff.GradientRichardson(c.Model.Params(), delta, loss)
	fine, err2 := diff.GradientRichardson(c.Model.Params(), delta/2, loss)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	nfd := floats.Norm(fine, math.Inf(1))
	rounding := 15 * 2.2e-16 * math.Abs(l0) / (delta / 2)
	floor := rounding + 2*floats.Distance(coarse, fine, math.Inf(1))/15
	d, bound := floats.Distance(got, fine, math.Inf(1)), fdTol*nfd+floor
	detail := fmt.Sprintf("|TBPTT - fd|_inf %.3g, |fd|_inf %.3g, floor %.3g (rounding and Richardson's estimate)", d, nfd, floor)
	if rounding > fdTol*nfd/2 {
		detail += fmt.Sprintf("; rounding-limited: the loss's rounding, %.3g, exceeds half of 1e-6 |fd| (|L| = %.3g)", rounding, math.Abs(l0))
	}
	r := claim.Check(what, d, bound, detail)
	r.MDE = math.Inf(1)
	if nfd > 0 {
		r.MDE = bound / nfd
	}
	return r
}

// RBP2Unconverged compares Neumann-RBP(K) at h_{K+1} with TBPTT through the K+1 applications
// from h_0 = h* + 0.5 (+-1, +-1, ...) (a forward pass that has not converged): the identity needs
// every state at the fixed point, so this must fail (negative control).
func RBP2Unconverged(c Truncated) claim.Result {
	p, k := c.Problem, c.K
	what := fmt.Sprintf("RBP-2 unconverged forward pass, Neumann(K=%d) vs TBPTT(%d)", k, k+1)
	imp, err := implicitOf(p, nil)
	if err != nil {
		return claim.Failed(what, err)
	}
	model, err := p.Model()
	if err != nil {
		return claim.Failed(what, err)
	}
	h0 := append([]float64(nil), imp.hStar...)
	for i := range h0 {
		h0[i] += 0.5 * float64(1-2*(i%2))
	}
	tb, hT, err := simrbp.TBPTT(model, h0, k+1, p.LossGrad)
	if err != nil {
		return claim.Failed(what, err)
	}
	neu, err := simrbp.Neumann(model, hT, k, p.LossGrad)
	if err != nil {
		return claim.Failed(what, err)
	}
	// The control asserts the identity as if h_T were the fixed point: the claim's tolerance there
	// (residual ~ 0), not identityCheck's allowance for h_T's own, large, residual.
	return claim.RelCheck(what, floats.Distance(neu, tb, math.Inf(1)), 0, identityScale(model, hT, neu, p.LossGrad), rbpIdentityTol)
}

// RBP2Unrolled checks the other half of the identity's premise: away from the fixed point,
// TBPTT(K + 1 + Offset) from an arbitrary state h_0 (seeded, entries in [-1.5, 1.5]) is the
// gradient of L(F^{K+1}(h_0)) (UnrolledCheck); the catalogue's positive checks all start at h*,
// where every state coincides. Offset -1 is the control.
func RBP2Unrolled(c Truncated, seed uint64) claim.Result {
	steps := c.K + 1
	what := fmt.Sprintf("RBP-2 TBPTT(%d) from an arbitrary h0 vs finite differences of L(F^%d(h0))", steps+c.Offset, steps)
	model, err := c.Problem.Model()
	if err != nil {
		return claim.Failed(what, err)
	}
	rng := rand.New(rand.NewPCG(seed, 12))
	h0 := make([]float64, model.Dim())
	for i := range h0 {
		h0[i] = 3*rng.Float64() - 1.5
	}
	return UnrolledCheck(what, Unrolled{Model: model, H0: h0, Steps: steps, Claimed: steps + c.Offset, LossGrad: c.Problem.LossGrad})
}

// RBP2Limits checks that Neumann-RBP(K) tends to the implicit gradient (its error at K = 40 is
// at most |W|_2^41 / (1 - |W|_2) times |b| |dF/dW| in relative terms, the Neumann bound in the
// 2-norm) and that full BPTT from h_0 = 0 approaches it geometrically: the gap is at most
// C T^2 q^T (state errors q^t carried through products of Jacobians that depend on those states),
// so its rate from T1 to 2 T1 is at most q 4^(1/T1), q = |W|_2. T1 = ceil(10/(1 - q)) keeps that
// bound below 1 and the gap at 2 T1 (about e^-20) above rounding.
func RBP2Limits(c Truncated) []claim.Result {
	p := c.Problem
	imp, err := implicitOf(p, nil)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-2 limits", err)}
	}
	model, err1 := p.Model()
	q, err2 := rbp.SpectralNorm(p.W)
	neu, err3 := simrbp.Neumann(model, imp.hStar, 40, p.LossGrad)
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return []claim.Result{claim.Failed("RBP-2 limits", err)}
	}
	n := len(imp.hStar)
	exact := imp.gradW.RawMatrix().Data // dL/dW; the models' gradients list W first, then c
	errOf := func(g []float64) float64 { return floats.Distance(g[:n*n], exact, math.Inf(1)) }
	bound := math.Pow(q, 41) / (1 - q)
	scale := floats.Norm(imp.b, 2) * floats.Norm(imp.hStar, 2) // |dF/dW^T| <= |h*| for tanh
	out := []claim.Result{claim.Check("RBP-2 Neumann(K=40) -> implicit gradient", errOf(neu)/scale, bound*(1+1e-9)+1e-14,
		fmt.Sprintf("error %.3g, |b||h*| %.3g, q %.4g, bound q^41/(1-q) = %.3g", errOf(neu), scale, q, bound))}
	t1 := int(math.Ceil(10 / (1 - q)))
	var gaps [2]float64
	for i, t := range []int{t1, 2 * t1} {
		g, _, err := simrbp.TBPTT(model, make([]float64, n), t, p.LossGrad)
		if err != nil {
			return append(out, claim.Failed("RBP-2 BPTT", err))
		}
		gaps[i] = errOf(g)
	}
	e1, e2 := gaps[0], gaps[1]
	rate := math.Pow(e2/e1, 1/float64(t1))
	limit := q * math.Pow(4, 1/float64(t1)) * (1 + 1e-6)
	// Below 1e-12 of the gradient the gap is rounding and has no rate.
	floor := 1e-12 * math.Max(floats.Norm(exact, math.Inf(1)), scale)
	return append(out, claim.Result{Case: "RBP-2 full BPTT gap shrinks geometrically in T", Measured: rate, Bound: limit,
		Pass: rate <= limit || e2 <= floor, Detail: fmt.Sprintf("gap %.3g at T=%d, %.3g at T=%d (rounding floor %.3g)", e1, t1, e2, 2*t1, floor)})
}

// Spectral is one RBP-3/4/5 case: a Jacobian J, the loss gradient b, a truncation K (K2 the
// second truncation of a rate fit), a start Z0 for the original RBP, the vector norm P ("1", "2",
// "inf") and the matrix norm NormOf of the Neumann bound, and the wrong variants of the controls.
type Spectral struct {
	J      *mat.Dense
	B, Z0  []float64
	K, K2  int
	P      string
	NormOf NormFunc // nil: the induced P-norm of J^T (the claim); the norm of J is the control
	// Shift is added to the index of the Neumann partial sum the original RBP is compared with
	// (0 the claim, 1 the off-by-one control).
	Shift int
	// Damping, when > 0, is the CG damping (in units of sigma_min(I - J)^2) that RBP5Damped
	// claims leaves the adjoint unchanged (the RBP-5 control).
	Damping float64
}

func (c Spectral) validate() error {
	if c.J == nil {
		return fmt.Errorf("the case has no J")
	}
	if n, m := c.J.Dims(); n != m || len(c.B) != n || (c.Z0 != nil && len(c.Z0) != n) {
		return fmt.Errorf("the case's J is %dx%d, b has %d entries, z0 %d", n, m, len(c.B), len(c.Z0))
	}
	return nil
}

// linearModel is the linear recurrence h -> J h, whose vector-Jacobian products are J^T v.
func (c Spectral) linearModel() (*simrbp.Linear, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	n, _ := c.J.Dims()
	return simrbp.NewLinear(mat.DenseCopyOf(c.J).RawMatrix().Data, make([]float64, n))
}

// RBP3Identity checks z - g_K = (J^T)^{K+1} z to rounding (in units of |z|), with g_K from the
// numeric Neumann recursion through a linear model's vector-Jacobian products.
func RBP3Identity(c Spectral) claim.Result {
	j, b, k := c.J, c.B, c.K
	what := fmt.Sprintf("RBP-3 z - g_K = (J^T)^(K+1) z, K=%d", k)
	model, err := c.linearModel()
	if err != nil {
		return claim.Failed(what, err)
	}
	z, err1 := rbp.Adjoint(j, b)
	e, err2 := rbp.NeumannError(j, b, k)
	n, _ := j.Dims()
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	g, err := simrbp.NeumannAdjoint(model, make([]float64, n), b, k)
	if err != nil {
		return claim.Failed(what, err)
	}
	diff := make([]float64, n)
	floats.SubTo(diff, z, g)
	return claim.RelCheck(what, floats.Distance(diff, e, math.Inf(1)), 0, floats.Norm(z, math.Inf(1))+1e-300, float64(k+10)*1e-14)
}

// NormFunc is an induced matrix norm; RBP3Bound takes the one to use for |J^T|.
type NormFunc func(mat.Matrix) float64

// TransposeNorms returns the induced 1-, 2- and inf-norms of J^T (the bound's norms).
func TransposeNorms() map[string]NormFunc {
	return map[string]NormFunc{
		"1": func(a mat.Matrix) float64 { return mat.Norm(a.T(), 1) },
		"2": func(a mat.Matrix) float64 {
			s, err := rbp.SpectralNorm(a)
			if err != nil {
				return math.NaN() // fails every comparison, so the bound check fails rather than passes
			}
			return s
		},
		"inf": func(a mat.Matrix) float64 { return mat.Norm(a.T(), math.Inf(1)) },
	}
}

func vecNorm(name string, v []float64) float64 {
	switch name {
	case "1":
		return floats.Norm(v, 1)
	case "2":
		return floats.Norm(v, 2)
	}
	return floats.Norm(v, math.Inf(1))
}

// RBP3Bound checks |z - g_K|_p <= |J^T|_p^{K+1} |b|_p / (1 - |J^T|_p) in the vector P-norm, with
// the matrix norm NormOf (the induced norm of J^T is the claim; that of J is the control).
func RBP3Bound(c Spectral) claim.Result {
	j, b, k, p, norm := c.J, c.B, c.K, c.P, c.NormOf
	what := fmt.Sprintf("RBP-3 Neumann bound, %s-norm, K=%d", p, k)
	if err := c.validate(); err != nil {
		return claim.Failed(what, err)
	}
	if norm == nil {
		if norm = TransposeNorms()[p]; norm == nil {
			return claim.Failed(what, fmt.Errorf("unknown norm %q", p))
		}
	}
	e, err := rbp.NeumannError(j, b, k)
	if err != nil {
		return claim.Failed(what, err)
	}
	bound, err := rbp.NeumannBound(norm(j), vecNorm(p, b), k)
	if err != nil {
		return claim.Failed(what, err)
	}
	got := vecNorm(p, e)
	return claim.Result{Case: what, Measured: got / bound, Bound: 1, Pass: got <= bound*(1+1e-12),
		Detail: fmt.Sprintf("|z - g_K| = %.4g, bound %.4g", got, bound)}
}

// RBP3Rate fits the geometric rate of the truncation error between K and K2 and checks it equals
// rho(J) within 1e-3 relative (for a J whose other eigenvalues are at most rho/2 in modulus, the
// ratio converges like 2^-K).
func RBP3Rate(c Spectral) claim.Result {
	j, b, k1, k2 := c.J, c.B, c.K, c.K2
	what := fmt.Sprintf("RBP-3 error rate over K=%d..%d = rho(J)", k1, k2)
	if err := c.validate(); err != nil || k2 <= k1 {
		return claim.Failed(what, fmt.Errorf("need K2 > K: %v", err))
	}
	e1, err1 := rbp.NeumannError(j, b, k1)
	e2, err2 := rbp.NeumannError(j, b, k2)
	rho, err3 := rbp.SpectralRadius(j)
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return claim.Failed(what, err)
	}
	rate := math.Pow(floats.Norm(e2, 2)/floats.Norm(e1, 2), 1/float64(k2-k1))
	return claim.RelCheck(what, rate, rho, rho, 1e-3)
}

// RBP4Identity checks that K iterations of the original RBP from Z0 give g_{K-1} + (J^T)^K Z0
// (Z0 = 0: g_{K-1}; Z0 = b: g_K). Shift = 1 (g_K + (J^T)^K Z0, the off-by-one) is the negative
// control.
func RBP4Identity(c Spectral) claim.Result {
	j, b, z0, k, shift := c.J, c.B, c.Z0, c.K, c.Shift
	what := fmt.Sprintf("RBP-4 original RBP z_%d = g_%d + (J^T)^%d z0", k, k-1+shift, k)
	model, err := c.linearModel()
	if err == nil && z0 == nil {
		err = fmt.Errorf("the case has no z0")
	}
	n, _ := j.Dims()
	if err != nil {
		return claim.Failed(what, err)
	}
	zk, err := simrbp.OriginalRBP(model, make([]float64, n), b, z0, k)
	if err != nil {
		return claim.Failed(what, err)
	}
	want := make([]float64, n)
	if k-1+shift >= 0 {
		if want, err = rbp.NeumannPartial(j, b, k-1+shift); err != nil {
			return claim.Failed(what, err)
		}
	}
	pz := mat.NewVecDense(n, append([]float64(nil), z0...))
	for range k {
		pz.MulVec(j.T(), mat.VecDenseCopyOf(pz))
	}
	floats.Add(want, pz.RawVector().Data)
	scale := floats.Norm(want, math.Inf(1)) + floats.Norm(b, math.Inf(1))
	return claim.RelCheck(what, floats.Distance(zk, want, math.Inf(1)), 0, scale, float64(k+10)*1e-14)
}

// RBP4Unstable checks, for a J with rho(J) > 1 and no eigenvalue 1, that the original RBP
// iterates grow at the rate rho (within 1e-2 between K and 2K), while CG-RBP still returns
// (I - J^T)^{-1} b (relative 1e-8).
func RBP4Unstable(c Spectral) []claim.Result {
	j, b, k1 := c.J, c.B, c.K
	model, err := c.linearModel()
	if err != nil {
		return []claim.Result{claim.Failed("RBP-4 instability", err)}
	}
	n, _ := j.Dims()
	rho, err2 := rbp.SpectralRadius(j)
	z, err3 := rbp.Adjoint(j, b)
	h := make([]float64, n)
	z1, err4 := simrbp.OriginalRBP(model, h, b, make([]float64, n), k1)
	z2, err5 := simrbp.OriginalRBP(model, h, b, make([]float64, n), 2*k1)
	if err := claim.FirstErr(err2, err3, err4, err5); err != nil {
		return []claim.Result{claim.Failed("RBP-4 instability", err)}
	}
	rate := math.Pow(floats.Norm(z2, 2)/floats.Norm(z1, 2), 1/float64(k1))
	zcg, rep, err := simrbp.CGRBP(model, h, b, 0, 1e-14, 20*n)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-4 CG", err)}
	}
	return []claim.Result{
		claim.RelCheck(fmt.Sprintf("RBP-4 original RBP grows like rho^k (rho=%.3g)", rho), rate, rho, rho, 1e-2),
		claim.RelCheck(fmt.Sprintf("RBP-4 CG-RBP solves the adjoint when rho=%.3g (%d iterations)", rho, rep.Iterations),
			floats.Distance(zcg, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8),
	}
}

// CGSlack is the number of CG-RBP iterations beyond n that RBP5 allows for rounding: floor(n/2) + 2.
// In exact arithmetic CG on the n x n normal equations converges in at most n iterations. In
// floating point its short recurrences lose orthogonality, and it behaves like exact CG on a
// larger matrix whose eigenvalues split into clusters (Greenbaum 1989), so reaching a relative
// residual of 1e-13 can take a few more: over 20000 drawn spectra (n <= 10, cond((I-J)(I-J^T)) up
// to 1.5e3) 15% needed more than n and at most n + 4 (n = 7 and 9); after exactly n iterations
// the residual was as large as 2.4e-5. The smallest case that needs more than n is the cg-rounding
// finding (eigenvalues +-0.9, n = 2: three iterations).
func CGSlack(n int) int { return n/2 + 2 }

// RBP5 checks CG-RBP: it returns the direct-solve adjoint (relative 1e-8) within n + CGSlack(n)
// iterations; damping eta moves the answer by O(eta) (|z(2 eta) - z| / |z(eta) - z| within 5% of
// 2); and cond((I - J)(I - J^T)) = cond(I - J)^2 (relative 1e-6).
func RBP5(c Spectral) []claim.Result {
	j, b := c.J, c.B
	model, err := c.linearModel()
	if err != nil {
		return []claim.Result{claim.Failed("RBP-5", err)}
	}
	n, _ := j.Dims()
	z, err2 := rbp.Adjoint(j, b)
	if err2 != nil {
		return []claim.Result{claim.Failed("RBP-5", err2)}
	}
	h := make([]float64, n)
	limit := n + CGSlack(n)
	zcg, rep, err := simrbp.CGRBP(model, h, b, 0, 1e-13, limit)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-5", err)}
	}
	ij := identityMinus(j)
	var normal mat.Dense
	normal.Mul(ij, ij.T())
	c1, c2 := mat.Cond(ij, 2), mat.Cond(&normal, 2)
	eta := 1e-6 * smallestSingular2(ij)
	za, _, errA := simrbp.CGRBP(model, h, b, eta, 1e-15, 20*n)
	zb, _, errB := simrbp.CGRBP(model, h, b, 2*eta, 1e-15, 20*n)
	if err := claim.FirstErr(errA, errB); err != nil {
		return []claim.Result{claim.Failed("RBP-5 damped", err)}
	}
	ratio := floats.Distance(zb, z, 2) / floats.Distance(za, z, 2)
	return []claim.Result{
		claim.RelCheck(fmt.Sprintf("RBP-5 CG-RBP = direct adjoint (%d iterations, n=%d)", rep.Iterations, n),
			floats.Distance(zcg, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8),
		{Case: "RBP-5 CG-RBP iterations <= n + CGSlack(n)", Measured: float64(rep.Iterations), Bound: float64(limit),
			Pass: rep.Converged && rep.Iterations <= limit, Detail: fmt.Sprintf("n = %d, relative residual %.3g", n, rep.Residual)},
		claim.RelCheck("RBP-5 damping moves z by O(eta)", ratio, 2, 2, 0.05),
		claim.RelCheck("RBP-5 cond((I-J)(I-J^T)) = cond(I-J)^2", c2, c1*c1, c1*c1, 1e-6),
	}
}

// CGIterations returns the iterations CG-RBP takes to a relative residual of 1e-13 on the case
// (at most 20 n), and n.
func CGIterations(c Spectral) (iters, n int, err error) {
	model, err := c.linearModel()
	if err != nil {
		return 0, 0, err
	}
	n, _ = c.J.Dims()
	_, rep, err := simrbp.CGRBP(model, make([]float64, n), c.B, 0, 1e-13, 20*n)
	if err == nil && !rep.Converged {
		err = fmt.Errorf("CG-RBP did not converge in %d iterations (residual %.3g)", 20*n, rep.Residual)
	}
	return rep.Iterations, n, err
}

// smallestSingular2 returns sigma_min(A)^2, the scale damping is measured against.
func smallestSingular2(a mat.Matrix) float64 {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDNone)
	sv := svd.Values(nil)
	return sv[len(sv)-1] * sv[len(sv)-1]
}

// RBP5Damped is the negative control of RBP-5: damped CG (eta = Damping sigma_min^2, 1e-2 in
// the command) claimed equal to the adjoint at 1e-8.
func RBP5Damped(c Spectral) claim.Result {
	j, b := c.J, c.B
	model, err := c.linearModel()
	if err != nil {
		return claim.Failed("RBP-5 damped", err)
	}
	n, _ := j.Dims()
	z, err2 := rbp.Adjoint(j, b)
	if err2 != nil {
		return claim.Failed("RBP-5 damped", err2)
	}
	zd, _, err := simrbp.CGRBP(model, make([]float64, n), b, c.Damping*smallestSingular2(identityMinus(j)), 1e-15, 20*n)
	if err != nil {
		return claim.Failed("RBP-5 damped", err)
	}
	return claim.RelCheck("RBP-5 damped CG-RBP = adjoint (control)", floats.Distance(zd, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8)
}

// allocBytes returns the fewest bytes f allocated over three calls (runtime.MemStats).
func allocBytes(f func()) float64 {
	best := math.Inf(1)
	for range 3 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		best = math.Min(best, float64(b.TotalAlloc-a.TotalAlloc))
	}
	return best
}

// countingModel counts a model's vector-Jacobian products.
type countingModel struct {
	simrbp.Model
	vjps int
}

// VJP implements simrbp.Model, counting the call.
func (m *countingModel) VJP(dh, dw, h, v []float64) {
	m.vjps++
	m.Model.VJP(dh, dw, h, v)
}

// Memory is one RBP-6 case: a tanh problem of size N, the truncations Ks (three, increasing), and
// the wrong variant of the control, which claims TBPTT's memory flat too.
type Memory struct {
	N              int
	Ks             []int
	WrongFlatTBPTT bool
}

// memoryProfile returns the bytes one call of Neumann-RBP(K) and of TBPTT(K) allocates at each K,
// and the vector-Jacobian products Neumann-RBP(K) and TBPTT(K + 1) make, on a tanh problem.
func memoryProfile(c Memory) (neu, tb []float64, neuVJP, tbVJP []int, err error) {
	p, err := simrbp.NewTanhProblem(c.N, 0.5, 1)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	m, err := p.Model()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	h := make([]float64, c.N)
	var errs [2]error
	for _, k := range c.Ks {
		neu = append(neu, allocBytes(func() { _, errs[0] = simrbp.Neumann(m, h, k, p.LossGrad) }))
		tb = append(tb, allocBytes(func() { _, _, errs[1] = simrbp.TBPTT(m, h, k, p.LossGrad) }))
		if err := claim.FirstErr(errs[:]...); err != nil {
			return nil, nil, nil, nil, err
		}
		cn, ct := &countingModel{Model: m}, &countingModel{Model: m}
		_, err1 := simrbp.Neumann(cn, h, k, p.LossGrad)
		_, _, err2 := simrbp.TBPTT(ct, h, k+1, p.LossGrad)
		if err := claim.FirstErr(err1, err2); err != nil {
			return nil, nil, nil, nil, err
		}
		neuVJP, tbVJP = append(neuVJP, cn.vjps), append(tbVJP, ct.vjps)
	}
	return neu, tb, neuVJP, tbVJP, nil
}

// RBP6 checks the memory and cost claim at Ks (10, 100, 1000 in the command): Neumann-RBP's bytes
// per call flat within 5%, TBPTT's growing linearly at the rate of its tape (tapeGrowth), and
// Neumann-RBP(K) making exactly as many vector-Jacobian
// products as TBPTT(K + 1) (K + 1: K through the state, one more for the parameters in Neumann-RBP;
// one per step in TBPTT). With WrongFlatTBPTT it asserts TBPTT flat instead (the control).
func RBP6(c Memory) []claim.Result {
	if len(c.Ks) != 3 || !(c.Ks[0] < c.Ks[1] && c.Ks[1] < c.Ks[2]) {
		return []claim.Result{claim.Failed("RBP-6", fmt.Errorf("need three increasing K, got %v", c.Ks))}
	}
	neu, tb, nv, tv, err := memoryProfile(c)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-6", err)}
	}
	detail := fmt.Sprintf("bytes/call at K=%v: Neumann %.0f %.0f %.0f; TBPTT %.0f %.0f %.0f", c.Ks, neu[0], neu[1], neu[2], tb[0], tb[1], tb[2])
	if c.WrongFlatTBPTT {
		return []claim.Result{claim.Check("RBP-6 TBPTT memory flat in K (control)", tb[2]/tb[0], 1.05, detail)}
	}
	ratio := neu[2] / neu[0]
	worst := 0
	for i, k := range c.Ks {
		worst = max(worst, abs(nv[i]-(k+1)), abs(tv[i]-(k+1)))
	}
	return []claim.Result{
		claim.Check("RBP-6 Neumann-RBP memory flat in K", math.Max(ratio, 1/ratio), 1.05, detail),
		tapeGrowth(c, tb),
		claim.Check("RBP-6 Neumann-RBP(K) and TBPTT(K+1) make K+1 vector-Jacobian products", float64(worst), 0,
			fmt.Sprintf("products at K=%v: Neumann %v, TBPTT(K+1) %v", c.Ks, nv, tv)),
	}
}

// tapeGrowth checks that TBPTT's bytes per call grow linearly in K at the rate of its tape: the
// growth per extra step from K1 to K3, (B(K3) - B(K1)) / (K3 - K1), must lie between one state's
// floats, 8 n bytes, and a quarter more than one state plus its slice header, 1.25 (8 n + 24). Go
// rounds each allocation up to a size class (1800 bytes take 2048, 14% more; small ones up to 20%
// once the header's 24 bytes are added), and runtime.MemStats counts small allocations by the span,
// not the byte (one make([]float64, 50) measures 440 bytes, between two classes), so the bytes of
// one call are the algorithm's memory only to within this rounding, and a 5% tolerance on a ratio of
// byte counts measured the allocator (at n = 1, K = 4, 16, 26 it found 1.958 for 1.833). The
// middle K2 must fit the same band. Allocations above 32 KB (a header array beyond K = 1365)
// are rounded to 8 KB pages, which two pages spread over the span allow for.
func tapeGrowth(c Memory, tb []float64) claim.Result {
	span := float64(c.Ks[2] - c.Ks[0])
	per := (tb[2] - tb[0]) / span
	lo := 8 * float64(c.N)
	hi := 1.25*(8*float64(c.N)+24) + 2*8192/span
	mid := (tb[1] - tb[0]) / float64(c.Ks[1]-c.Ks[0])
	ok := per >= lo && per <= hi && mid >= lo && mid <= hi+2*8192/float64(c.Ks[1]-c.Ks[0])
	return claim.Result{Case: "RBP-6 TBPTT memory linear in K (bytes per step)", Measured: per, Bound: hi, Pass: ok,
		Detail: fmt.Sprintf("bytes per extra step %.4g over K=%d..%d and %.4g over K=%d..%d; one state is %g bytes, with its header and size-class rounding at most %.4g",
			per, c.Ks[0], c.Ks[2], mid, c.Ks[0], c.Ks[1], lo, hi)}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// HopfieldCase is a continuous Hopfield associative-memory problem: n units, the first half
// clamped to a +-1 pattern, the loss 1/2 |u*_out - pattern_out|^2 on the free units.
type HopfieldCase struct {
	N         int
	Scale     float64 // of the raw weights W (Gaussian / sqrt(n))
	Eps, Beta float64
	Seed      uint64
	// JVP is the Jacobian-vector product under test; nil: the model's own.
	JVP        HopfieldJVP
	w, iExt, p []float64
	clamp      []bool
}

func (c *HopfieldCase) draw() {
	rng := rand.New(rand.NewPCG(c.Seed, 7))
	c.w, c.iExt, c.p, c.clamp = make([]float64, c.N*c.N), make([]float64, c.N), make([]float64, c.N), make([]bool, c.N)
	for i := range c.w {
		c.w[i] = c.Scale * rng.NormFloat64() / math.Sqrt(float64(c.N))
	}
	for i := range c.N {
		c.iExt[i] = 0.1 * rng.NormFloat64()
		c.p[i] = float64(2*rng.IntN(2) - 1)
		c.clamp[i] = i < c.N/2
	}
}

// energyEps is the largest step of the free trajectories along which RBP-7 checks the energy: the
// energy decreases along the continuous dynamics, of which small-eps Euler steps are a faithful
// discretisation (a large step may overshoot).
const energyEps = 0.05

func (c *HopfieldCase) model(clamped bool) (*simrbp.Hopfield, error) {
	c.draw()
	mask, eps := c.clamp, c.Eps
	if !clamped {
		mask, eps = make([]bool, c.N), math.Min(c.Eps, energyEps)
	}
	return simrbp.NewHopfield(c.w, c.iExt, mask, c.p, eps, c.Beta)
}

func (c *HopfieldCase) lossGrad(dst, u []float64) {
	for i := range dst {
		dst[i] = 0
		if !c.clamp[i] {
			dst[i] = u[i] - c.p[i]
		}
	}
}

// HopfieldJVP is the shape of a Jacobian-vector product of the Hopfield update; RBP7 checks the
// model's own against finite differences, and WrongHopfieldJVP is the control.
type HopfieldJVP func(m *simrbp.Hopfield, dst, u, du []float64)

// WrongHopfieldJVP drops the gain beta from the sigmoid's slope (sigma'(beta u) taken as
// V (1 - V)): a plausible slip in a hand-written product, rebuilt here from the model's update.
func WrongHopfieldJVP(c *HopfieldCase) HopfieldJVP {
	d := *c // the problem the case draws, independent of what the caller does with c later
	d.JVP = nil
	d.draw()
	c = &d
	return func(m *simrbp.Hopfield, dst, u, du []float64) {
		n := len(u)
		v := make([]float64, n)
		m.Outputs(v, u)
		weff, err := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
		if err != nil { // the control's own set-up: poison the product so the check fails loudly
			for i := range dst {
				dst[i] = math.NaN()
			}
			return
		}
		r := make([]float64, n)
		for i := range r {
			r[i] = v[i] * (1 - v[i]) * du[i]
		}
		for i := range n {
			if c.clamp[i] {
				dst[i] = 0
				continue
			}
			s := 0.0
			for j := range n {
				s += weff.At(i, j) * r[j]
			}
			dst[i] = (1-c.Eps)*du[i] + c.Eps*s
		}
	}
}

// RBP7 checks the Hopfield network: the clamped iteration converges; the hand-written
// Jacobian-vector product matches central differences of the update (RBP7JVP); the energy does not
// increase along a small-eps unclamped trajectory; and the Neumann-RBP gradient of the loss with
// respect to W matches finite differences (fdTol).
func RBP7(c HopfieldCase) []claim.Result {
	m, err := c.model(true)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-7", err)}
	}
	n := c.N
	u, rep, err := simrbp.FixedPoint(m, make([]float64, n), 1e-14, 100000)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-7", err)}
	}
	out := []claim.Result{{Case: fmt.Sprintf("RBP-7 Hopfield iteration converges (eps=%.3g)", c.Eps), Measured: rep.Residual,
		Bound: 1e-14 * (1 + floats.Norm(u, math.Inf(1))), Pass: rep.Converged,
		Detail: fmt.Sprintf("|F(u) - u|_inf after %d iterations (tolerance 1e-14 (1 + |u|_inf))", rep.Iterations)}}
	out = append(out, RBP7JVP(c), hopfieldEnergy(c))
	grad, err := simrbp.Neumann(m, u, 2000, c.lossGrad)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	j, err := jacobianAt(m, u)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	kappa, err := amplification(j)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	b := make([]float64, n)
	c.lossGrad(b, u)
	return append(out, fdCheck("RBP-7 Hopfield RBP gradient vs finite differences", grad[:n*n], m, kappa, c.lossGrad, 0.5*floats.Dot(b, b), b, u))
}

// RBP7JVP checks the case's Jacobian-vector product (JVP; nil: the model's) against central
// differences of the update at the clamped fixed point (step 1e-6, truncation ~1e-12 relative):
// relative 1e-7 of the largest entry plus the differences' rounding, 10 eps (1 + |F|) / step.
func RBP7JVP(c HopfieldCase) claim.Result {
	const what, delta = "RBP-7 Hopfield JVP vs finite differences", 1e-6
	m, err := c.model(true)
	if err != nil {
		return claim.Failed(what, err)
	}
	n := c.N
	u, _, err := simrbp.FixedPoint(m, make([]float64, n), 1e-14, 100000)
	if err != nil {
		return claim.Failed(what, err)
	}
	jvp := c.JVP
	if jvp == nil {
		jvp = func(m *simrbp.Hopfield, dst, u, du []float64) { m.JVP(dst, u, du) }
	}
	fd, err1 := diff.MapJacobian(u, n, delta, m.Step)
	got, err2 := diff.Jacobian(n, func(dst, v []float64) { jvp(m, dst, u, v) })
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	var d mat.Dense
	d.Sub(got, fd)
	worst, scale := mat.Norm(&d, math.Inf(1)), mat.Norm(fd, math.Inf(1))
	fu := make([]float64, n)
	m.Step(fu, u)
	bound := 1e-7*scale + 10*2.2e-16*(1+floats.Norm(fu, math.Inf(1)))/delta
	return claim.Check(what, worst, bound, fmt.Sprintf("|J - central differences|_inf %.3g; |J|_inf %.3g", worst, scale))
}

// hopfieldEnergy checks that the energy does not increase over 300 steps of the free (unclamped)
// dynamics with step min(Eps, energyEps), from the pattern.
func hopfieldEnergy(c HopfieldCase) claim.Result {
	what := fmt.Sprintf("RBP-7 energy does not increase (free units, eps=%.3g)", math.Min(c.Eps, energyEps))
	free, err := c.model(false)
	if err != nil {
		return claim.Failed(what, err)
	}
	n := c.N
	weff, err := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
	if err != nil {
		return claim.Failed(what, err)
	}
	x, next, v := append([]float64(nil), c.p...), make([]float64, n), make([]float64, n)
	free.Outputs(v, x)
	prev, err := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
	if err != nil {
		return claim.Failed(what, err)
	}
	rise := 0.0
	for range 300 {
		free.Step(next, x)
		x, next = next, x
		free.Outputs(v, x)
		en, err := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
		if err != nil {
			return claim.Failed(what, err)
		}
		rise = math.Max(rise, (en-prev)/math.Max(math.Abs(prev), 1))
		prev = en
	}
	return claim.Check(what, rise, 1e-12, "largest relative rise of E(V) over 300 steps")
}

// MomentumCase is SGD with momentum on 1/2 w^T H w - q^T w, H = G G^T/n + I/2,
// eta = 1/(2 lambda_max): with eta lambda <= 1/2 the inner loop's spectral radius is at least 1/4,
// so it never converges exactly in a few steps (at eta = 1/lambda and n = 1 it does, in one).
type MomentumCase struct {
	N     int
	Mu    float64
	Seed  uint64
	Inner int // steps of the unconverged inner loop
	// WrongZero claims the unconverged hyper-gradient is zero too (the negative control).
	WrongZero bool
}

func (c MomentumCase) build() (*mat.SymDense, []float64, float64, error) {
	rng := rand.New(rand.NewPCG(c.Seed, 8))
	g := mat.NewDense(c.N, c.N, nil)
	q := make([]float64, c.N)
	for i := range c.N {
		q[i] = rng.NormFloat64()
		for j := range c.N {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	h := mat.NewSymDense(c.N, nil)
	h.SymOuterK(1/float64(c.N), g)
	for i := range c.N {
		h.SetSym(i, i, h.At(i, i)+0.5)
	}
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		return nil, nil, 0, fmt.Errorf("eigen-decomposition failed")
	}
	vals := eig.Values(nil)
	return h, q, 0.5 / vals[len(vals)-1], nil
}

// momentum is the built RBP-8 problem: H, q, eta, the model, its fixed point and the loss.
type momentum struct {
	h        *mat.SymDense
	q        []float64
	eta      float64
	m        *simrbp.Momentum
	star     []float64
	lossGrad func(dst, s []float64)
	scale    float64 // |b| (|q| + 1): the size a hyper-gradient is measured against
}

func (c MomentumCase) problem() (momentum, error) {
	h, q, eta, err := c.build()
	if err != nil {
		return momentum{}, err
	}
	n := c.N
	m, err := simrbp.NewMomentum(mat.DenseCopyOf(h).RawMatrix().Data, q, eta, c.Mu)
	if err != nil {
		return momentum{}, err
	}
	ws, ms, err := rbp.MomentumFixedPoint(h, q)
	if err != nil {
		return momentum{}, err
	}
	target := make([]float64, 2*n)
	for i := range n {
		target[i] = float64(i%3) - 1
	}
	lossGrad := func(dst, s []float64) {
		for i := range dst {
			dst[i] = 0
		}
		floats.SubTo(dst[:n], s[:n], target[:n])
	}
	star := append(append([]float64(nil), ws...), ms...)
	b := make([]float64, 2*n)
	lossGrad(b, star)
	return momentum{h: h, q: q, eta: eta, m: m, star: star, lossGrad: lossGrad, scale: floats.Norm(b, 2) * (floats.Norm(q, 2) + 1)}, nil
}

// RBP8 checks the momentum recurrence: its fixed point is (H^{-1} q, 0) (relative 1e-10 against
// the forward iteration), its JVP matches the closed-form Jacobian (1e-13), the hyper-gradient of
// L = 1/2 |w* - t|^2 with respect to (eta, mu) is zero at the fixed point (Neumann-RBP, in units
// of |b| |q|), and non-zero after an unconverged inner loop (RBP8Unconverged).
func RBP8(c MomentumCase) []claim.Result {
	p, err := c.problem()
	if err != nil {
		return []claim.Result{claim.Failed("RBP-8", err)}
	}
	n := c.N
	it, rep, err := simrbp.FixedPoint(p.m, make([]float64, 2*n), 1e-15, 1000000)
	if err != nil || !rep.Converged {
		return []claim.Result{claim.Failed("RBP-8", fmt.Errorf("inner loop: %+v %v", rep, err))}
	}
	jac, err1 := rbp.MomentumJacobian(p.h, p.eta, c.Mu)
	got, err2 := diff.Jacobian(2*n, func(dst, v []float64) { p.m.JVP(dst, p.star, v) })
	hyper, err3 := simrbp.Neumann(p.m, p.star, 2000, p.lossGrad)
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return []claim.Result{claim.Failed("RBP-8", err)}
	}
	var d mat.Dense
	d.Sub(got, jac)
	return []claim.Result{
		claim.RelCheck("RBP-8 fixed point (H^-1 q, 0) vs the inner loop", floats.Distance(it, p.star, math.Inf(1)), 0, floats.Norm(p.star, math.Inf(1)), 1e-10),
		claim.RelCheck("RBP-8 momentum JVP = closed-form Jacobian", mat.Norm(&d, math.Inf(1)), 0, 1+p.eta*mat.Norm(p.h, math.Inf(1)), 1e-13),
		claim.RelCheck(fmt.Sprintf("RBP-8 hyper-gradient at the fixed point is 0 (mu=%.3g)", c.Mu), floats.Norm(hyper, math.Inf(1)), 0, p.scale, 1e-10),
		RBP8Unconverged(c),
		RBP8Value(c, 0),
	}
}

// RBP8Unconverged checks the hyper-gradient after an unconverged inner loop of Inner steps from 0
// (BPTT through the loop): it is not zero (|dL/d(eta, mu)| > 1e-8 |b| |q|). With WrongZero it
// claims zero instead (the control).
func RBP8Unconverged(c MomentumCase) claim.Result {
	p, err := c.problem()
	if err != nil {
		return claim.Failed("RBP-8 unconverged", err)
	}
	unconv, _, err := simrbp.TBPTT(p.m, make([]float64, 2*c.N), c.Inner, p.lossGrad)
	if err != nil {
		return claim.Failed("RBP-8 unconverged", err)
	}
	g := floats.Norm(unconv, math.Inf(1)) / p.scale
	if c.WrongZero {
		return claim.RelCheck(fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is 0 (control)", c.Inner), g, 0, 1, 1e-10)
	}
	return claim.AtLeast(fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is not 0", c.Inner), g, 1e-8,
		fmt.Sprintf("|dL/d(eta, mu)| / (|b||q|) = %.3g", g))
}

// RBP8Value checks the hyper-gradient after Inner steps of the unconverged inner loop from 0 by
// value: TBPTT through the Inner steps (Inner + Offset; Offset 0 is the claim) against finite
// differences of L(F^Inner(0)) in (eta, mu) (UnrolledCheck).
func RBP8Value(c MomentumCase, offset int) claim.Result {
	what := fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps vs finite differences", c.Inner)
	if offset != 0 {
		what = fmt.Sprintf("RBP-8 hyper-gradient through %d steps vs finite differences of %d (control)", c.Inner+offset, c.Inner)
	}
	p, err := c.problem()
	if err != nil {
		return claim.Failed(what, err)
	}
	return UnrolledCheck(what, Unrolled{Model: p.m, H0: make([]float64, 2*c.N), Steps: c.Inner, Claimed: c.Inner + offset, LossGrad: p.lossGrad})
}

// GraphCase is a random graph (a ring plus random chords) with a contractive propagation.
type GraphCase struct {
	Nodes, K int
	Norm     float64 // |W|_inf < 1
	Seed     uint64
	Steps    int // K of the Neumann = TBPTT identity
	Offset   int // TBPTT through Steps + Offset applications: 1 the claim, 0 the off-by-one control
}

func (c GraphCase) build() (*simrbp.Graph, []float64, error) {
	rng := rand.New(rand.NewPCG(c.Seed, 9))
	nbrs := make([][]int, c.Nodes)
	for v := range c.Nodes {
		nbrs[v] = append(nbrs[v], (v+1)%c.Nodes, (v+c.Nodes-1)%c.Nodes)
		if u := rng.IntN(c.Nodes); u != v {
			nbrs[v] = append(nbrs[v], u)
		}
	}
	w := mat.NewDense(c.K, c.K, nil)
	for i := range c.K {
		for j := range c.K {
			w.Set(i, j, rng.NormFloat64())
		}
	}
	w.Scale(c.Norm/mat.Norm(w, math.Inf(1)), w)
	drive, y := make([]float64, c.Nodes*c.K), make([]float64, c.Nodes*c.K)
	for i := range drive {
		drive[i], y[i] = rng.NormFloat64(), 0.5*rng.NormFloat64()
	}
	g, err := simrbp.NewGraph(nbrs, c.K, w.RawMatrix().Data, drive)
	return g, y, err
}

// RBP9 checks the graph network: Neumann-RBP(Steps) = TBPTT(Steps + Offset) at the fixed point
// (RBP9Identity), and Neumann-RBP(300) matches finite differences of L(h*(W)).
func RBP9(c GraphCase) []claim.Result {
	out := []claim.Result{RBP9Identity(c)}
	g, y, err := c.build()
	if err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	n := g.Dim()
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	hs, rep, err := simrbp.FixedPoint(g, make([]float64, n), 1e-15, 100000)
	if err != nil || !rep.Converged {
		return append(out, claim.Failed("RBP-9 gradient", fmt.Errorf("propagation: %+v %v", rep, err)))
	}
	grad, err1 := simrbp.Neumann(g, hs, 300, lossGrad)
	j, err2 := jacobianAt(g, hs)
	if err := claim.FirstErr(err1, err2); err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	kappa, err := amplification(j)
	if err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	b := make([]float64, n)
	lossGrad(b, hs)
	return append(out, fdCheck("RBP-9 graph Neumann-RBP gradient vs finite differences", grad[:c.K*c.K], g, kappa, lossGrad, 0.5*floats.Dot(b, b), b, hs))
}

// RBP9Identity checks Neumann-RBP(Steps) = TBPTT(Steps + Offset) on the graph at its fixed point.
func RBP9Identity(c GraphCase) claim.Result {
	what := fmt.Sprintf("RBP-9 graph Neumann(K=%d) = TBPTT(%d) at h*", c.Steps, c.Steps+c.Offset)
	g, y, err := c.build()
	if err != nil {
		return claim.Failed(what, err)
	}
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	hs, rep, err := simrbp.FixedPoint(g, make([]float64, g.Dim()), 1e-15, 100000)
	if err != nil || !rep.Converged {
		return claim.Failed(what, fmt.Errorf("propagation: %+v %v", rep, err))
	}
	neu, err1 := simrbp.Neumann(g, hs, c.Steps, lossGrad)
	tb, _, err2 := simrbp.TBPTT(g, hs, c.Steps+c.Offset, lossGrad)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return identityCheck(what, g, hs, c.Steps, neu, tb, lossGrad)
}
