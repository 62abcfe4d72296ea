package props

// KER: Tsuchida, Roosta, Gallagher, "Invariance of Weight Distributions in Rectified MLPs"
// (ICML 2018); the claims are KER-1 .. KER-7 of CLAIMS.md. Closed forms: theory/kernel;
// simulations: numeric/kernel and numeric/weights.

import (
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"math/rand/v2"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
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

// Symmetries is one KER-3 case: points in R^d, an orthogonal Q, homogeneity scalars B, C >= 0,
// and a depth for the composed (deep) Gram matrix.
type Symmetries struct {
	Points          [][]float64
	Q               *mat.Dense
	B, C            float64
	A, SecondMoment float64
	Depth           int
	Formula         KernelFormula
}

// symTol is the relative tolerance of the KER-3 identities, in units of s2 |x||y|: each side is a
// few dozen roundings of O(1) quantities.
const symTol = 1e-12

// KER3 checks symmetry, rotation invariance k(Qx, Qy) = k(x, y), positive homogeneity
// k(Bx, Cy) = BC k(x, y), and positive semi-definiteness (smallest eigenvalue >= -1e-12 trace) of
// the Gram matrix of the points, also after Depth layers of the deep map.
func KER3(c Symmetries) []claim.Result {
	return []claim.Result{KER3Symmetry(c), KER3Rotation(c), KER3Homogeneity(c), KER3PSD(c), KER3DeepPSD(c)}
}

// validate checks the case's shape: two or more points of one length d >= 1, a d x d Q.
func (c Symmetries) validate() error {
	m := len(c.Points)
	if m < 2 || c.Q == nil {
		return fmt.Errorf("need at least two points and an orthogonal Q, got %d points", m)
	}
	d := len(c.Points[0])
	for i, p := range c.Points {
		if len(p) != d || d == 0 {
			return fmt.Errorf("point %d has length %d, want %d > 0", i, len(p), d)
		}
	}
	if r, cc := c.Q.Dims(); r != d || cc != d {
		return fmt.Errorf("the rotation Q is %dx%d, want %dx%d", r, cc, d, d)
	}
	return nil
}

// unit is the natural scale s2 |x||y| of k(x, y): 0 for a zero point, where k is exactly 0.
func (c Symmetries) unit(x, y []float64) float64 {
	return c.SecondMoment / float64(len(x)) * floats.Norm(x, 2) * floats.Norm(y, 2)
}

// worstPair returns the largest |k(p_i, p_j) - other(i, j)| / (s2 |p_i||p_j|) over all pairs.
func (c Symmetries) worstPair(other func(k KernelFormula, i, j int) (float64, error)) (float64, error) {
	if err := c.validate(); err != nil {
		return 0, err
	}
	k := orKernel(c.Formula)
	worst := 0.0
	for i := range c.Points {
		for j := i; j < len(c.Points); j++ {
			kij, err1 := k(c.Points[i], c.Points[j], c.SecondMoment, c.A)
			o, err2 := other(k, i, j)
			if err := claim.FirstErr(err1, err2); err != nil {
				return 0, err
			}
			worst = math.Max(worst, zRatio(kij-o, c.unit(c.Points[i], c.Points[j])))
		}
	}
	return worst, nil
}

// zRatio is |diff|/scale, with 0/0 = 0 (an exact zero) and x/0 = +Inf.
func zRatio(diff, scale float64) float64 {
	if diff == 0 {
		return 0
	}
	return math.Abs(diff) / scale
}

// KER3Symmetry checks k(x, y) = k(y, x) over every pair of points (relative to s2 |x||y|).
func KER3Symmetry(c Symmetries) claim.Result {
	what := "KER-3 symmetry k(x,y) = k(y,x)"
	e, err := c.worstPair(func(k KernelFormula, i, j int) (float64, error) {
		return k(c.Points[j], c.Points[i], c.SecondMoment, c.A)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	return claim.Check(what, e, symTol, fmt.Sprintf("largest |k(x,y) - k(y,x)| / (s2|x||y|) over %d points", len(c.Points)))
}

// KER3Rotation checks k(Qx, Qy) = k(x, y) over every pair of points.
func KER3Rotation(c Symmetries) claim.Result {
	what := "KER-3 rotation k(Qx,Qy) = k(x,y)"
	if err := c.validate(); err != nil {
		return claim.Failed(what, err)
	}
	d := len(c.Points[0])
	rot := make([][]float64, len(c.Points))
	for i, p := range c.Points {
		v := mat.NewVecDense(d, nil)
		v.MulVec(c.Q, mat.NewVecDense(d, p))
		rot[i] = v.RawVector().Data
	}
	e, err := c.worstPair(func(k KernelFormula, i, j int) (float64, error) {
		return k(rot[i], rot[j], c.SecondMoment, c.A)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	return claim.Check(what, e, symTol, fmt.Sprintf("largest |k(Qx,Qy) - k(x,y)| / (s2|x||y|) over %d points in R^%d", len(c.Points), d))
}

// KER3Homogeneity checks k(Bx, Cy) = BC k(x, y) for the first two points.
func KER3Homogeneity(c Symmetries) claim.Result {
	what := fmt.Sprintf("KER-3 homogeneity k(%.3gx, %.3gy)", c.B, c.C)
	if err := c.validate(); err != nil {
		return claim.Failed(what, err)
	}
	k, x, y := orKernel(c.Formula), c.Points[0], c.Points[1]
	bx, cy := make([]float64, len(x)), make([]float64, len(y))
	floats.ScaleTo(bx, c.B, x)
	floats.ScaleTo(cy, c.C, y)
	kxy, err1 := k(x, y, c.SecondMoment, c.A)
	kb, err2 := k(bx, cy, c.SecondMoment, c.A)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return claim.RelCheck(what, kb, c.B*c.C*kxy, math.Max(c.B*c.C, 1)*c.unit(x, y), symTol) // a zero scale: exact
}

// gram returns the Gram matrix of the points under the case's formula.
func (c Symmetries) gram() (*mat.SymDense, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	k, m := orKernel(c.Formula), len(c.Points)
	g := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			v, err := k(c.Points[i], c.Points[j], c.SecondMoment, c.A)
			if err != nil {
				return nil, err
			}
			g.SetSym(i, j, v)
		}
	}
	return g, nil
}

// KER3PSD checks that the Gram matrix of the points is positive semi-definite.
func KER3PSD(c Symmetries) claim.Result {
	g, err := c.gram()
	if err != nil {
		return claim.Failed("KER-3 Gram matrix PSD", err)
	}
	return psdCheck("KER-3 Gram matrix PSD", g)
}

// KER3DeepPSD checks that the Gram matrix stays positive semi-definite through Depth layers of
// the deep map.
func KER3DeepPSD(c Symmetries) claim.Result {
	what := fmt.Sprintf("KER-3 Gram PSD after %d layers", c.Depth)
	g, err := c.gram()
	if err != nil {
		return claim.Failed(what, err)
	}
	deep, err := deepGram(orKernel(c.Formula), g, c.SecondMoment, c.A, c.Depth)
	if err != nil {
		return claim.Failed(what, err)
	}
	return psdCheck(what, deep)
}

// psdCheck measures -lambda_min / trace and holds it to 1e-12. A matrix with a NaN or infinite
// entry fails. The matrix is divided by its largest entry first, which leaves the measure
// unchanged: gonum v0.17's EigenSym panics ("lapack: insufficient length of a", in Dsterf's
// scaling) on valid matrices whose entries are all near 1e-122.
func psdCheck(what string, g *mat.SymDense) claim.Result {
	n := g.SymmetricDim()
	var largest float64
	for i := range n {
		for j := i; j < n; j++ {
			v := g.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return claim.Result{Case: what, Measured: math.Inf(1), Bound: 1e-12, Pass: false,
					Detail: fmt.Sprintf("entry (%d, %d) is %v", i, j, v)}
			}
			largest = math.Max(largest, math.Abs(v))
		}
	}
	if largest == 0 {
		return claim.Result{Case: what, Measured: 0, Bound: 1e-12, Pass: true, Detail: "the zero matrix"}
	}
	// A PSD matrix has |g_ij| <= sqrt(g_ii g_jj): a 2x2 minor that breaks this settles it.
	for i := range n {
		for j := i + 1; j < n; j++ {
			gii, gjj, gij := g.At(i, i)/largest, g.At(j, j)/largest, g.At(i, j)/largest
			if gii < 0 || gjj < 0 || gij*gij > gii*gjj*(1+1e-12)+1e-24 {
				return claim.Result{Case: what, Measured: math.Inf(1), Bound: 1e-12, Pass: false,
					Detail: fmt.Sprintf("2x2 minor (%d, %d) is negative: g_ii %.4g, g_jj %.4g, g_ij %.4g", i, j, g.At(i, i), g.At(j, j), g.At(i, j))}
			}
		}
	}
	// Entries below 1e-100 of the largest move no eigenvalue by 1e-12 of the trace (which is at
	// least the largest entry for a matrix that passed the minors); flushing them avoids gonum's
	// bug on tiny sub-blocks.
	scaled := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			if v := g.At(i, j) / largest; math.Abs(v) > 1e-100 {
				scaled.SetSym(i, j, v)
			}
		}
	}
	g = scaled
	var eig mat.EigenSym
	if !eig.Factorize(g, false) {
		return claim.Failed(what, fmt.Errorf("eigen-decomposition did not converge"))
	}
	vals := eig.Values(nil)
	tr := mat.Trace(g)
	neg := math.Max(-floats.Min(vals)/tr, 0) // 0 when every eigenvalue is >= 0
	if tr <= 0 {
		neg = math.Inf(1)
	}
	return claim.Result{Case: what, Measured: neg, Bound: 1e-12, Pass: neg <= 1e-12,
		Detail: fmt.Sprintf("smallest eigenvalue %.4g, trace %.4g", floats.Min(vals), tr)}
}

// deepGram composes the kernel depth times: the next layer's Gram entry depends only on the
// current entries K_ii, K_jj, K_ij, so it is the kernel of the 2-D points (sqrt K_ii, 0) and
// sqrt K_jj (cos phi, sin phi) with E|w|^2 = 2 m2 (so that s2 = m2 per unit of the layer below).
func deepGram(k KernelFormula, g *mat.SymDense, m2, a float64, depth int) (*mat.SymDense, error) {
	m := g.SymmetricDim()
	cur := mat.NewSymDense(m, nil)
	cur.CopySym(g)
	for range depth {
		next := mat.NewSymDense(m, nil)
		for i := range m {
			for j := i; j < m; j++ {
				ri, rj := math.Sqrt(math.Max(cur.At(i, i), 0)), math.Sqrt(math.Max(cur.At(j, j), 0))
				cos := 1.0
				if ri > 0 && rj > 0 {
					cos = math.Max(-1, math.Min(1, cur.At(i, j)/(ri*rj)))
				}
				sin := math.Sqrt(1 - cos*cos)
				v, err := k([]float64{ri, 0}, []float64{rj * cos, rj * sin}, 2*m2, a)
				if err != nil {
					return nil, err
				}
				next.SetSym(i, j, v)
			}
		}
		cur = next
	}
	return cur, nil
}

// CLT is one KER-4 case: an i.i.d. law compared at dimensions D and 4D on the inputs of Inputs.
type CLT struct {
	Law    weights.Law
	A      float64
	D      int
	Ds     []int // the dimensions of KER4SlopeMC's fit
	N      int
	Seed   uint64
	Inputs func(d int) (x, y []float64) // nil: CLTInputs
	// Exponent is the power of (1 - a) in KER4Identity: 0 means 2, the claim; any other value is
	// a wrong variant (its control uses 1).
	Exponent float64
}

// cltGap estimates the normalised gap (k - k_gauss) / (s2 |x||y|) at dimension d.
func cltGap(c CLT, d int, seed uint64) (stats.Estimate, error) {
	if err := needLaws(c.Law); err != nil {
		return stats.Estimate{}, err
	}
	x, y := c.inputs()(d)
	est, err := simkernel.KernelEstimate(c.Law, c.A, x, y, c.N, seed, simkernel.Regression)
	if err != nil {
		return est, err
	}
	s := c.Law.SecondMoment(d) / float64(d) * floats.Norm(x, 2) * floats.Norm(y, 2)
	kg, err := kernel.Kernel(x, y, c.Law.SecondMoment(d), c.A)
	if err != nil {
		return est, err
	}
	gap := est.Scale(1 / s)
	gap.Mean -= kg / s
	return gap, nil
}

func (c CLT) inputs() func(int) ([]float64, []float64) {
	if c.Inputs == nil {
		return simkernel.CLTInputs
	}
	return c.Inputs
}

// KER4 checks that, for i.i.d. zero-mean weights and inputs with no dominant coordinate, the
// normalised gap to the Gaussian kernel is significantly smaller at 4D than at D (KER4Shrink),
// and, for a symmetric law, that the diagonal k(x, x) = s2 |x|^2 (1 + a^2)/2 is exact
// (KER4Diagonal).
func KER4(c CLT) []claim.Result {
	out := []claim.Result{KER4Shrink(c)}
	if c.Law != nil && c.Law.Symmetric() {
		out = append(out, KER4Diagonal(c))
	}
	return out
}

// KER4Shrink is the one-sided test (ShrinkCheck) that the gap at 4D is below the gap at D.
func KER4Shrink(c CLT) claim.Result {
	what := fmt.Sprintf("KER-4 %s gap d=%d -> %d a=%.3g", lawName(c.Law), c.D, 4*c.D, c.A)
	small, err1 := cltGap(c, c.D, c.Seed)
	large, err2 := cltGap(c, 4*c.D, c.Seed+1)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return claim.ShrinkCheck(what, small, large, c.Seed)
}

// KER4Diagonal checks k(x, x) = s2 |x|^2 (1 + a^2)/2 for an i.i.d. law at dimension D (exact for
// symmetric laws: w.x is then symmetric and E f_a(u)^2 = (1 + a^2)/2 E u^2). The estimate is the
// plain one (the reductions would make the symmetric case an identity: for x = y the antithetic
// pair is (1 + a^2)/2 u^2, which the control u^2 + v^2 removes exactly), and the z-test needs
// NormalApproxOK: f(u)^2 is skewed (8.9 per sample for Laplace at d = 1, a = 0, so at least
// 1.6e5 samples), and a sample that fails it is an error to fix by raising N or D.
func KER4Diagonal(c CLT) claim.Result { return ker4Diagonal(c, false) }

// KER4DiagonalPower is the power control of a KER4Diagonal row: the claimed diagonal times
// 1 + 2 MDE.
func KER4DiagonalPower(c CLT) claim.Result { return ker4Diagonal(c, true) }

func ker4Diagonal(c CLT, power bool) claim.Result {
	what := fmt.Sprintf("KER-4 %s diagonal exact d=%d a=%.3g", lawName(c.Law), c.D, c.A)
	if err := needLaws(c.Law); err != nil {
		return claim.Failed(what, err)
	}
	x, _ := c.inputs()(c.D)
	nx := floats.Norm(x, 2)
	want := c.Law.SecondMoment(c.D) / float64(c.D) * nx * nx * (1 + c.A*c.A) / 2
	return withPower(power, c.Seed+2, func(seed uint64, f float64) claim.Result {
		est, err := simkernel.KernelMC(c.Law, c.A, x, x, c.N, seed)
		if err != nil {
			return claim.Failed(what, err)
		}
		if !claim.NormalApproxOK(est) {
			return claim.Failed(what, fmt.Errorf("the z-test needs a sample mean closer to normal: skewness %.3g at n = %d fails NormalApproxOK (raise N or D)", est.Skewness, est.N))
		}
		return claim.MeanCheck(what, est, f*want, seed)
	})
}

// rademacherGap returns the exact normalised gap (k - k_gauss)/(s2 |x||y|) for i.i.d. Rademacher
// weights at dimension d (enumeration of all 2^d sign vectors).
func rademacherGap(a float64, d int, inputs func(int) ([]float64, []float64)) (float64, error) {
	x, y := inputs(d)
	k, err := simkernel.RademacherExact(a, x, y)
	if err != nil {
		return 0, err
	}
	kg, err := kernel.Kernel(x, y, float64(d), a)
	if err != nil {
		return 0, err
	}
	s := floats.Norm(x, 2) * floats.Norm(y, 2)
	return (k - kg) / s, nil
}

// ExactCLT is one exact (enumerated) KER-4 case for i.i.d. Rademacher weights: slope A, the
// dimension D compared with 4D, the dimensions Ds of the log-log fit, and the inputs.
type ExactCLT struct {
	A      float64
	D      int
	Ds     []int
	Inputs func(d int) (x, y []float64) // nil: CLTInputs
	// Exponent is the power of (1 - a) in KER4IdentityExact: 0 means 2, the claim.
	Exponent float64
}

func (c ExactCLT) inputs() func(int) ([]float64, []float64) {
	if c.Inputs == nil {
		return simkernel.CLTInputs
	}
	return c.Inputs
}

// exactShrink is the largest |gap(4d)|/|gap(d)| KER4Exact accepts: strictly below 1 by more than
// the enumeration's rounding (each gap is a sum of 2^d terms, good to ~1e-14 relative), so equal
// gaps computed at two dimensions never count as shrinking.
const exactShrink = 1 - 1e-9

// slopeExponent returns the power of (1 - a) in the slope identity: 2 unless a variant says
// otherwise.
func slopeExponent(p float64) float64 {
	if p == 0 {
		return 2
	}
	return p
}

// KER4Identity checks the slope identity of a symmetric law (derived by the suite, not stated in
// the paper; it explains the catalogue's Section 5 CLT for Leaky ReLU): since f_a(u) = (1+a)/2 u +
// (1-a)/2 |u| and E[u |v|] = 0 when w and -w have one law,
//
//	E[f_a(u) f_a(v)] - (1 - a)^2 E[f_0(u) f_0(v)] = a s2 x.y  (u = w.x, v = w.y),
//
// so the gap to the Gaussian kernel at slope a is exactly (1 - a)^2 times the gap at a = 0 at
// every d. Paired Monte Carlo: both products on the same draws (numeric/kernel.ProjectionMean),
// a z-test of their difference against a s2 x.y. The inputs are the case's at dimension D.
func KER4Identity(c CLT) claim.Result {
	p := slopeExponent(c.Exponent)
	what := fmt.Sprintf("KER-4 %s gap(a) = (1-a)^%g gap(0) d=%d a=%.3g", lawName(c.Law), p, c.D, c.A)
	if err := needLaws(c.Law); err != nil {
		return claim.Failed(what, err)
	}
	if !c.Law.Symmetric() {
		return claim.Failed(what, fmt.Errorf("the identity needs a symmetric law, not %s", c.Law.Name()))
	}
	x, y := c.inputs()(c.D)
	factor := math.Pow(1-c.A, p)
	est, err := simkernel.ProjectionMean(c.Law, x, y, c.N, c.Seed+3, func(u, v float64) float64 {
		return simkernel.Leaky(u, c.A)*simkernel.Leaky(v, c.A) - factor*simkernel.Leaky(u, 0)*simkernel.Leaky(v, 0)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	s2 := c.Law.SecondMoment(c.D) / float64(c.D)
	return claim.MeanCheckWithin(what, est, c.A*s2*floats.Dot(x, y), kernelRoundoff(x, y, c.Law.SecondMoment(c.D)), c.Seed+3)
}

// KER4IdentityExact checks the slope identity for i.i.d. Rademacher weights by enumeration:
// k_a - (1 - a)^2 k_0 = a x.y (s2 = 1), to 1e-12 of |x||y|.
func KER4IdentityExact(c ExactCLT) claim.Result {
	p := slopeExponent(c.Exponent)
	what := fmt.Sprintf("KER-4 exact Rademacher gap(a) = (1-a)^%g gap(0) d=%d a=%.3g", p, c.D, c.A)
	x, y := c.inputs()(c.D)
	ka, err1 := simkernel.RademacherExact(c.A, x, y)
	k0, err2 := simkernel.RademacherExact(0, x, y)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return claim.RelCheck(what, ka-math.Pow(1-c.A, p)*k0, c.A*floats.Dot(x, y), floats.Norm(x, 2)*floats.Norm(y, 2), 1e-12)
}

// KER4SlopeMC fits the log-log slope of the Monte-Carlo gap over the dimensions Ds (weighted least
// squares of log|gap| on log d, weights from the delta method, var log|g| = (SE/g)^2, each gap
// resolved to 10 SE so that the log's bias, SE^2/(2 g^2), stays below 0.005) and checks the
// catalogue's rate, slope <= -1/2, one-sided: it fails only when the slope is significantly above
// -1/2 (claim.UpperCheck with the fit's standard error, inflated by the misfit).
func KER4SlopeMC(c CLT) claim.Result {
	what := fmt.Sprintf("KER-4 %s log-log slope over d=%v a=%.3g", lawName(c.Law), c.Ds, c.A)
	if len(c.Ds) < 2 {
		return claim.Failed(what, fmt.Errorf("a slope needs two or more dimensions, got %v", c.Ds))
	}
	lx, ly, wt := make([]float64, len(c.Ds)), make([]float64, len(c.Ds)), make([]float64, len(c.Ds))
	minN := math.MaxInt
	for i, d := range c.Ds {
		g, err := cltGap(c, d, c.Seed+uint64(i))
		if err != nil {
			return claim.Failed(what, err)
		}
		if !(math.Abs(g.Mean) > 10*g.SE) {
			return claim.Failed(what, fmt.Errorf("the gap at d=%d (%.3g +- %.2g) is not resolved (|gap| <= 10 SE): raise N or lower d", d, g.Mean, g.SE))
		}
		lx[i], ly[i] = math.Log(float64(d)), math.Log(math.Abs(g.Mean))
		wt[i] = g.Mean * g.Mean / (g.SE * g.SE)
		minN = min(minN, g.N)
	}
	icpt, slope := stat.LinearRegression(lx, ly, wt, false)
	mx := stat.Mean(lx, wt)
	var sxx, chi2 float64
	for i := range lx {
		sxx += wt[i] * (lx[i] - mx) * (lx[i] - mx)
		r := ly[i] - icpt - slope*lx[i]
		chi2 += wt[i] * r * r
	}
	// A power law need not fit exactly at finite d: the standard error is inflated by the misfit,
	// sqrt(chi^2 / (k - 2)) when that exceeds 1.
	inflate := 1.0
	if k := len(lx); k > 2 {
		inflate = math.Max(1, math.Sqrt(chi2/float64(k-2)))
	}
	return claim.UpperCheck(what, slope, inflate/math.Sqrt(sxx), -0.5, minN-1,
		fmt.Sprintf("weighted least-squares slope of log|gap| on log d (SE inflated %.3gx by the misfit, chi^2 %.3g)", inflate, chi2))
}

// KER4Exact checks, without sampling, that the Rademacher gap at 4D is below the gap at D
// (Measured = |gap(4D)| / |gap(D)|, at most exactShrink).
func KER4Exact(c ExactCLT) claim.Result {
	what := fmt.Sprintf("KER-4 exact Rademacher gap d=%d -> %d a=%.3g", c.D, 4*c.D, c.A)
	g1, err1 := rademacherGap(c.A, c.D, c.inputs())
	g4, err2 := rademacherGap(c.A, 4*c.D, c.inputs())
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	r := math.Abs(g4) / math.Abs(g1)
	return claim.Check(what, r, exactShrink, fmt.Sprintf("exact |gap| %.6g at d=%d, %.6g at d=%d", math.Abs(g1), c.D, math.Abs(g4), 4*c.D))
}

// KER4Slope fits log|gap| against log d over Ds (exact Rademacher) and checks that the slope is at
// most -1/2.
func KER4Slope(c ExactCLT) claim.Result {
	what := fmt.Sprintf("KER-4 exact Rademacher log-log slope over d=%v", c.Ds)
	if len(c.Ds) < 2 {
		return claim.Failed(what, fmt.Errorf("a slope needs two or more dimensions, got %v", c.Ds))
	}
	lx, ly := make([]float64, len(c.Ds)), make([]float64, len(c.Ds))
	for i, d := range c.Ds {
		g, err := rademacherGap(c.A, d, c.inputs())
		if err != nil {
			return claim.Failed(what, err)
		}
		lx[i], ly[i] = math.Log(float64(d)), math.Log(math.Abs(g))
	}
	_, slope := stat.LinearRegression(lx, ly, nil, false)
	return claim.Check(what, slope, -0.5, fmt.Sprintf("least-squares slope %.4g of log|gap| on log d (a=%.3g)", slope, c.A))
}

// ConstantFormula is the shape of kernel.DepthConstant.
type ConstantFormula func(a float64) (float64, error)

// DeepMap is one KER-5 case of the deep normalised map: the starting angle Theta0, the slope A
// (0 <= A < 1), and the depth constant under test.
type DeepMap struct {
	Theta0, A float64
	Constant  ConstantFormula // nil: kernel.DepthConstant
}

// KER5Map checks the deep normalised map from Theta0: theta_l never increases (KER5Monotone) and
// l theta_l / C tends to 1 (KER5Asymptote).
func KER5Map(c DeepMap) []claim.Result {
	return []claim.Result{KER5Monotone(c), KER5Asymptote(c)}
}

// depths returns L = max(1000, 64 l0) with l0 = 3 pi (1 + a^2) / ((1 - a)^2 theta0), the depth
// after which the asymptotic regime starts, and the angles theta_l for l = 0 .. 4L.
func (c DeepMap) depths() (int, []float64, error) {
	trueC, err := kernel.DepthConstant(c.A)
	if err != nil {
		return 0, nil, err
	}
	if !(c.Theta0 > 0 && c.Theta0 <= math.Pi) {
		return 0, nil, fmt.Errorf("starting angle %v outside (0, pi]", c.Theta0)
	}
	big := max(1000, int(64*trueC/c.Theta0))
	theta := make([]float64, 4*big+1)
	theta[0] = c.Theta0
	for l := 1; l <= 4*big; l++ {
		if theta[l], err = kernel.DepthStep(theta[l-1], c.A); err != nil {
			return 0, nil, err
		}
	}
	return big, theta, nil
}

// KER5Monotone checks that theta_l never increases over 4L layers (rho_l is monotone).
func KER5Monotone(c DeepMap) claim.Result {
	what := fmt.Sprintf("KER-5 deep map theta0=%.4g a=%.3g monotone", c.Theta0, c.A)
	_, theta, err := c.depths()
	if err != nil {
		return claim.Failed(what, err)
	}
	worst := math.Inf(-1)
	for l := 1; l < len(theta); l++ {
		worst = math.Max(worst, theta[l]-theta[l-1])
	}
	return claim.Check(what, math.Max(worst, 0), 0, fmt.Sprintf("largest increase of theta_l over %d layers", len(theta)-1))
}

// KER5Asymptote checks that l theta_l / C tends to 1, judged by the ratio of errors
// |l theta_l / C - 1| at 4L and at L, which must be at most 1/2 (the error falls like log(l)/l,
// a ratio near 0.3).
func KER5Asymptote(c DeepMap) claim.Result {
	what := fmt.Sprintf("KER-5 deep map theta0=%.4g a=%.3g l*theta_l/C -> 1", c.Theta0, c.A)
	big, theta, err := c.depths()
	if err != nil {
		return claim.Failed(what, err)
	}
	constant := c.Constant
	if constant == nil {
		constant = kernel.DepthConstant
	}
	cc, err := constant(c.A)
	if err != nil {
		return claim.Failed(what, err)
	}
	errAt := func(l int) float64 { return math.Abs(float64(l)*theta[l]/cc - 1) }
	ratio := errAt(4*big) / errAt(big)
	return claim.Check(what, ratio, 0.5, fmt.Sprintf("|l theta_l/C - 1| = %.4g at l=%d, %.4g at l=%d (C=%.6g)", errAt(big), big, errAt(4*big), 4*big, cc))
}

// WideNetwork is one KER-5 network case: Nets independent networks of the given Width and Depth,
// two inputs at angle Theta0, weights from Law with E|w|^2 = SecondMoment.
type WideNetwork struct {
	Law                     weights.Law
	A, Theta0, SecondMoment float64
	Width, Depth, Nets      int
	Seed                    uint64
	// Expect returns the predicted cosine at layer l; nil: kernel.DepthCos(Theta0, A, l).
	Expect func(l int) (float64, error)
}

// KER5Network checks that the cosine between the two inputs' features at each layer, averaged
// over independent networks, matches the deep map within the statistical bound (t-test over the
// networks; the finite-width bias is O(1/Width), far inside it at the widths used).
func KER5Network(c WideNetwork) []claim.Result { return ker5Network(c, false) }

// KER5NetworkPower is the power control of every KER5Network row: the predicted cosine times
// 1 + 2 MDE, on the same networks.
func KER5NetworkPower(c WideNetwork) []claim.Result { return ker5Network(c, true) }

func ker5Network(c WideNetwork, power bool) []claim.Result {
	ests, wants, err := c.layers(c.Seed)
	if err != nil {
		return []claim.Result{claim.Failed("KER-5 network", err)}
	}
	var fresh []stats.Estimate // the power control's simulation, shared by the layers
	out := make([]claim.Result, len(ests))
	for i := range ests {
		l := i + 1
		what := fmt.Sprintf("KER-5 %s width=%d layer %d cosine", lawName(c.Law), c.Width, l)
		out[i] = claim.MeanCheck(what, ests[i], wants[i], c.Seed)
		if !power {
			continue
		}
		out[i] = claim.Power(out[i], func(f float64) claim.Result {
			if fresh == nil {
				if fresh, _, err = c.layers(c.Seed + freshSeed); err != nil {
					return claim.Failed(what, err)
				}
			}
			return claim.MeanCheck(what, fresh[i], f*wants[i], c.Seed+freshSeed)
		})
	}
	return out
}

// layers simulates the case's networks from seed and returns, for layers 1 .. Depth, the mean
// cosine over the networks and the predicted cosine (Expect, or kernel.DepthCos).
func (c WideNetwork) layers(seed uint64) ([]stats.Estimate, []float64, error) {
	x := []float64{1, 0}
	y := []float64{math.Cos(c.Theta0), math.Sin(c.Theta0)}
	nets, err := simkernel.Networks(c.Law, c.SecondMoment, c.A, c.Width, c.Depth, [][]float64{x, y}, c.Nets, seed)
	if err != nil {
		return nil, nil, err
	}
	var ests []stats.Estimate
	var wants []float64
	for l := 1; l <= c.Depth; l++ {
		cos := make([]float64, c.Nets)
		for i, g := range nets {
			cos[i] = g[l].At(0, 1) / math.Sqrt(g[l].At(0, 0)*g[l].At(1, 1))
		}
		want, err := kernel.DepthCos(c.Theta0, c.A, l)
		if c.Expect != nil {
			want, err = c.Expect(l)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d: %w", l, err)
		}
		est, err := stats.FromSample(cos, c.Nets)
		if err != nil {
			return nil, nil, fmt.Errorf("layer %d: %w", l, err)
		}
		ests, wants = append(ests, est), append(wants, want)
	}
	return ests, wants, nil
}

// Initialisation is one KER-6 case: networks whose rows have E|w|^2 = Factor * 2/(1 + a^2).
type Initialisation struct {
	Law                weights.Law
	A, Factor          float64
	X                  []float64
	Width, Depth, Nets int
	Seed               uint64
	// Predict returns the predicted E[q_L/q_0]; nil: Factor^Depth.
	Predict func() float64
}

// KER6 checks E[q_L / q_0] = Factor^L for the mean squared activation q (preserved at Factor = 1,
// geometric otherwise). The estimate is the mean over networks; its bound is the median-of-means
// bound with the exact standard deviation of q_L/q_0 (kernel.GrowthSecondMoment), valid for the
// skewed ratio where a t-test at the budget's z is not.
func KER6(c Initialisation) claim.Result { return ker6(c, false) }

// KER6Power is the power control of a KER6 row: the predicted growth times 1 + 2 MDE.
func KER6Power(c Initialisation) claim.Result { return ker6(c, true) }

func ker6(c Initialisation, power bool) claim.Result {
	what := fmt.Sprintf("KER-6 %s a=%.3g factor=%.3g depth=%d width=%d", lawName(c.Law), c.A, c.Factor, c.Depth, c.Width)
	if err := needLaws(c.Law); err != nil {
		return claim.Failed(what, err)
	}
	m2, err := kernel.PreservingSecondMoment(c.A)
	if err != nil {
		return claim.Failed(what, err)
	}
	mean := math.Pow(c.Factor, float64(c.Depth))
	second := mean * mean
	for l := range c.Depth {
		fanIn := c.Width
		if l == 0 {
			fanIn = len(c.X)
		}
		kr, err := weights.RadialKurtosis(c.Law, fanIn)
		if err != nil {
			return claim.Failed(what, err)
		}
		g, err := kernel.GrowthSecondMoment(c.A, kr, fanIn, c.Width)
		if err != nil {
			return claim.Failed(what, err)
		}
		second *= g
	}
	predict := mean
	if c.Predict != nil {
		predict = c.Predict()
	}
	return withPower(power, c.Seed, func(seed uint64, f float64) claim.Result {
		nets, err := simkernel.Networks(c.Law, c.Factor*m2, c.A, c.Width, c.Depth, [][]float64{c.X}, c.Nets, seed)
		if err != nil {
			return claim.Failed(what, err)
		}
		ratios := make([]float64, c.Nets)
		for i, g := range nets {
			ratios[i] = g[c.Depth].At(0, 0) / g[0].At(0, 0)
		}
		est, err := stats.FromSample(ratios, simkernel.Blocks)
		if err != nil {
			return claim.Failed(what, err)
		}
		// Each ratio is a product of Depth sums of Width rounded terms: good to ~1e-13 relative.
		return claim.RobustCheck(what, est, f*predict, math.Sqrt(second-mean*mean), 1e-12*mean, seed)
	})
}

// Conditional is one KER-7 case: a first layer of width N1 on inputs X, Y, then N2 second-layer
// weight rows given the first layer's features.
type Conditional struct {
	Law    weights.Law
	A      float64
	X, Y   []float64
	N1, N2 int
	Seed   uint64
	// Formula predicts the second-layer kernel from the features; nil: kernel.Kernel.
	Formula func(zx, zy []float64, secondMoment, a float64) (float64, error)
}

// KER7 checks that, given the first-layer features z(x), z(y) of a network of finite width N1, the
// second-layer kernel is the one-layer formula applied to z(x), z(y): a Monte-Carlo check over the
// second layer's weights only (E|w|^2 = 2/(1+a^2) in both layers).
func KER7(c Conditional) claim.Result { return ker7(c, false) }

// KER7Power is the power control of a KER7 row: the predicted kernel times 1 + 2 MDE.
func KER7Power(c Conditional) claim.Result { return ker7(c, true) }

// featureStream is the PCG sequence of KER-7's first layer: beyond the Monte-Carlo blocks
// (0 .. simkernel.Blocks-1) and the pilot (simkernel.PilotStream), so the features and the second
// layer's weights are independent draws.
const featureStream = 1<<40 + 7

// features returns the first-layer features z(x), z(y) (drawn from PCG(Seed, featureStream)) and the
// preserving second moment both layers use.
func (c Conditional) features() ([][]float64, float64, error) {
	m2, err := kernel.PreservingSecondMoment(c.A)
	if err != nil {
		return nil, 0, err
	}
	z, err := simkernel.Layer(c.Law, m2, c.A, c.N1, [][]float64{c.X, c.Y}, rand.New(rand.NewPCG(c.Seed, featureStream)))
	return z, m2, err
}

func ker7(c Conditional, power bool) claim.Result {
	what := fmt.Sprintf("KER-7 %s width=%d conditional step", lawName(c.Law), c.N1)
	if err := needLaws(c.Law); err != nil {
		return claim.Failed(what, err)
	}
	z, m2, err := c.features()
	if err != nil {
		return claim.Failed(what, err)
	}
	formula := c.Formula
	if formula == nil {
		formula = kernel.Kernel
	}
	exact, err := formula(z[0], z[1], m2, c.A)
	if err != nil {
		return claim.Failed(what, err)
	}
	second := weights.Scaled{Law: c.Law, C: math.Sqrt(m2 / c.Law.SecondMoment(c.N1))}
	// The claim is conditional on the features: a power control's fresh simulation redraws the
	// second layer's weights only.
	return withPower(power, c.Seed, func(seed uint64, f float64) claim.Result {
		sim, err := simulateKernel(second, c.A, z[0], z[1], c.N2, seed, false)
		if err != nil {
			return claim.Failed(what, err)
		}
		return sim.check(what, z[0], z[1], m2, f*exact, seed)
	})
}

// invariance returns a KER-1 case's simulation and closed form: the helper that both KER1 and its
// figure use.
func invariance(c Invariance) (kernelSim, float64, error) {
	if err := needLaws(c.Law); err != nil {
		return kernelSim{}, 0, err
	}
	exact, err := orKernel(c.Formula)(c.X, c.Y, c.Law.SecondMoment(len(c.X)), c.A)
	if err != nil {
		return kernelSim{}, 0, err
	}
	sim, err := simulateKernel(c.Law, c.A, c.X, c.Y, c.N, c.Seed, false)
	return sim, exact, err
}

// angleFigureLaws are the rotationally invariant laws of the KER-1 figure (light tails, so each
// point's standard error is a fair error bar).
var angleFigureLaws = []weights.Law{weights.Gaussian{Scale: 1}, weights.StudentT{Nu: 40, Scale: 1},
	weights.Sphere{Radius: math.Sqrt(10)}, weights.GaussMixture{Scale: 1, Low: 0.2, P: 0.5}}

// kernelAngleFigure is the KER-1 figure: kappa_a(theta) for a = 0 and 1/2 against Monte-Carlo
// estimates of k / (s2 |x||y|) from n weight vectors of four laws at d = 10, theta = j pi/12 for
// odd j.
func kernelAngleFigure(seed uint64, n int) (claim.Figure, error) {
	f := claim.Figure{File: "kernel-angle.png", Title: "KER-1: one kernel for every rotationally invariant law",
		Caption: fmt.Sprintf("The normalised kernel k/(s2|x||y|) against the angle: kappa_a (lines) and Monte-Carlo estimates from %d whole weight vectors in R^10 of four laws (points, +-2 SE).", n),
		XLabel:  "theta (radians)", YLabel: "k / (s2 |x||y|)"}
	for _, a := range []float64{0, 0.5} {
		line := claim.Series{Name: fmt.Sprintf("kappa_a, a = %g", a)}
		for j := 0; j <= 60; j++ {
			th := math.Pi * float64(j) / 60
			k, err := kernel.Kappa(th, a)
			if err != nil {
				return f, err
			}
			line.X, line.Y = append(line.X, th), append(line.Y, k)
		}
		f.Series = append(f.Series, line)
	}
	const d = 10
	for li, law := range angleFigureLaws {
		pts := claim.Series{Name: law.Name(), Points: true}
		for j := 1; j < 12; j += 2 {
			th := math.Pi * float64(j) / 12
			x, y := make([]float64, d), make([]float64, d)
			x[0], y[0], y[1] = 1, math.Cos(th), math.Sin(th)
			for ai, a := range []float64{0, 0.5} {
				sim, exact, err := invariance(Invariance{Law: law, A: a, X: x, Y: y, N: n, Seed: seed + uint64(100*li+10*j+ai)})
				if err != nil {
					return f, err
				}
				est := sim.est
				unit := law.SecondMoment(d) / d
				pts.X, pts.Y = append(pts.X, th), append(pts.Y, est.Mean/unit)
				pts.SE, pts.Expect = append(pts.SE, est.SE/unit), append(pts.Expect, exact/unit)
			}
		}
		f.Series = append(f.Series, pts)
	}
	return f, nil
}

// depthFigure is the KER-5 figure: l theta_l / C against depth for the deep map from two starting
// angles at a = 0 and 0.2, computed by the same iteration as KER5Asymptote.
func depthFigure() (claim.Figure, error) {
	f := claim.Figure{File: "kernel-depth.png", Title: "KER-5: the deep map approaches l theta_l = C",
		Caption: "l theta_l / C against depth l for the deep normalised map, C = 3 pi (1 + a^2)/(1 - a)^2; the ratio tends to 1 from every start.",
		XLabel:  "depth l", YLabel: "l theta_l / C", LogX: true}
	for _, a := range []float64{0, 0.2} {
		cc, err := kernel.DepthConstant(a)
		if err != nil {
			return f, err
		}
		for _, t0 := range []float64{math.Pi / 4, 3 * math.Pi / 4} {
			_, theta, err := DeepMap{Theta0: t0, A: a}.depths()
			if err != nil {
				return f, err
			}
			s := claim.Series{Name: fmt.Sprintf("a = %g, theta0 = %.2f", a, t0)}
			for l := 1; l < len(theta); l = int(math.Ceil(float64(l) * 1.1)) {
				s.X, s.Y = append(s.X, float64(l)), append(s.Y, float64(l)*theta[l]/cc)
			}
			f.Series = append(f.Series, s)
		}
	}
	return f, nil
}

// cltFigureLaws are the i.i.d. laws of the KER-4 figure.
var cltFigureLaws = []weights.Law{weights.Uniform{Scale: 1}, weights.Laplace{Scale: 1}, weights.CentredExp{Scale: 1}}

// cltFigure is the KER-4 figure: the normalised gap to the Gaussian kernel against d, exact for
// Rademacher weights (even d) and estimated (cltGap, n samples) for three i.i.d. laws, with the
// reference slopes d^-1/2 and d^-1.
func cltFigure(seed uint64, n int) (claim.Figure, error) {
	f := claim.Figure{File: "kernel-clt.png", Title: "KER-4: i.i.d. weights approach the Gaussian kernel",
		Caption: fmt.Sprintf("|gap| = |k - k_gauss| / (s2|x||y|) on the CLT inputs against d: exact Rademacher enumeration (even d; odd d has no ties and a near-zero gap), Monte-Carlo estimates (%d samples, +-2 SE; points within 2 SE of zero are below the estimate's resolution and left out), and reference slopes.", n),
		XLabel:  "d", YLabel: "|gap|", LogX: true, LogY: true}
	exact := claim.Series{Name: "Rademacher (exact, even d)"}
	for d := 2; d <= 18; d += 2 {
		g, err := rademacherGap(0, d, simkernel.CLTInputs)
		if err != nil {
			return f, err
		}
		exact.X, exact.Y = append(exact.X, float64(d)), append(exact.Y, math.Abs(g))
	}
	f.Series = append(f.Series, exact)
	for i, law := range cltFigureLaws {
		pts := claim.Series{Name: law.Name() + " (Monte Carlo)", Points: true}
		for _, d := range []int{2, 4, 8, 16, 32} {
			g, err := cltGap(CLT{Law: law, N: n}, d, seed+uint64(10*i+d))
			if err != nil {
				return f, err
			}
			if math.Abs(g.Mean) > 2*g.SE {
				pts.X, pts.Y, pts.SE = append(pts.X, float64(d)), append(pts.Y, math.Abs(g.Mean)), append(pts.SE, g.SE)
			}
		}
		f.Series = append(f.Series, pts)
	}
	g4 := exact.Y[1] // the exact gap at d = 4 anchors the reference slopes
	for _, p := range []float64{0.5, 1} {
		s := claim.Series{Name: fmt.Sprintf("slope d^-%g", p)}
		for _, d := range []float64{4, 32} {
			s.X, s.Y = append(s.X, d), append(s.Y, g4*math.Pow(d/4, -p))
		}
		f.Series = append(f.Series, s)
	}
	return f, nil
}
