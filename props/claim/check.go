package claim

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/dlt5/verify/numeric/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// The false-alarm budget. A default `go test ./...` may fail by chance with probability at most
// FalseAlarm, split (Bonferroni) over at most Comparisons Monte-Carlo comparisons. Every
// statistical check below counts itself (Made), and props' TestMain fails a default run that makes
// more than Comparisons.
const (
	FalseAlarm  = 1e-6
	Comparisons = 10000
	// PerComparison is the false-alarm probability each comparison may spend.
	PerComparison = FalseAlarm / Comparisons
)

var made atomic.Int64

// Made returns how many statistical comparisons this process has made.
func Made() int64 { return made.Load() }

// Count records n statistical comparisons made outside the checks below (a test that holds a
// figure's points to its curve, say).
func Count(n int) { made.Add(int64(n)) }

// Z is the two-sided normal critical value of one comparison, Phi^{-1}(1 - PerComparison/2)
// (6.467 for the budget above).
func Z() float64 { return distuv.UnitNormal.Quantile(1 - PerComparison/2) }

// Critical returns the two-sided critical value for a standard error estimated with dof degrees of
// freedom: the Student-t quantile at 1 - PerComparison/2, which tends to Z for large dof, and +Inf
// for dof < 1. gonum's t quantile loses its accuracy for very large dof (it returns 163 instead of
// 6.47 at dof = 4e5, from the incomplete beta inverse), so from dof = 1e4 on it uses the
// Cornish-Fisher expansion z + (z^3 + z)/(4 nu) + (5 z^5 + 16 z^3 + 3 z)/(96 nu^2), within 1e-5 of
// it there (at dof = 1e4: 6.473881 against 6.473870).
func Critical(dof int) float64 {
	if dof < 1 {
		return math.Inf(1)
	}
	if dof >= 1e4 {
		z, nu := Z(), float64(dof)
		return z + (z*z*z+z)/(4*nu) + (5*math.Pow(z, 5)+16*z*z*z+3*z)/(96*nu*nu)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(1 - PerComparison/2)
}

// usable rejects an estimate of fewer than two samples (no standard error) and a roundoff that is
// negative or not finite, which would make any check pass.
func usable(est stats.Estimate, roundoff float64) error {
	if est.N < 2 {
		return fmt.Errorf("an estimate of %d samples has no standard error", est.N)
	}
	if !(roundoff >= 0) || math.IsInf(roundoff, 0) {
		return fmt.Errorf("roundoff %v must be finite and >= 0", roundoff)
	}
	return nil
}

// zRatio is |diff|/se, with 0/0 = 0 (an exact estimate of an exact value) and x/0 = +Inf.
func zRatio(diff, se float64) float64 {
	if diff == 0 {
		return 0
	}
	return math.Abs(diff) / se
}

// relative returns width / |scale|: +Inf for a zero scale, NaN when either is NaN.
func relative(width, scale float64) float64 {
	if scale == 0 && !math.IsNaN(width) {
		return math.Inf(1)
	}
	return width / math.Abs(scale)
}

// MeanCheck compares a Monte-Carlo estimate with an exact value:
// pass when |estimate - exact| <= t_{N-1} SE, the Student-t critical value from the budget.
// Valid for light-tailed samples whose mean is close to normal out at that t (NormalApproxOK);
// heavy tails use RobustCheck. MDE = t SE / |exact|.
func MeanCheck(what string, est stats.Estimate, exact float64, seed uint64) Result {
	return MeanCheckWithin(what, est, exact, 0, seed)
}

// MeanCheckWithin is MeanCheck for an exact value known only to within roundoff (its absolute
// floating-point accuracy): pass when |estimate - exact| <= t SE + roundoff; Measured is
// max(|estimate - exact| - roundoff, 0) / SE, and MDE = (t SE + roundoff) / |exact|.
func MeanCheckWithin(what string, est stats.Estimate, exact, roundoff float64, seed uint64) Result {
	made.Add(1)
	if err := usable(est, roundoff); err != nil {
		return Failed(what, err)
	}
	crit := Critical(est.N - 1)
	z := zRatio(math.Max(math.Abs(est.Mean-exact)-roundoff, 0), est.SE)
	if math.IsNaN(est.Mean) || math.IsNaN(exact) || math.IsNaN(est.SE) {
		z = math.NaN()
	}
	return Result{
		Case: what, Measured: z, Bound: crit, Pass: z <= crit, MDE: relative(crit*est.SE+roundoff, exact),
		Detail: fmt.Sprintf("estimate %.8g, exact %.8g (+-%.2g), SE %.3g, |z| %.3g <= %.3g, n %d, seed %d",
			est.Mean, exact, roundoff, est.SE, z, crit, est.N, seed),
	}
}

// DiffCheck compares two independent estimates of the same quantity:
// pass when |a - b| <= t sqrt(SE_a^2 + SE_b^2), with t for the smaller sample's dof.
// MDE = t sqrt(SE_a^2 + SE_b^2) / max(|a|, |b|).
func DiffCheck(what string, a, b stats.Estimate, seed uint64) Result {
	return DiffCheckWithin(what, a, b, 0, seed)
}

// DiffCheckWithin is DiffCheck for estimates whose difference is known only to within roundoff
// (the absolute floating-point accuracy of the two estimates together, which matters when their
// samples are nearly constant): pass when |a - b| <= t sqrt(SE_a^2 + SE_b^2) + roundoff;
// Measured is max(|a - b| - roundoff, 0) / SE, and MDE = (t SE + roundoff) / max(|a|, |b|).
func DiffCheckWithin(what string, a, b stats.Estimate, roundoff float64, seed uint64) Result {
	made.Add(1)
	if err := FirstErr(usable(a, roundoff), usable(b, roundoff)); err != nil {
		return Failed(what, err)
	}
	crit := Critical(min(a.N, b.N) - 1)
	se := math.Hypot(a.SE, b.SE)
	z := zRatio(math.Max(math.Abs(a.Mean-b.Mean)-roundoff, 0), se)
	if math.IsNaN(a.Mean) || math.IsNaN(b.Mean) || math.IsNaN(se) {
		z = math.NaN()
	}
	return Result{
		Case: what, Measured: z, Bound: crit, Pass: z <= crit, MDE: relative(crit*se+roundoff, math.Max(math.Abs(a.Mean), math.Abs(b.Mean))),
		Detail: fmt.Sprintf("estimates %.8g and %.8g (+-%.2g), SE %.3g, |z| %.3g <= %.3g, seed %d",
			a.Mean, b.Mean, roundoff, se, z, crit, seed),
	}
}

// ShrinkCheck is the one-sided test that |gapLarge| is smaller than |gapSmall| (both estimated):
// pass when (|gapSmall| - |gapLarge|) / sqrt(SE_s^2 + SE_l^2) >= t. It fails when the evidence for
// shrinking is too weak, so the settings must make the true shrink far beyond t standard errors.
// MDE = t sqrt(SE_s^2 + SE_l^2) / |gapSmall|: the smallest relative shrink it can see.
func ShrinkCheck(what string, small, large stats.Estimate, seed uint64) Result {
	made.Add(1)
	if err := FirstErr(usable(small, 0), usable(large, 0)); err != nil {
		return Failed(what, err)
	}
	crit := Critical(min(small.N, large.N) - 1)
	se := math.Hypot(small.SE, large.SE)
	diff := math.Abs(small.Mean) - math.Abs(large.Mean)
	z := diff / se
	if se == 0 {
		z = math.Inf(int(math.Copysign(1, diff)))
		if diff == 0 {
			z = 0
		}
	}
	return Result{
		Case: what, Measured: z, Bound: crit, Pass: z >= crit, MDE: relative(crit*se, small.Mean),
		Detail: fmt.Sprintf("|gap| %.5g -> %.5g, SE %.3g, shrink z %.3g >= %.3g, seed %d",
			math.Abs(small.Mean), math.Abs(large.Mean), se, z, crit, seed),
	}
}

// NormalApproxOK reports whether the normal approximation of a mean of n samples with skewness
// g1 is good out at the budget's z: the first Edgeworth term, |g1| z^3 / (6 sqrt(n)), must be at
// most 1, which inflates the tail probability of the standardised mean by at most a factor e.
// The checks divide by the estimated SE, and for that studentised mean the term is twice as large
// and of opposite sign (Hall 1987): at the limit a tail grows by up to e^2, the two together by
// cosh 2 = 3.8, which the budget absorbs (a default run makes about a quarter of Comparisons).
// Samples dominated by rare events fail it, and must use RobustCheck. An estimate with fewer than
// two samples or a NaN skewness fails.
func NormalApproxOK(est stats.Estimate) bool {
	if est.N < 2 || math.IsNaN(est.Skewness) {
		return false
	}
	z := Z()
	return math.Abs(est.Skewness)*z*z*z/(6*math.Sqrt(float64(est.N))) <= 1
}

// RobustRadius is the median-of-means radius of an estimate's blocks for a law whose standard
// deviation is at most sigma, at false-alarm probability delta (stats.MedianOfMeansRadius).
func RobustRadius(est stats.Estimate, sigma, delta float64) (float64, error) {
	return stats.MedianOfMeansRadius(len(est.Blocks), est.BlockSize, sigma, delta)
}

// RobustCheck compares the median of an estimate's block means with an exact value using the
// median-of-means bound at PerComparison for a law whose standard deviation is at most sigma:
// valid under a finite variance alone, for heavy tails where the normal approximation fails far
// out at the budget's z. Measured is max(|median - exact| - roundoff, 0) / radius, where roundoff
// is the exact value's absolute floating-point accuracy; pass when <= 1.
// MDE = (radius + roundoff) / |exact|.
func RobustCheck(what string, est stats.Estimate, exact, sigma, roundoff float64, seed uint64) Result {
	made.Add(1)
	if err := usable(est, roundoff); err != nil {
		return Failed(what, err)
	}
	r, err := RobustRadius(est, sigma, PerComparison)
	if err != nil {
		return Failed(what, err)
	}
	med := est.Median()
	m := zRatio(math.Max(math.Abs(med-exact)-roundoff, 0), r)
	if math.IsNaN(med) || math.IsNaN(exact) {
		m = math.NaN()
	}
	return Result{
		Case: what, Measured: m, Bound: 1, Pass: m <= 1, MDE: relative(r+roundoff, exact),
		Detail: fmt.Sprintf("median of %d block means %.8g, exact %.8g, radius %.3g (sigma <= %.3g), seed %d",
			len(est.Blocks), med, exact, r, sigma, seed),
	}
}

// RobustDiffCheck is the median-of-means form of DiffCheck for two estimates whose standard
// deviations are at most sigmaA and sigmaB, and whose difference is known only to within roundoff
// (their joint floating-point accuracy): pass when |median_a - median_b| <= r_a + r_b + roundoff,
// each radius at half the comparison's false-alarm share. Measured is
// max(|median_a - median_b| - roundoff, 0) / (r_a + r_b);
// MDE = (r_a + r_b + roundoff) / max(|median_a|, |median_b|).
func RobustDiffCheck(what string, a, b stats.Estimate, sigmaA, sigmaB, roundoff float64, seed uint64) Result {
	made.Add(1)
	if !(roundoff >= 0) || math.IsInf(roundoff, 0) {
		return Failed(what, fmt.Errorf("roundoff %v must be finite and >= 0", roundoff))
	}
	ra, err1 := RobustRadius(a, sigmaA, PerComparison/2)
	rb, err2 := RobustRadius(b, sigmaB, PerComparison/2)
	if err := FirstErr(err1, err2); err != nil {
		return Failed(what, fmt.Errorf("median-of-means radius: %w", err))
	}
	m := zRatio(math.Max(math.Abs(a.Median()-b.Median())-roundoff, 0), ra+rb)
	if math.IsNaN(a.Median()) || math.IsNaN(b.Median()) {
		m = math.NaN()
	}
	return Result{
		Case: what, Measured: m, Bound: 1, Pass: m <= 1, MDE: relative(ra+rb+roundoff, math.Max(math.Abs(a.Median()), math.Abs(b.Median()))),
		Detail: fmt.Sprintf("medians %.8g and %.8g (+-%.2g), radii %.3g + %.3g, seed %d", a.Median(), b.Median(), roundoff, ra, rb, seed),
	}
}

// RelCheck compares a deterministic value with its reference: pass when
// |got - want| <= tol * scale, where scale is the problem's natural magnitude (|want| for a
// well-conditioned value; for a value that can vanish, the size it is a difference of). A zero
// scale asks for exact equality; a NaN anywhere fails.
func RelCheck(what string, got, want, scale, tol float64) Result {
	e := math.Abs(got-want) / scale
	if scale == 0 {
		e = zRatio(got-want, 0)
	}
	if math.IsNaN(got) || math.IsNaN(want) || !(scale >= 0) || math.IsNaN(tol) {
		e = math.NaN() // a negative scale would make every difference pass
	}
	return Result{
		Case: what, Measured: e, Bound: tol, Pass: e <= tol,
		Detail: fmt.Sprintf("got %.17g, want %.17g, scale %.3g", got, want, scale),
	}
}

// Power is a check's power control on fresh data. row is the check as the claim runs it; fresh(f)
// runs the same check on an independent simulation (another seed) against the claimed value
// multiplied by f (or, for a comparison of two estimates, with one of them multiplied by f).
// Power reads the row's stated MDE and returns fresh(1 + 2 MDE): an error twice the smallest the
// row claims to detect, which an honest MDE makes the check reject (the new estimate falls within
// one critical value of the truth except at the false-alarm rate, so it stands about two from the
// wrong value). On the row's own estimate the rejection would follow from arithmetic alone; on
// fresh draws it tests the stated standard error. The result is labelled "power x(1 + ...)". A row
// that errs, or states no finite positive MDE, and a nil fresh give Failed.
func Power(row Result, fresh func(f float64) Result) Result {
	if row.IsError() {
		return row
	}
	if fresh == nil {
		return Failed(row.Case+" power", fmt.Errorf("no fresh check to run"))
	}
	if !(row.MDE > 0) || math.IsInf(row.MDE, 0) {
		return Failed(row.Case+" power", fmt.Errorf("the row states no finite detectable error (MDE %v)", row.MDE))
	}
	f := 1 + 2*row.MDE
	r := fresh(f)
	r.Case = fmt.Sprintf("%s power x(1 + %.3g)", row.Case, f-1)
	return r
}

// UpperCheck is the one-sided test that a quantity estimated as value, with standard error se
// and dof degrees of freedom, is at most limit: pass when (value - limit) / se <= t_dof, the
// budget's critical value. It fails only on significant evidence that the quantity exceeds the
// limit; MDE = t se / |limit|, the smallest relative excess it can see.
func UpperCheck(what string, value, se, limit float64, dof int, detail string) Result {
	made.Add(1)
	if !(se >= 0) || math.IsInf(se, 0) || dof < 1 {
		return Failed(what, fmt.Errorf("standard error %v and dof %d: need a finite se >= 0 and dof >= 1", se, dof))
	}
	if math.IsNaN(value) || math.IsInf(value, 0) || math.IsNaN(limit) || math.IsInf(limit, 0) {
		return Failed(what, fmt.Errorf("value %v and limit %v must be finite", value, limit))
	}
	crit := Critical(dof)
	z := (value - limit) / se
	if se == 0 {
		z = zRatio(math.Max(value-limit, 0), 0)
	}
	return Result{Case: what, Measured: z, Bound: crit, Pass: z <= crit, MDE: relative(crit*se, limit),
		Detail: fmt.Sprintf("%s: value %.5g, SE %.3g, limit %.5g, z %.3g <= %.3g", detail, value, se, limit, z, crit)}
}
