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
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/internal/fp"

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
	return UnrolledCheck(what, Unrolled{Model: model, H0: unrolledStart(model.Dim(), seed), Steps: steps, Claimed: steps + c.Offset, LossGrad: c.Problem.LossGrad})
}

// unrolledStart is RBP2Unrolled's arbitrary start: entries uniform on [-1.5, 1.5] from PCG(seed, 12).
func unrolledStart(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 12))
	h0 := make([]float64, n)
	for i := range h0 {
		h0[i] = 3*rng.Float64() - 1.5
	}
	return h0
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
