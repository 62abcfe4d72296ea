package props

import (
	"errors"
	"fmt"
	"math"

	simdae "github.com/dlt5/verify/numeric/dae"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
	"gonum.org/v1/gonum/mat"
)

// convergeTol is DAE-3's tolerance on |u - u*| after a run long enough for the slowest mode's
// e^{-2 a t} to fall below 1e-12: the fixed point is exact, so only that tail and rounding remain.
const convergeTol = 1e-9

// DAE3Converge checks that gradient descent at step alpha = frac limit from the case's decoupled
// start, perturbed by N(0, 1e-16) in every weight, reaches u* on every mode to convergeTol, after the steps the slowest trained mode needs (its
// growth from u0, then e^{-30} of the remainder at the discrete contraction
// |1 - 2 alpha (lambda - gamma)|). limit is 1/lambda_1 for the stable range the suite finds
// (2 / the Hessian's largest eigenvalue, which is at most 2 lambda_1) or 1/(lambda_1 - gamma), the
// catalogue's. A run that diverges measures +Inf (the control: frac > 1). Modes with
// lambda = gamma exactly (algebraic decay) are outside its conditions.
func DAE3Converge(c FlowCase, frac, limit float64) claim.Result {
	what := fmt.Sprintf("DAE-3 D=%d H=%d sigma2=%.3g gamma=%.3g alpha=%.3g x %.4g reaches u*", len(c.Lambda), c.H, c.Sigma2, c.Gamma, frac, limit)
	alpha := frac * limit
	c.Perturb = 1e-8 // excite every direction, also across modes, where instability starts
	c.Alpha = alpha
	// Steps: the growth from u0 at (1 + 2 alpha a) per step, then e^{-30} of the remainder at the
	// discrete contraction |1 - 2 alpha a| per step (slow for the top mode near the stable limit).
	steps := 0.0
	for i := range c.H {
		m := c.mode(i)
		us, err := m.UStar()
		if err != nil {
			return claim.Failed(what, err)
		}
		a := 2 * alpha * math.Abs(m.Lambda-m.Gamma)
		rho := math.Max(math.Abs(1-a), 1/math.E) // near a = 1 the linear contraction vanishes: at least 30 steps
		steps = math.Max(steps, math.Log(math.Max(us/c.U0, 1))/math.Log1p(a)+30/-math.Log(rho))
	}
	c.T = alpha * math.Min(steps, 1e6)
	rate, us, err := c.run(alpha)
	if errors.Is(err, simdae.ErrDiverged) || errors.Is(err, simdae.ErrNotFinite) {
		return claim.Check(what, math.Inf(1), convergeTol, "diverged: "+err.Error())
	}
	if err != nil {
		return claim.Failed(what, err)
	}
	last := us[len(us)-1]
	worst := 0.0
	for i, u := range last {
		us, err := c.mode(i).UStar()
		if err != nil {
			return claim.Failed(what, err)
		}
		worst = math.Max(worst, math.Abs(u-us))
	}
	return claim.Check(what, worst, convergeTol, fmt.Sprintf("max |u - u*| %.3g after t = %.3g (%d steps at rate %.3g)", worst, c.T, len(us)-1, rate))
}

// SubspaceCase is DAE-3's random-start case: a rotated covariance with eigenvalues Lambda (a gap
// after the H-th), a small random start of scale S, gradient descent at Alpha up to time T. Bottom,
// when true, builds the target from the bottom H eigen-directions (the control).
type SubspaceCase struct {
	Lambda        []float64
	H             int
	Sigma2, Gamma float64
	S, Alpha, T   float64
	Seed          uint64
	Bottom        bool
}

// DAE3Subspace checks that from a small random start W2 W1 converges to
// sum_{i <= H} u*_i v_i v_i^T over the top-H eigen-directions: the largest entry of the difference
// at time T is at most convergeTol.
func DAE3Subspace(c SubspaceCase) claim.Result {
	what := fmt.Sprintf("DAE-3 random start D=%d H=%d sigma2=%.3g gamma=%.3g W2 W1 -> top-H projector", len(c.Lambda), c.H, c.Sigma2, c.Gamma)
	fc := FlowCase{Lambda: c.Lambda, H: c.H, Sigma2: c.Sigma2, Gamma: c.Gamma, Rotated: true, Seed: c.Seed}
	p, v, rate, err := fc.problem(c.Alpha)
	if err != nil {
		return claim.Failed(what, err)
	}
	d := len(c.Lambda)
	n, err := simdae.RandomStart(d, c.H, c.S, c.Seed+1)
	if err != nil {
		return claim.Failed(what, err)
	}
	g, err := simdae.NewGD(p, c.H, rate)
	if err == nil {
		err = g.Run(n, int(math.Round(c.T/c.Alpha)), nil)
	}
	if err != nil {
		return claim.Failed(what, err)
	}
	target := mat.NewDense(d, d, nil)
	for k := range c.H {
		i := k
		if c.Bottom {
			i = d - 1 - k
		}
		us, err := fc.mode(i).UStar()
		if err != nil {
			return claim.Failed(what, err)
		}
		col := v.ColView(i)
		var o mat.Dense
		o.Outer(us, col, col)
		target.Add(target, &o)
	}
	var pp mat.Dense
	pp.Mul(n.W2, n.W1)
	pp.Sub(&pp, target)
	worst := mat.Norm(&pp, math.Inf(1))
	return claim.Check(what, worst, convergeTol, fmt.Sprintf("max row sum of |W2 W1 - target| %.3g at t = %.3g", worst, c.T))
}

// halfTime returns the time at which a trajectory (one value per step of the given rate) first
// reaches level, interpolated linearly between steps; an error when it never does.
func halfTime(us []float64, level, rate float64) (float64, error) {
	for k := 1; k < len(us); k++ {
		if us[k] >= level && us[k-1] < level {
			return rate * (float64(k-1) + (level-us[k-1])/(us[k]-us[k-1])), nil
		}
	}
	return 0, fmt.Errorf("the trajectory never crosses %.4g", level)
}

// MatchedCase is DAE-4's simulation: one mode of eigenvalue Lambda in the eigenbasis (beside two
// weaker modes), trained with noise Sigma2 and, separately, with the matched weight decay and no
// noise, from U0 up to T, at Alpha and Alpha/10. Ratio, when not nil, replaces the claimed time
// ratio 1 + sigma2/lambda (the control).
type MatchedCase struct {
	Lambda, Sigma2, U0, T, Alpha float64
	Seed                         uint64
	Ratio                        func(lambda, sigma2 float64) (float64, error)
}

// matchedRun returns the f-time ratio (weight decay over noise) measured at step alpha, and
// whether u_DAE >= u_WD held at every step.
func (c MatchedCase) matchedRun(alpha, f float64) (float64, bool, error) {
	g, err := dae.MatchedGamma(c.Lambda, c.Sigma2)
	if err != nil {
		return 0, false, err
	}
	lam := []float64{c.Lambda, c.Lambda / 3, c.Lambda / 7}
	var runs [2][]float64
	var level float64
	for k, fc := range []FlowCase{
		{Lambda: lam, H: 1, Sigma2: c.Sigma2, U0: c.U0, T: c.T, Seed: c.Seed},
		{Lambda: lam, H: 1, Gamma: g, U0: c.U0, T: c.T, Seed: c.Seed},
	} {
		_, us, err := fc.run(alpha)
		if err != nil {
			return 0, false, err
		}
		for _, u := range us {
			runs[k] = append(runs[k], u[0])
		}
		if level, err = fc.mode(0).UStar(); err != nil {
			return 0, false, err
		}
	}
	above := true
	for k := range runs[0] {
		above = above && runs[0][k] >= runs[1][k]
	}
	t0, err1 := halfTime(runs[0], f*level, alpha)
	t1, err2 := halfTime(runs[1], f*level, alpha)
	if err := claim.FirstErr(err1, err2); err != nil {
		return 0, false, err
	}
	return t1 / t0, above, nil
}

// DAE4Sim checks, in simulation, that the matched weight decay's time to half its fixed point is
// 1 + sigma2/lambda times the noise's, to O(alpha): the error of the measured ratio shrinks 10x
// from alpha to alpha/10 (within orderTol); and that u_DAE >= u_WD at every step of both runs.
func DAE4Sim(c MatchedCase) []claim.Result {
	what := fmt.Sprintf("DAE-4 GD lambda=%.3g sigma2=%.3g half-time ratio", c.Lambda, c.Sigma2)
	ratio := c.Ratio
	if ratio == nil {
		ratio = dae.MatchedTimeRatio
	}
	want, err := ratio(c.Lambda, c.Sigma2)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	var errs [2]float64
	allAbove := true
	for k, a := range []float64{c.Alpha, c.Alpha / 10} {
		got, above, err := c.matchedRun(a, 0.5)
		if err != nil {
			return []claim.Result{claim.Failed(what, err)}
		}
		errs[k], allAbove = math.Abs(got-want), allAbove && above
	}
	r := claim.RelCheck(what+" error ratio", errs[0]/errs[1], 10, 10, orderTol)
	r.Detail += fmt.Sprintf("; |measured - %.4g| = %.3g at alpha, %.3g at alpha/10", want, errs[0], errs[1])
	above := claim.Result{Case: fmt.Sprintf("DAE-4 GD lambda=%.3g sigma2=%.3g u_DAE >= u_WD at every step", c.Lambda, c.Sigma2), Pass: allAbove, Bound: 0}
	if !allAbove {
		above.Measured = 1
	}
	return []claim.Result{r, above}
}

// NearRatio is the matched time ratio 1 + sigma2/lambda off by 1e-6 relative: the identity rows'
// control, which shows their tolerance (near 1e-8) sees it.
func NearRatio(lambda, sigma2 float64) (float64, error) {
	r, err := dae.MatchedTimeRatio(lambda, sigma2)
	return r * (1 + 1e-6), err
}

// ratioOff returns the matched time ratio 1 + sigma2/lambda times f (a near-miss control).
func ratioOff(f float64) func(lambda, sigma2 float64) (float64, error) {
	return func(lambda, sigma2 float64) (float64, error) {
		r, err := dae.MatchedTimeRatio(lambda, sigma2)
		return f * r, err
	}
}

// SwappedRatio is the control's time ratio 1 + lambda/sigma2 (lambda and sigma2 swapped).
func SwappedRatio(lambda, sigma2 float64) (float64, error) {
	return dae.MatchedTimeRatio(sigma2, lambda)
}

// DAE4Identities checks the matched weight decay's identities for one mode (derived; catalogue
// "Closed forms") against numbers that do not use theory/dae's closed forms (numeric/dae.ModeODE):
// the DAE's u* is a fixed point of the weight-decay flow too (the right-hand side vanishes to
// 1e-12 of 2 u* lambda); t_f(WD)/t_f(DAE) = 1 + sigma2/lambda at f, with each t_f the integral of
// du / (2u (a - b u)) by quadrature; u_WD(t) = u_DAE(t lambda/(lambda + sigma2)), both by RK4; the
// closed form u_WD(t) against its RK4 flow; and u_DAE(t) >= u_WD(t). Each tolerance is twice the
// numbers' own error estimates (Richardson) plus 1e-12 relative. ratio, when not nil, replaces
// dae.MatchedTimeRatio (the control).
func DAE4Identities(lambda, sigma2, u0, f, t float64, ratioFn func(lambda, sigma2 float64) (float64, error)) []claim.Result {
	what := fmt.Sprintf("DAE-4 lambda=%.3g sigma2=%.3g u0=%.3g", lambda, sigma2, u0)
	g, err := dae.MatchedGamma(lambda, sigma2)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	noise, wd := simdae.ModeODE{Lambda: lambda, Sigma2: sigma2}, simdae.ModeODE{Lambda: lambda, Gamma: g}
	us, err1 := dae.Mode{Lambda: lambda, Sigma2: sigma2}.UStar()
	if ratioFn == nil {
		ratioFn = dae.MatchedTimeRatio
	}
	ratio, err2 := ratioFn(lambda, sigma2)
	closed, err3 := dae.Mode{Lambda: lambda, Gamma: g}.U(u0, t)
	tn, en, err4 := noise.HitTime(u0, f*us)
	tw, ew, err5 := wd.HitTime(u0, f*us)
	steps := odeSteps(lambda+sigma2, t)
	a, ea, err6 := wd.Flow(u0, t, steps)
	// A different step count for the rescaled flow: with the same count RK4's iterates of a
	// time-rescaled ODE are the same numbers, and the row would test only MatchedGamma.
	b, eb, err7 := noise.Flow(u0, t*lambda/(lambda+sigma2), steps+2*(steps/4)+2)
	c, ec, err8 := noise.Flow(u0, t, steps)
	if err := claim.FirstErr(err1, err2, err3, err4, err5, err6, err7, err8); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	residual := math.Max(math.Abs(wd.Rate(us)), math.Abs(noise.Rate(us))) / (2 * us * lambda)
	ge := claim.Result{Case: fmt.Sprintf("%s u_DAE(%.3g) >= u_WD by RK4", what, t), Measured: a - c, Bound: 2*(ea+ec) + 1e-12*a,
		Pass: c >= a-2*(ea+ec)-1e-12*a, Detail: fmt.Sprintf("u_DAE %.17g, u_WD %.17g, %d steps", c, a, steps)}
	return []claim.Result{
		claim.Check(what+" u*_DAE a fixed point of both flows", residual, 1e-12, fmt.Sprintf("u* = %.17g, gamma = %.17g", us, g)),
		claim.RelCheck(fmt.Sprintf("%s t_f ratio at f=%.3g by quadrature", what, f), tw/tn, ratio, ratio, 2*(ew/tw+en/tn)+1e-12),
		claim.RelCheck(fmt.Sprintf("%s time rescaling at t=%.3g by RK4", what, t), a, b, b, 2*(ea+eb)/b+1e-12),
		claim.RelCheck(fmt.Sprintf("%s closed-form u_WD(%.3g) against RK4", what, t), closed, a, a, 2*ea/a+1e-12),
		ge,
	}
}

// odeSteps is the RK4 step count for a mode whose rates are at most 2 (lambda + sigma2) (u <= 1):
// 64 steps per unit of rate times t, so that h * rate <= 1/64 and the fourth-order error is near
// 1e-8 relative, which the Richardson estimate then states.
func odeSteps(rate, t float64) int {
	n := int(math.Ceil(64 * 2 * rate * t))
	n += n % 2
	return min(max(n, 2), simdae.MaxODESteps)
}

// DAE5 checks the low-variance statements for one mode: u* <= 1/2 exactly when
// lambda <= sigma2 + 2 gamma (cond, when not nil, replaces that condition: the control), the
// mode below lambda/sigma2 at each t of ts from u0 < lambda/sigma2, u* > 0 whenever lambda > 0
// and gamma = 0, and u* = 0 whenever lambda <= gamma. It returns one row per statement.
func DAE5(m dae.Mode, u0 float64, ts []float64, cond func(m dae.Mode) bool) []claim.Result {
	what := fmt.Sprintf("DAE-5 lambda=%.3g sigma2=%.3g gamma=%.3g", m.Lambda, m.Sigma2, m.Gamma)
	if cond == nil {
		cond = func(m dae.Mode) bool { return m.Lambda <= m.Sigma2+2*m.Gamma }
	}
	us, err := m.UStar()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	half := claim.Result{Case: what + " u* <= 1/2 iff the condition", Pass: (us <= 0.5) == cond(m), Detail: fmt.Sprintf("u* = %.6g", us)}
	if !half.Pass {
		half.Measured = 1
	}
	out := []claim.Result{half}
	if m.Sigma2 > 0 && u0 < m.Lambda/m.Sigma2 {
		worst := math.Inf(-1)
		for _, t := range ts {
			u, err := m.U(u0, t)
			if err != nil {
				return append(out, claim.Failed(what, err))
			}
			worst = math.Max(worst, u-m.Lambda/m.Sigma2)
		}
		out = append(out, claim.Result{Case: what + " stays below lambda/sigma2", Measured: worst, Bound: 0, Pass: worst < 0})
	}
	if m.Lambda > 0 && m.Gamma == 0 {
		out = append(out, claim.Result{Case: what + " noise keeps the mode", Measured: us, Pass: us > 0})
	}
	if m.Lambda <= m.Gamma {
		out = append(out, claim.Result{Case: what + " weight decay removes the mode", Measured: us, Pass: us == 0})
	}
	return out
}

// DAE6 checks, for one (lambda, sigma2, gamma, f) and start u0 = frac f u*(lambda) (u* at the
// smaller lambda), that t_f decreases when lambda grows by the factor 1 + step and increases when
// gamma grows by step lambda (the claim for frac <= 0.1; the control uses frac near 1), and that
// u* decreases in sigma2 and in gamma.
func DAE6(m dae.Mode, f, frac, step float64) []claim.Result {
	what := fmt.Sprintf("DAE-6 lambda=%.3g sigma2=%.3g gamma=%.3g f=%.3g u0=%.3g f u*", m.Lambda, m.Sigma2, m.Gamma, f, frac)
	us, err := m.UStar()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	u0 := frac * f * us
	bigL, bigG := m, m
	bigL.Lambda *= 1 + step
	bigG.Gamma += step * m.Lambda
	usG, err := bigG.UStar()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	u0G := math.Min(u0, frac*f*usG) // the larger gamma's u* is smaller: keep u0 below frac f u* there too
	t0, err1 := m.TFrac(u0G, f)
	tl, err2 := bigL.TFrac(u0G, f)
	tg, err3 := bigG.TFrac(u0G, f)
	bigS := m
	bigS.Sigma2 += step
	uS, err4 := bigS.UStar()
	if err := claim.FirstErr(err1, err2, err3, err4); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	return []claim.Result{
		{Case: what + " t_f decreases in lambda", Measured: tl - t0, Bound: 0, Pass: tl < t0},
		{Case: what + " t_f increases in gamma", Measured: t0 - tg, Bound: 0, Pass: tg > t0},
		{Case: what + " u* decreases in sigma2 and gamma", Measured: math.Max(uS-us, usG-us), Bound: 0, Pass: uS < us && (usG < us || us == 0)},
	}
}

// InvariantCase is DAE-7's case: a small random start (scale S, not balanced) on a rotated
// covariance, gradient descent up to time T at Alpha, Alpha/2 and Alpha/4. Decay, when not 0,
// replaces the claimed decay rate 2 gamma; Linear, when true, the one-step identity's shrink
// (1 - alpha gamma)^2 by 1 - alpha gamma; and Raw, when true, builds M_k from the gradients with
// the weight-decay term left in (the controls: a first- and a second-order slip).
type InvariantCase struct {
	Lambda        []float64
	H             int
	Sigma2, Gamma float64
	S, Alpha, T   float64
	Seed          uint64
	Decay         float64
	Linear        bool
	Raw           bool
}

// invariantRun descends at step alpha and returns the deviation |Q(T) - e^{-decay T} Q(0)|_F, its
// O(alpha) bound sum_k (1 - alpha gamma)^{2(K-1-k)} alpha^2 |M_k|_F + |(1 - alpha gamma)^{2K} -
// e^{-2 gamma T}| |Q(0)|_F, and the largest residual of the one-step identity
// Q_{k+1} = (1 - alpha gamma)^2 Q_k + alpha^2 M_k, M_k = g1 g1^T - g2^T g2 with g the gradients
// without the weight-decay term, relative to |W1 W1^T|_F + |W2^T W2|_F + alpha^2 |M_k|_F at step
// k + 1: the size of the terms Q is the difference of, which sets its rounding (Q itself can
// nearly cancel: in the soak case lambda = (3, 1, 1, 1), H = 1, seed 0x782d, |Q| starts at 1e-3
// of them and falls to 4e-7 of them, and the residual relative to |Q| was 7.4e-10; relative to
// the terms, at most 5e-16 over 150 drawn cases).
func (c InvariantCase) invariantRun(alpha, decay float64) (dev, bound, resid float64, err error) {
	fc := FlowCase{Lambda: c.Lambda, H: c.H, Sigma2: c.Sigma2, Gamma: c.Gamma, Rotated: true, Seed: c.Seed}
	p, _, rate, err := fc.problem(alpha)
	if err != nil {
		return 0, 0, 0, err
	}
	n, err := simdae.RandomStart(len(c.Lambda), c.H, c.S, c.Seed+2)
	if err != nil {
		return 0, 0, 0, err
	}
	g, err := simdae.NewGD(p, c.H, rate)
	if err != nil {
		return 0, 0, 0, err
	}
	steps := int(math.Round(c.T / alpha))
	q0, _ := invariant(n)
	gam := p.Gamma
	shrink := (1 - rate*gam) * (1 - rate*gam)
	if c.Linear {
		shrink = 1 - rate*gam
	}
	var norms []float64
	var pred *mat.Dense
	err = g.Run(n, steps, func(k int) error {
		q, size := invariant(n)
		if pred != nil {
			var d mat.Dense
			d.Sub(q, pred)
			resid = math.Max(resid, mat.Norm(&d, 2)/(size+rate*rate*norms[len(norms)-1]))
		}
		if k == steps {
			return nil
		}
		g1, g2, err := g.Gradient(n)
		if err != nil {
			return err
		}
		var a, b, m mat.Dense
		if !c.Raw {
			g1.Sub(g1, scaled(gam, n.W1))
			g2.Sub(g2, scaled(gam, n.W2))
		}
		a.Mul(g1, g1.T())
		b.Mul(g2.T(), g2)
		m.Sub(&a, &b)
		norms = append(norms, mat.Norm(&m, 2))
		pred = mat.NewDense(c.H, c.H, nil)
		pred.Scale(shrink, q)
		m.Scale(rate*rate, &m)
		pred.Add(pred, &m)
		return nil
	})
	if err != nil {
		return 0, 0, 0, err
	}
	for k, v := range norms {
		bound += math.Pow(shrink, float64(len(norms)-1-k)) * rate * rate * v
	}
	t := float64(steps) * alpha
	bound += math.Abs(math.Pow(shrink, float64(steps))-math.Exp(-2*c.Gamma*t)) * mat.Norm(q0, 2)
	var d mat.Dense
	d.Scale(math.Exp(-decay*t), q0)
	q, _ := invariant(n)
	d.Sub(q, &d)
	return mat.Norm(&d, 2), bound, resid, nil
}

// scaled returns c m.
func scaled(c float64, m *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Scale(c, m)
	return &out
}

// DAE7 checks that W1 W1^T - W2^T W2 evolves as e^{-2 gamma t} times its start (conserved when
// gamma = 0) up to an O(alpha) error, in three rows: gradient descent's one-step identity
// Q_{k+1} = (1 - alpha gamma)^2 Q_k + alpha^2 (g1 g1^T - g2^T g2) at every step, 1e-13 relative
// to the terms' size (about 450 eps, where rounding gives at most about 30; the decay term left
// in the gradients, alpha^2 gamma^2 |Q|, is 6e-11 on the soak case at gamma = 0.1), the flow's
// part being e^{-2 gamma alpha} to O(alpha^2); the deviation from e^{-2 gamma T} Q(0) at
// time T within the identity's bound (a sum of norms, so it cannot cancel); and that bound is
// O(alpha) (its first-order part, by Richardson over alpha, alpha/2, alpha/4, halves with alpha
// within orderTol).
func DAE7(c InvariantCase) []claim.Result {
	what := fmt.Sprintf("DAE-7 D=%d H=%d sigma2=%.3g gamma=%.3g", len(c.Lambda), c.H, c.Sigma2, c.Gamma)
	decay := 2 * c.Gamma
	if c.Decay != 0 {
		decay = c.Decay
	}
	// Steps alpha, alpha/2, alpha/4 that reach T exactly (so the three runs end at one time).
	steps := max(1, int(math.Round(c.T/c.Alpha)))
	var devs, bounds [3]float64
	var resid float64
	for k := range bounds {
		d, b, r, err := c.invariantRun(c.T/float64(steps<<k), decay)
		if err != nil {
			return []claim.Result{claim.Failed(what, err)}
		}
		devs[k], bounds[k], resid = d, b, math.Max(resid, r)
	}
	// The bound is b(h) = c1 h + c2 h^2 + O(h^3): a sum of h^2 |G1 G1^T - G2^T G2| over T/h steps,
	// whose second-order part (the left sum's end correction, descent's drift from the flow) can be
	// 9 alpha lambda_1 of the first (soak seed 6000035: D = 2, lambda = (1, 0.47), sigma2 = 0.25:
	// the ratio b(alpha)/b(alpha/10) was 9.09 at alpha lambda_1 = 0.01, linear in alpha). Richardson
	// removes it: L(h) = 4 b(h/2) - b(h) = c1 h + O(h^3), and L(alpha)/L(alpha/2) = 2 + O(alpha^2).
	// A bound that is O(1) gives a ratio near 1, one that is O(alpha^2) a first-order part near 0.
	l0, l1 := 4*bounds[1]-bounds[0], 4*bounds[2]-bounds[1]
	order := claim.RelCheck(what+" bound O(alpha): its first-order part (Richardson) halves with alpha", l0/l1, 2, 2, orderTol)
	order.Detail += fmt.Sprintf("; bound %.6g, %.6g, %.6g at alpha, alpha/2, alpha/4 (raw ratio %.4g)", bounds[0], bounds[1], bounds[2], bounds[0]/bounds[1])
	return []claim.Result{
		claim.Check(what+" one-step identity", resid, 1e-13, "largest residual relative to |W1 W1^T| + |W2^T W2| + alpha^2 |M|"),
		// Equality is reached when every term has one sign (H = 1): rounding is allowed, 1e-9.
		claim.Check(fmt.Sprintf("%s |Q(T) - e^{-%.3g T} Q(0)| within the O(alpha) bound", what, decay), devs[0]/bounds[0]-1, 1e-9,
			fmt.Sprintf("deviation %.3g, bound %.3g at alpha; %.3g and %.3g at alpha/2, alpha/4", devs[0], bounds[0], devs[1], bounds[1])),
		order,
	}
}

// invariant returns Q = W1 W1^T - W2^T W2 and the size of its terms, |W1 W1^T|_F + |W2^T W2|_F.
func invariant(n simdae.Net) (q *mat.Dense, size float64) {
	var a, b mat.Dense
	a.Mul(n.W1, n.W1.T())
	b.Mul(n.W2.T(), n.W2)
	size = mat.Norm(&a, 2) + mat.Norm(&b, 2)
	a.Sub(&a, &b)
	return &a, size
}

// DAE3Hessian compares the largest eigenvalue of the Hessian at the minimum reached from the
// case's decoupled start (every trained mode at u*; computed by numeric/dae.HessianMax) with the catalogue's
// 2 (lambda_1 - gamma) (to 1e-6 relative: the differences' accuracy), and checks the suite's bound
// 2 lambda_1 (to the same accuracy). Without weight decay the two agree; with it the first is the
// stable-range finding.
func DAE3Hessian(c FlowCase) []claim.Result {
	what := fmt.Sprintf("DAE-3 D=%d H=%d sigma2=%.3g gamma=%.3g lambda_1=%.4g Hessian's largest eigenvalue", len(c.Lambda), c.H, c.Sigma2, c.Gamma, c.Lambda[0])
	p, v, _, err := c.problem(1)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	us := make([]float64, c.H)
	for i := range us {
		if us[i], err = c.mode(i).UStar(); err != nil || us[i] == 0 {
			return []claim.Result{claim.Failed(what, fmt.Errorf("mode %d has u* = %v (%v): no minimum with it trained", i, us[i], err))}
		}
	}
	n, err := simdae.Decoupled(len(c.Lambda), v, us, c.Seed)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	h, err := simdae.HessianMax(p, n)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	l1 := c.mode(0).Lambda
	want := 2 * (l1 - c.mode(0).Gamma)
	return []claim.Result{
		claim.RelCheck(what+" = 2 (lambda_1 - gamma)", h, want, want, 1e-6),
		claim.Check(what+" <= 2 lambda_1", h/(2*l1)-1, 1e-6, fmt.Sprintf("largest eigenvalue %.8g, 2 lambda_1 %.8g", h, 2*l1)),
	}
}
