package meanfield

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/integrate/quad"
)

// span is how many standard deviations either side of the mean the Gaussian expectations
// integrate over: the mass beyond 12 sigma is 3.6e-33, far below float64's resolution of any
// bounded integrand.
const span = 12

// nodes is the Gauss-Legendre order on each piece of the composite rule.
const nodes = 24

// knot is the spacing, in the integrand's own variable, of the breakpoints the composite rule puts
// between -knotRange and knotRange: tanh and the sigmoid change on a scale of 1 there, whatever
// the variance, so the pieces resolve them even when sigma is 100 (where fixed-node Gauss-Hermite
// has lost its digits).
const (
	knot      = 1.0
	knotRange = 16.0
)

func checkNormal(mean, variance float64) error {
	if math.IsNaN(mean) || math.IsInf(mean, 0) {
		return fmt.Errorf("meanfield: mean %v is not finite", mean)
	}
	if !(variance >= 0) || math.IsInf(variance, 0) {
		return fmt.Errorf("meanfield: variance %v must be finite and >= 0", variance)
	}
	return nil
}

// Expect returns E[f(X)] for X ~ N(mean, variance), by a composite Gauss-Legendre rule on
// [mean - 12 sigma, mean + 12 sigma] with breakpoints every 2 sigma and every 1 in [-16, 16] (24
// nodes per piece):
// accurate to about 1e-14 for the bounded, smooth integrands of this package, which change on a
// scale of 1 or more in x (tanh, the sigmoid, erf: the knots resolve them), at any variance from 0
// (where it returns f(mean)) to 1e6. An integrand with a sharper feature (erf(20 x)) is resolved
// only where the 2-sigma pieces are fine enough: substitute first. Units: those of f. An integrand
// whose values are finite but whose weighted sum overflows (|f| near 1e308) is integrated again
// scaled by a power of two, so the result is finite whenever the rule's value is.
// Errors: a nil f, a non-finite mean, a negative or non-finite variance, an integrand that returns
// NaN or an infinity at a node (the error names the first such x), and a result beyond float64.
func Expect(f func(x float64) float64, mean, variance float64) (float64, error) {
	if f == nil {
		return 0, errors.New("meanfield: Expect needs an integrand f (got nil)")
	}
	if err := checkNormal(mean, variance); err != nil {
		return 0, err
	}
	v := expect(f, mean, variance, breakpoints)
	if !isFinite(v) { // again, watching each node: which one was not finite, or how large f gets
		var w watch
		v = w.redo(func(scale float64) float64 {
			return expect(func(x float64) float64 { return w.see(f(x), x, x) * scale }, mean, variance, breakpoints)
		})
		if w.bad {
			return 0, fmt.Errorf("meanfield: the integrand is %v at x = %v (mean %v, variance %v)", w.badV, w.badA, mean, variance)
		}
	}
	if !isFinite(v) {
		return 0, fmt.Errorf("meanfield: E[f] at mean %v, variance %v is %v", mean, variance, v)
	}
	return v, nil
}

// watch records, while a rule runs, the largest |f| it saw and the first node where f was not
// finite (its arguments a, b: the same x twice for one variable).
type watch struct {
	big              float64
	bad              bool
	badV, badA, badB float64
}

// see records y = f(a, b) and returns it.
func (w *watch) see(y, a, b float64) float64 {
	if !isFinite(y) {
		if !w.bad {
			w.bad, w.badV, w.badA, w.badB = true, y, a, b
		}
		return y
	}
	w.big = math.Max(w.big, math.Abs(y))
	return y
}

// redo runs rule(1), recording every integrand value through see, and returns it if it is
// finite; otherwise it returns 2^e rule(2^-e), with 2^e the power of two above the largest finite
// |f| seen (exact scalings: the sum of the scaled values, each below 1 in magnitude, cannot
// overflow, and the result is finite when |E[f]| <= max |f| is). A rule that overflowed (an
// infinity, or NaN from opposite infinities) with every integrand value finite is thereby
// recovered; one that met a non-finite value stays non-finite, and see has recorded where. The
// first, unwatched, pass of Expect and Expect2 costs nothing extra; only a non-finite result comes
// here.
func (w *watch) redo(rule func(scale float64) float64) float64 {
	v := rule(1)
	if isFinite(v) {
		return v
	}
	_, e := math.Frexp(w.big)
	return math.Ldexp(rule(math.Ldexp(1, -e)), e)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// expect integrates f against the N(mean, variance) density over z = (x - mean)/sigma in
// [-12, 12], cut where cuts says (in z), with x = mean + sigma z: the standard variable is exact
// at every node, so a tiny sigma beside a large mean loses no digits in the density (in x, the
// rounding of x itself, eps |mean|, is a large step in z when sigma is 1e-7 of the mean).
func expect(f func(x float64) float64, mean, variance float64, cuts func(mean, sd float64) []float64) float64 {
	if variance == 0 {
		return f(mean)
	}
	sd := math.Sqrt(variance)
	pts := cuts(mean, sd)
	var sum float64
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		mid, half := (a+b)/2, (b-a)/2
		var piece float64
		for k, u := range legendreX {
			z := mid + half*u
			piece += legendreW[k] * math.Exp(-z*z/2) * f(mean+sd*z)
		}
		sum += half * piece
	}
	return sum / math.Sqrt(2*math.Pi)
}

// breakpoints returns, in z, the 2-sigma grid on [-12, 12] and the knots x = -16 .. 16 (step 1)
// that fall inside, in increasing order.
func breakpoints(mean, sd float64) []float64 {
	pts := uniform(-span, span, sigmaPieces)
	for k := -knotRange; k <= knotRange; k += knot {
		if z := (k - mean) / sd; z > -span && z < span {
			pts = append(pts, z)
		}
	}
	sort.Float64s(pts)
	out := pts[:1]
	for _, z := range pts[1:] {
		if z > out[len(out)-1] {
			out = append(out, z)
		}
	}
	return out
}

// uniform returns m + 1 equally spaced points from lo to hi.
func uniform(lo, hi float64, m int) []float64 {
	pts := make([]float64, m+1)
	for i := range pts {
		pts[i] = lo + (hi-lo)*float64(i)/float64(m)
	}
	pts[m] = hi
	return pts
}

// uniformPieces is the second method's partition: 64 equal pieces over [-12, 12] in z, which does
// not know where the integrand changes (the cross-check of breakpoints).
func uniformPieces(_, _ float64) []float64 { return uniform(-span, span, 64) }

// legendreX and legendreW are the Gauss-Legendre nodes and weights of order nodes on [-1, 1],
// computed once (constants of the rule, not state).
var legendreX, legendreW = legendreRule(nodes)

func legendreRule(n int) ([]float64, []float64) {
	x, w := make([]float64, n), make([]float64, n)
	quad.Legendre{}.FixedLocations(x, w, -1, 1)
	return x, w
}

// sigmaPieces is the number of equal pieces [-12, 12] (in z) is always cut into: a single
// Gauss-Legendre piece integrates the Gaussian density over +-12 sigma only to about 1e-9;
// pieces of 2 sigma do it to rounding.
const sigmaPieces = 12

// Expect2 returns E[f(A, B)] for (A, B) bivariate normal with means meanA, meanB, variances varA,
// varB and covariance cov, as the nested expectation over the wider of the two of the conditional
// expectation over the other (so that the conditional mean moves no faster than the outer
// variable, and the breakpoints resolve the integrand in both). Units: those of f. An integrand
// whose values are finite but whose sum overflows is integrated again scaled, as in Expect.
// Errors: a nil f, non-finite means, negative or non-finite variances, |cov| > sqrt(varA) sqrt(varB)
// (beyond rounding, 1e-12 relative; the product of the roots, so that variances near 1e200 do not
// overflow the bound and let any covariance through), an integrand that returns NaN or an infinity
// at a node (named by its (a, b)), and a result beyond float64.
func Expect2(f func(a, b float64) float64, meanA, meanB, varA, varB, cov float64) (float64, error) {
	if f == nil {
		return 0, errors.New("meanfield: Expect2 needs an integrand f (got nil)")
	}
	p, err := newPair(meanA, meanB, varA, varB, cov)
	if err != nil {
		return 0, err
	}
	// h is f with its arguments in the order of the rule (outer, inner).
	h := f
	if p.swap {
		h = func(b, a float64) float64 { return f(a, b) }
	}
	v := p.rule(h)
	if !isFinite(v) { // again, watching each node, as Expect does
		var w watch
		v = w.redo(func(scale float64) float64 {
			return p.rule(func(x, y float64) float64 {
				a, b := x, y
				if p.swap {
					a, b = y, x
				}
				return w.see(f(a, b), a, b) * scale
			})
		})
		if w.bad {
			return 0, fmt.Errorf("meanfield: the integrand is %v at (a, b) = (%v, %v)", w.badV, w.badA, w.badB)
		}
	}
	if !isFinite(v) {
		return 0, fmt.Errorf("meanfield: E[f(A, B)] is %v", v)
	}
	return v, nil
}

// Expect2Product returns E[fa(A) fb(B)] for (A, B) bivariate normal as in Expect2, with the outer
// factor taken out of the inner sum: fa(a) sum_j w_j fb(b_j) instead of sum_j w_j fa(a) fb(b_j)
// (the covariance map's tanh tanh, chi_c*'s sech^2 sech^2, the gates' sigmoid sigmoid). Where the
// conditional standard deviation is at most 2 (and the grid is cheaper) the inner nodes are a
// fixed grid (fixedGrid), so fb is evaluated once per node for all outer nodes: 3.2 ms per
// covariance map against Expect2's 18 ms (BenchmarkCovarianceMap); elsewhere the inner rule is
// Expect2's. It agrees with Expect2 on fa(a) fb(b) to 1e-13 of sqrt(E fa^2 E fb^2)
// (TestExpect2Product, TestExpect2ProductGrid), gives E[fb(B)] for fa = 1 at any means and
// variances (TestExpect2ProductMarginal), and MF-8 holds it to the erf closed form. Units: those of
// fa fb. A result that is not finite is computed again by Expect2, which rescales or names the
// node. Errors: those of Expect2, and a nil fa or fb.
func Expect2Product(fa, fb func(float64) float64, meanA, meanB, varA, varB, cov float64) (float64, error) {
	if fa == nil || fb == nil {
		return 0, errors.New("meanfield: Expect2Product needs two factors fa and fb (got nil)")
	}
	p, err := newPair(meanA, meanB, varA, varB, cov)
	if err != nil {
		return 0, err
	}
	outer, inner := fa, fb
	if p.swap {
		outer, inner = fb, fa
	}
	innerMean := func(e float64) float64 { return expect(inner, p.meanB+e, p.condVar, breakpoints) }
	if g, ok := p.grid(inner); ok {
		innerMean = g.mean
	}
	v := expect(func(a float64) float64 {
		return outer(a) * innerMean(p.slope*(a-p.meanA))
	}, p.meanA, p.varA, breakpoints)
	if isFinite(v) {
		return v, nil
	}
	return Expect2(func(a, b float64) float64 { return fa(a) * fb(b) }, meanA, meanB, varA, varB, cov)
}

// fixedGrid is the inner rule of Expect2Product when the conditional standard deviation sd is at
// most maxGridSD: pieces meanB + [i h, (i + 1) h] of one width h = min(2 sd, 1), fixed in b instead
// of moving with the conditional mean, so that the inner factor is evaluated once per node for
// every outer node (weighted: w_k f(b)), and each outer node costs one exponential per inner node.
// A conditional mean meanB + e integrates the pieces that meet e + [-12 sd, 12 sd]: at least
// breakpoints' 12-sigma window, with pieces no wider than its own (2 sd, and 1 within its knots;
// the knots only bound the width, so the grid need not be aligned with them), each with the same
// 24 nodes. The nodes are kept as offsets t from meanB, so that z = (t - e)/sd keeps its digits at
// any mean.
type fixedGrid struct {
	h, sd float64
	first int       // the first piece is meanB + [first h, (first + 1) h]
	t, fw []float64 // piece i's node k at [i nodes + k]: b - meanB, and w_k f(b)
}

// maxGridSD bounds fixedGrid's use: above sd = 2 its pieces of width 1 outnumber breakpoints' own.
const maxGridSD = 2

// grid returns the fixed grid for the inner factor f over every conditional mean the outer nodes
// give (meanB + e, e = slope (a - meanA), |a - meanA| <= 12 sqrt(varA)), and false when the
// conditional variance is 0 or sd > maxGridSD, or when filling the grid would take more
// evaluations of f than the moving rule (the outer nodes times the pieces in one conditional
// window): a conditional sd far below the range of conditional means, as near c = 1 (sd 0.0001
// against a range of +-3.8 at q = 0.1: 38000 pieces against 13 per window for 456 outer nodes).
func (p pair) grid(f func(float64) float64) (*fixedGrid, bool) {
	sd := math.Sqrt(p.condVar)
	if !(sd > 0 && sd <= maxGridSD) {
		return nil, false
	}
	h := math.Min(1, 2*sd)
	// The outer nodes a = meanA + sdA z are rounded: at a mean whose ulp is near 12 sdA a node
	// at |z| > 6 rounds to meanA +- ulp, past 12 sdA; two ulps more keep every node's window on
	// the grid (an audit's case: means 1, variances 3e-34).
	da := span * math.Sqrt(p.varA)
	da += 2 * (math.Nextafter(math.Abs(p.meanA)+da, math.Inf(1)) - (math.Abs(p.meanA) + da))
	reach := da*math.Abs(p.slope) + span*sd
	lo, hi := math.Floor(-reach/h), math.Ceil(reach/h)
	outer := float64(len(breakpoints(p.meanA, math.Sqrt(p.varA))) - 1)
	if !(hi-lo <= outer*nodes*(2*span*sd/h+1)) {
		return nil, false
	}
	g := &fixedGrid{h: h, sd: sd, first: int(lo)}
	pieces := int(hi - lo)
	g.t, g.fw = make([]float64, pieces*nodes), make([]float64, pieces*nodes)
	for i := range pieces {
		mid := (lo + float64(i) + 0.5) * h
		for k, u := range legendreX {
			t := mid + h/2*u
			g.t[i*nodes+k], g.fw[i*nodes+k] = t, legendreW[k]*f(p.meanB+t)
		}
	}
	return g, true
}

// mean returns E[f(B)] for B ~ N(meanB + e, sd^2) on the grid.
func (g *fixedGrid) mean(e float64) float64 {
	i0 := max(int(math.Floor((e-span*g.sd)/g.h))-g.first, 0)
	i1 := min(int(math.Ceil((e+span*g.sd)/g.h))-g.first, len(g.t)/nodes)
	var sum float64
	for j := i0 * nodes; j < i1*nodes; j++ {
		z := (g.t[j] - e) / g.sd
		sum += g.fw[j] * math.Exp(-z*z/2)
	}
	return sum * (g.h / 2) / (g.sd * math.Sqrt(2*math.Pi))
}

// pair is a bivariate normal in the order Expect2's rule integrates it: the wider variable (A
// after the swap) outside, B given A inside, with mean meanB + slope (a - meanA) and variance
// condVar.
type pair struct {
	meanA, meanB, varA, slope, condVar float64
	swap                               bool // the arguments' roles exchanged: f's b is outside
}

// newPair checks the means, variances and covariance as Expect2 documents, and orders them.
func newPair(meanA, meanB, varA, varB, cov float64) (pair, error) {
	if err := checkNormal(meanA, varA); err != nil {
		return pair{}, err
	}
	if err := checkNormal(meanB, varB); err != nil {
		return pair{}, err
	}
	bound := math.Sqrt(varA) * math.Sqrt(varB)
	if math.IsNaN(cov) || math.Abs(cov) > bound*(1+1e-12) {
		return pair{}, fmt.Errorf("meanfield: covariance %v exceeds sqrt(varA varB) = %v", cov, bound)
	}
	cov = math.Max(-bound, math.Min(bound, cov))
	swap := varA < varB // integrate the wider one outside: B = A cov/varA + noise then varies no faster than A
	if swap {
		meanA, meanB, varA, varB = meanB, meanA, varB, varA
	}
	slope, condVar := 0.0, varB
	if varA > 0 {
		slope = cov / varA
		condVar = math.Max(varB-slope*cov, 0) // slope cov, not cov^2/varA: cov^2 overflows first
	}
	return pair{meanA: meanA, meanB: meanB, varA: varA, slope: slope, condVar: condVar, swap: swap}, nil
}

// rule is the nested composite rule for g(outer, inner).
func (p pair) rule(g func(a, b float64) float64) float64 {
	return expect(func(a float64) float64 {
		ga := func(b float64) float64 { return g(a, b) }
		return expect(ga, p.meanB+p.slope*(a-p.meanA), p.condVar, breakpoints)
	}, p.meanA, p.varA, breakpoints)
}
