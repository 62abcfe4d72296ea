package props

// KER: Tsuchida, Roosta, Gallagher, "Invariance of Weight Distributions in Rectified MLPs"
// (ICML 2018); the claims are KER-1 .. KER-7 of CLAIMS.md. Closed forms: theory/kernel;
// simulations: numeric/kernel and numeric/weights.

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/internal/fp"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
)

// KernelFormula is the shape of kernel.Kernel: k(x, y) for a law with E|w|^2 = secondMoment and
// slope a. Claims take it as a parameter so a negative control can substitute a wrong variant.
type KernelFormula func(x, y []float64, secondMoment, a float64) (float64, error)

// KappaFormula is the shape of kernel.Kappa.
type KappaFormula func(theta, a float64) (float64, error)

// HeavyNu is the degrees of freedom below which Student-t weights are checked with the robust
// median-of-means bound: the normal approximation at the budget's z needs light tails
// (a Student-t law with nu = 5 gives a studentised tail a thousand times the nominal one at z = 6.5; nu >= 30 keeps the z-test).
const HeavyNu = 30

func orKernel(f KernelFormula) KernelFormula {
	if f == nil {
		return kernel.Kernel
	}
	return f
}

// Invariance is one KER-1 case: the kernel of law at (x, y) estimated from N whole weight vectors.
type Invariance struct {
	Law     weights.Law
	A       float64
	X, Y    []float64
	N       int
	Seed    uint64
	Formula KernelFormula // nil: kernel.Kernel
}

// KER1 checks that the Monte-Carlo kernel of a rotationally invariant law matches the closed form
// s2 |x||y| kappa_a(theta): a z-test on the Regression estimate for light tails, the
// median-of-means bound on the antithetic estimate for Student-t weights with nu < HeavyNu (see
// simulateKernel).
func KER1(c Invariance) claim.Result { return ker1(c, false) }

// KER1Power is the power control of a KER1 row (claim.Power): the same simulation against the
// closed form times 1 + 2 MDE, which it must reject.
func KER1Power(c Invariance) claim.Result { return ker1(c, true) }

func ker1(c Invariance, power bool) claim.Result {
	what := fmt.Sprintf("KER-1 %s d=%d a=%.3g", lawName(c.Law), len(c.X), c.A)
	return withPower(power, c.Seed, func(seed uint64, f float64) claim.Result {
		c.Seed = seed
		sim, exact, err := invariance(c)
		if err != nil {
			return claim.Failed(what, err)
		}
		return sim.check(what, c.X, c.Y, c.Law.SecondMoment(len(c.X)), f*exact, seed)
	})
}

// freshSeed offsets a case's seed for the independent simulation of its power control.
const freshSeed = 0x9e3779b97f4a7c15

// withPower returns check(seed, 1), the row, or its power control: claim.Power of the row with
// the same check run on a fresh simulation from seed + freshSeed.
func withPower(power bool, seed uint64, check func(seed uint64, f float64) claim.Result) claim.Result {
	row := check(seed, 1)
	if !power {
		return row
	}
	return claim.Power(row, func(f float64) claim.Result { return check(seed+freshSeed, f) })
}

// minQuadrant is the fewest samples a sign quadrant of (w.x, w.y) must expect for the z-test,
// unless that quadrant cannot matter (see normalOK).
// For a rotationally invariant law the quadrants have the exact probabilities (pi - theta)/(2 pi)
// (same signs) and theta/(2 pi) (opposite signs). A quadrant expecting n samples puts a Poisson
// component of relative spread 1/sqrt(n) into the mean; when its values dominate the others (a
// tiny slope a with nearly antiparallel inputs: the kernel is then the same-sign term
// ~ phi^3/(6 pi)) the mean's skewness is about 1/sqrt(n), and NormalApproxOK needs it below
// 6/z^3 = 0.022, so n >= 2000. With fewer, even zero hits (probability exp(-n)) can occur and the
// sample cannot show what it missed, so the decision rests on the exact probabilities.
const minQuadrant = 2000

// heavy reports whether a law's tails rule out the z-test whatever its sample shows.
func heavy(law weights.Law) bool {
	for {
		s, ok := law.(weights.Scaled)
		if !ok {
			break
		}
		law = s.Law
	}
	t, ok := law.(weights.StudentT)
	return ok && t.Nu < HeavyNu
}

// normalOK reports whether a kernel estimate may use the z-test: a sample skewness that passes
// NormalApproxOK, and a rare sign quadrant that is either expected at least minQuadrant times or
// cannot move the mean by 0.1 SE or by 0.1 of the closed form's roundoff allowance. With
// phi = min(theta, pi - theta), the rare quadrant (opposite signs near theta = 0, equal signs near
// pi) has |w.x|, |w.y| = O(phi) and adds at most s2 |x||y| phi^3 / (6 pi) to the kernel (the
// J-term of kappa), and twice that to the Regression residual (whose control u v moves by as
// much); it matters only when the bulk is smaller still (a tiny slope a with nearly antiparallel
// inputs).
func normalOK(law weights.Law, x, y []float64, est stats.Estimate) bool {
	if th, err := kernel.Angle(x, y); err == nil {
		phi := math.Min(th, math.Pi-th)
		unit := law.SecondMoment(len(x)) / float64(len(x)) * floats.Norm(x, 2) * floats.Norm(y, 2)
		rareShift := unit * phi * phi * phi / (3 * math.Pi)
		negligible := rareShift <= 0.1*est.SE || rareShift <= 0.1*kernelRoundoff(x, y, law.SecondMoment(len(x)))
		if float64(est.N)*phi/(2*math.Pi) < minQuadrant && !negligible {
			return false
		}
	}
	return claim.NormalApproxOK(est)
}

// kernelSim is one law's Monte-Carlo kernel at (x, y), ready for the z-test or, when robust, for
// the median-of-means bound with sigma, a bound on the standard deviation of one sample.
type kernelSim struct {
	est    stats.Estimate
	robust bool
	sigma  float64
}

// simulateKernel estimates the kernel of law at (x, y). A light-tailed law (not heavy) is
// simulated with the Regression reduction and, when the estimate is normalOK and robust is not
// asked for, checked by the z-test. Otherwise the antithetic estimator (the plain one for a law
// that is not symmetric) is simulated for the median-of-means bound: its sample
// beta^2 |u||v| + alpha^2 s x.y has standard deviation at most beta^2 sigmaBound, beta = (1-a)/2.
func simulateKernel(law weights.Law, a float64, x, y []float64, n int, seed uint64, robust bool) (kernelSim, error) {
	if !robust && !heavy(law) {
		est, err := simkernel.KernelEstimate(law, a, x, y, n, seed, simkernel.Regression)
		if err != nil {
			return kernelSim{}, err
		}
		if normalOK(law, x, y, est) {
			return kernelSim{est: est}, nil
		}
	}
	r, factor := simkernel.Antithetic, (1-a)*(1-a)/4
	if !law.Symmetric() {
		r, factor = simkernel.Plain, 1
	}
	est, err := simkernel.KernelEstimate(law, a, x, y, n, seed, r)
	if err != nil {
		return kernelSim{}, err
	}
	sigma, err := sigmaBound(law, x, y)
	if err != nil {
		return kernelSim{}, err
	}
	return kernelSim{est: est, robust: true, sigma: factor * sigma}, nil
}

// check compares the estimate with the closed form exact for a law with E|w|^2 = m2: the z-test
// (MeanCheckWithin, allowing the closed form's roundoff) or the median-of-means bound.
func (s kernelSim) check(what string, x, y []float64, m2, exact float64, seed uint64) claim.Result {
	roundoff := kernelRoundoff(x, y, m2)
	if s.robust {
		return claim.RobustCheck(what+" (robust)", s.est, exact, s.sigma, roundoff, seed)
	}
	return claim.MeanCheckWithin(what, s.est, exact, roundoff, seed)
}

// kernelRoundoff is the absolute floating-point accuracy of a kernel comparison, closed form and
// estimate together. The angle from rounded unit vectors is good to a few d epsilon and
// |d kappa/d theta| <= 1.5, so the closed form is good to 1e-13 s2 |x||y| with a wide margin for d
// up to thousands. Each simulated u = w.x is good to (d + 1) eps |w||x|, so a sample u v, |u||v| or
// u^2 (the Regression controls' scale, with coefficients of order one) to 2 (d + 1) eps |w|^2 |x||y|
// in units where |x| = |y|; four such terms give 8 (d + 1) eps E|w|^2 |x||y| for the estimate.
// Both matter only where the samples are nearly constant (the Regression residual of nearly
// parallel or antiparallel inputs) or k itself is that small.
func kernelRoundoff(x, y []float64, m2 float64) float64 {
	const eps = 0x1p-52
	d := float64(len(x))
	return (1e-13/d + 8*(d+1)*eps) * m2 * floats.Norm(x, 2) * floats.Norm(y, 2)
}

// sigmaBound bounds the standard deviation of f(w.x) f(w.y) for a rotationally invariant law
// w = R U: since |f(u)| <= |u| and E[(U.x)^2 (U.y)^2] = (|x|^2|y|^2 + 2 (x.y)^2)/(d(d+2)),
//
//	Var <= E R^4 (|x|^2 |y|^2 + 2 (x.y)^2) / (d (d + 2)).
func sigmaBound(law weights.Law, x, y []float64) (float64, error) {
	f, ok := law.(weights.FourthMomenter)
	if !ok || !law.RotationallyInvariant() {
		return 0, fmt.Errorf("the robust bound needs a rotationally invariant law with a known fourth moment, not %s", law.Name())
	}
	d := float64(len(x))
	nx, ny := floats.Norm(x, 2), floats.Norm(y, 2)
	if nx == 0 || ny == 0 {
		return 0, nil
	}
	c := floats.Dot(x, y) / nx / ny // never squares |x||y|, which may underflow
	return math.Sqrt(f.FourthMoment(len(x))*(1+2*c*c)/(d*(d+2))) * nx * ny, nil
}

// SecondMomentOnly is one KER-2 case: two laws (meant to share E|w|^2) at the same inputs, and a
// scale C applied to the first.
type SecondMomentOnly struct {
	LawA, LawB weights.Law
	A          float64
	X, Y       []float64
	N          int
	C          float64
	Seed       uint64
	Formula    KernelFormula
	// Exponent is the power of C that scaling w by C is claimed to put on k: 0 means 2, the claim;
	// any other value is a wrong variant (the KER-2 scaling control uses 1).
	Exponent float64
}

// estimates returns the two laws' Monte-Carlo kernels, from seeds Seed and Seed + 1, both for the
// z-test or both for the robust bound.
func (c SecondMomentOnly) estimates() (a, b kernelSim, err error) {
	if err := needLaws(c.LawA, c.LawB); err != nil {
		return a, b, err
	}
	a, err1 := simulateKernel(c.LawA, c.A, c.X, c.Y, c.N, c.Seed, false)
	b, err2 := simulateKernel(c.LawB, c.A, c.X, c.Y, c.N, c.Seed+1, false)
	if err := claim.FirstErr(err1, err2); err != nil {
		return a, b, err
	}
	if a.robust && !b.robust {
		b, err = simulateKernel(c.LawB, c.A, c.X, c.Y, c.N, c.Seed+1, true)
	} else if b.robust && !a.robust {
		a, err = simulateKernel(c.LawA, c.A, c.X, c.Y, c.N, c.Seed, true)
	}
	return a, b, err
}

// KER2 checks that two laws with the same E|w|^2 give the same kernel (each against the closed
// form, and against each other as in KER2Pair) and that scaling w by C multiplies the estimate by
// C^2 (as in KER2Scaling); each law is simulated once.
func KER2(c SecondMomentOnly) []claim.Result {
	a, b, err := c.estimates()
	if err != nil {
		return []claim.Result{claim.Failed("KER-2", err)}
	}
	d := len(c.X)
	var out []claim.Result
	for i, law := range []weights.Law{c.LawA, c.LawB} {
		what := fmt.Sprintf("KER-2 %s vs closed form d=%d", law.Name(), d)
		exact, err := orKernel(c.Formula)(c.X, c.Y, law.SecondMoment(d), c.A)
		if err != nil {
			return append(out, claim.Failed(what, err))
		}
		out = append(out, []kernelSim{a, b}[i].check(what, c.X, c.Y, law.SecondMoment(d), exact, c.Seed+uint64(i)))
	}
	base, err := c.scalingBase()
	if err != nil {
		return append(out, claim.Failed("KER-2 scaling", err))
	}
	return append(out, pairCheck(c, a, b, 1), scalingCheck(c, base))
}

// KER2Pair compares the two laws' estimates with each other (independent seeds): equal second
// moments, equal kernels, whatever else differs.
func KER2Pair(c SecondMomentOnly) claim.Result { return ker2Pair(c, false) }

// KER2PairPower is the power control of a KER2Pair row: law A's estimate times 1 + 2 MDE.
func KER2PairPower(c SecondMomentOnly) claim.Result { return ker2Pair(c, true) }

func ker2Pair(c SecondMomentOnly, power bool) claim.Result {
	return withPower(power, c.Seed, func(seed uint64, f float64) claim.Result {
		c.Seed = seed
		a, b, err := c.estimates()
		if err != nil {
			return claim.Failed(fmt.Sprintf("KER-2 %s vs %s", lawName(c.LawA), lawName(c.LawB)), err)
		}
		return pairCheck(c, a, b, f)
	})
}

// pairCheck compares a (scaled by factor) with b: DiffCheck, or RobustDiffCheck with each sim's
// sigma (the robust estimate scales with its sigma).
func pairCheck(c SecondMomentOnly, a, b kernelSim, factor float64) claim.Result {
	what := fmt.Sprintf("KER-2 %s vs %s", lawName(c.LawA), lawName(c.LawB))
	ea := a.est.Scale(factor)
	roundoff := 2 * kernelRoundoff(c.X, c.Y, c.LawA.SecondMoment(len(c.X)))
	if a.robust {
		return claim.RobustDiffCheck(what+" (robust)", ea, b.est, factor*a.sigma, b.sigma, roundoff, c.Seed)
	}
	return claim.DiffCheckWithin(what, ea, b.est, roundoff, c.Seed)
}

// scalingN is the sample size of the scaling identity: an identity up to rounding, whose power
// does not grow with the sample.
const scalingN = 20000

// scalingBase is the plain estimate the scaling identity starts from (scalingN samples at most).
func (c SecondMomentOnly) scalingBase() (stats.Estimate, error) {
	if err := needLaws(c.LawA); err != nil {
		return stats.Estimate{}, err
	}
	return simkernel.KernelMC(c.LawA, c.A, c.X, c.Y, min(c.N, scalingN), c.Seed)
}

// KER2Scaling checks that scaling w by C multiplies the estimate by C^Exponent (2, the claim):
// with the same seed, the same weight vectors, so an identity up to rounding.
func KER2Scaling(c SecondMomentOnly) claim.Result {
	base, err := c.scalingBase()
	if err != nil {
		return claim.Failed("KER-2 scaling", err)
	}
	return scalingCheck(c, base)
}

// scalingCheck compares the estimate for weights C w with C^Exponent times base, the estimate for
// w from the same seed. Its tolerance comes from rounding, not taste. A dot product of d terms is
// good to (d + 1) eps sum |w_i x_i| <= (d + 1) eps |w||x| with and without the scale, so each
// sample f(w.x) f(w.y) is good to 2 (d + 1) eps |w|^2 |x||y| in both runs, whatever cancellation
// w.x or w.y carry (nearly antiparallel inputs make |w.y| far below |w||y|, and so the sample far
// below its error bound); the means of the samples then differ by at most
//
//	4 (d + 1) eps C^2 mean(|w|^2) |x||y|,
//
// with mean(|w|^2) from the same draws (simkernel.SquaredNormMean). The bound is widened by the
// factor (1 + 2 n eps) for the accumulation of the n samples, which runs the same operations in
// the same order on both sides. That factor is a margin, not a worst-case bound: the worst case of
// a sum of n terms, 2 n eps mean|sample|, would be 1e-10 of the scale at n = 2e5. Measured: over
// 40 cases at d = 16, a = 8e-188, nearly antiparallel inputs and C from 0.023 to 14.5, the largest
// difference was 5.8e-4 of this bound.
func scalingCheck(c SecondMomentOnly, base stats.Estimate) claim.Result {
	p := c.Exponent
	if p == 0 {
		p = 2
	}
	what := fmt.Sprintf("KER-2 scaling w by %.3g multiplies k by C^%g", c.C, p)
	n := base.N
	scaled, err1 := simkernel.KernelMC(weights.Scaled{Law: c.LawA, C: c.C}, c.A, c.X, c.Y, n, c.Seed)
	norm2, err2 := simkernel.SquaredNormMean(c.LawA, len(c.X), n, c.Seed)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	const eps = 0x1p-52
	d := float64(len(c.X))
	perSample := 2 * (d + 1) * eps * norm2 * floats.Norm(c.X, 2) * floats.Norm(c.Y, 2)
	allowed := c.C * c.C * 2 * perSample * (1 + 2*float64(n)*eps)
	diff := math.Abs(scaled.Mean - math.Pow(c.C, p)*base.Mean)
	return claim.Check(what, diff, allowed, fmt.Sprintf("|k(Cw) - C^%g k(w)| %.3g; rounding bound %.3g from mean |w|^2 = %.4g, d = %d, seed %d",
		p, diff, allowed, norm2, len(c.X), c.Seed))
}

// needLaws returns an error when a case lacks a weight law (also a typed nil) or has an invalid
// one (weights.Check).
func needLaws(laws ...weights.Law) error {
	for _, l := range laws {
		if err := weights.Check(l); err != nil {
			return err
		}
	}
	return nil
}

// lawName is the law's name for a case label, safe for a nil law (which needLaws refuses).
func lawName(l weights.Law) string {
	if fp.IsNil(l) {
		return "<nil law>"
	}
	return l.Name()
}

// Quadrature is one KER-2 quadrature case: the angle, the slope and the formula under test.
type Quadrature struct {
	Theta, A float64
	Formula  KappaFormula // nil: kernel.Kappa
}

// KER2Quadrature checks the closed form kappa_a(theta) against Gauss-Legendre quadrature of
// (1/pi) int_0^{2pi} f(cos p) f(cos(p - theta)) dp, deterministic, at 1e-13 of kappa_a(0).
func KER2Quadrature(c Quadrature) claim.Result {
	theta, a, formula := c.Theta, c.A, c.Formula
	what := fmt.Sprintf("KER-2 quadrature theta=%.4g a=%.3g", theta, a)
	if formula == nil {
		formula = kernel.Kappa
	}
	got, err := formula(theta, a)
	if err != nil {
		return claim.Failed(what, err)
	}
	q, err := simkernel.KappaQuad(theta, a)
	if err != nil {
		return claim.Failed(what, err)
	}
	return claim.RelCheck(what, got, q, (1+a*a)/2, 1e-13)
}
