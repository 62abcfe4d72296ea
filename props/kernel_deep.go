package props

import (
	"fmt"
	"math"
	"math/rand/v2"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/theory/kernel"
)

// ConstantFormula is the shape of kernel.DepthConstant.
type ConstantFormula func(a float64) (float64, error)

// KER5Map checks the deep normalised map from theta0 with slope a (0 <= a < 1): theta_l never
// increases (rho_l is monotone), and l theta_l / C tends to 1, judged by the ratio of errors
// |l theta_l / C - 1| at 4L and at L, which must be at most 1/2 (the error falls like log(l)/l,
// a ratio near 0.3). L = max(1000, 64 l0) with l0 = 3 pi (1 + a^2) / ((1 - a)^2 theta0), the
// depth after which the asymptotic regime starts.
func KER5Map(theta0, a float64, constant ConstantFormula) []Result {
	what := fmt.Sprintf("KER-5 deep map theta0=%.4g a=%.3g", theta0, a)
	if constant == nil {
		constant = kernel.DepthConstant
	}
	trueC, err := kernel.DepthConstant(a)
	if err != nil {
		return []Result{failed(what, err)}
	}
	big := max(1000, int(64*trueC/theta0))
	theta, worst := theta0, 0.0
	thetaAt := map[int]float64{}
	for l := 1; l <= 4*big; l++ {
		next, err := kernel.DepthStep(theta, a)
		if err != nil {
			return []Result{failed(what, err)}
		}
		worst = math.Max(worst, next-theta)
		theta = next
		if l == big || l == 4*big {
			thetaAt[l] = theta
		}
	}
	c, err := constant(a)
	if err != nil {
		return []Result{failed(what, err)}
	}
	errAt := func(l int) float64 { return math.Abs(float64(l)*thetaAt[l]/c - 1) }
	ratio := errAt(4*big) / errAt(big)
	return []Result{
		{Case: what + " monotone", Measured: worst, Bound: 0, Pass: worst <= 0,
			Detail: fmt.Sprintf("largest increase of theta_l over %d layers", 4*big)},
		{Case: what + " l*theta_l/C -> 1", Measured: ratio, Bound: 0.5, Pass: ratio <= 0.5,
			Detail: fmt.Sprintf("|l theta_l/C - 1| = %.4g at l=%d, %.4g at l=%d (C=%.6g)", errAt(big), big, errAt(4*big), 4*big, c)},
	}
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
func KER5Network(c WideNetwork) []Result {
	x := []float64{1, 0}
	y := []float64{math.Cos(c.Theta0), math.Sin(c.Theta0)}
	nets, err := simkernel.Networks(c.Law, c.SecondMoment, c.A, c.Width, c.Depth, [][]float64{x, y}, c.Nets, c.Seed)
	if err != nil {
		return []Result{failed("KER-5 network", err)}
	}
	expect := c.Expect
	if expect == nil {
		expect = func(l int) (float64, error) { return kernel.DepthCos(c.Theta0, c.A, l) }
	}
	var out []Result
	for l := 1; l <= c.Depth; l++ {
		cos := make([]float64, c.Nets)
		for i, g := range nets {
			cos[i] = g[l].At(0, 1) / math.Sqrt(g[l].At(0, 0)*g[l].At(1, 1))
		}
		want, err := expect(l)
		what := fmt.Sprintf("KER-5 %s width=%d layer %d cosine", c.Law.Name(), c.Width, l)
		if err != nil {
			return append(out, failed(what, err))
		}
		est, err := stats.FromSample(cos, c.Nets)
		if err != nil {
			return append(out, failed(what, err))
		}
		out = append(out, MeanCheck(what, est, want, c.Seed))
	}
	return out
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
func KER6(c Initialisation) Result {
	what := fmt.Sprintf("KER-6 %s a=%.3g factor=%.3g depth=%d width=%d", c.Law.Name(), c.A, c.Factor, c.Depth, c.Width)
	m2, err := kernel.PreservingSecondMoment(c.A)
	if err != nil {
		return failed(what, err)
	}
	nets, err := simkernel.Networks(c.Law, c.Factor*m2, c.A, c.Width, c.Depth, [][]float64{c.X}, c.Nets, c.Seed)
	if err != nil {
		return failed(what, err)
	}
	ratios := make([]float64, c.Nets)
	for i, g := range nets {
		ratios[i] = g[c.Depth].At(0, 0) / g[0].At(0, 0)
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
			return failed(what, err)
		}
		g, err := kernel.GrowthSecondMoment(c.A, kr, fanIn, c.Width)
		if err != nil {
			return failed(what, err)
		}
		second *= g
	}
	predict := mean
	if c.Predict != nil {
		predict = c.Predict()
	}
	est, err := stats.FromSample(ratios, simkernel.Blocks)
	if err != nil {
		return failed(what, err)
	}
	// Each ratio is a product of Depth sums of Width rounded terms: good to ~1e-13 relative.
	return RobustCheck(what, est, predict, math.Sqrt(second-mean*mean), 1e-12*mean, c.Seed)
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
func KER7(c Conditional) Result {
	what := fmt.Sprintf("KER-7 %s width=%d conditional step", c.Law.Name(), c.N1)
	m2, err := kernel.PreservingSecondMoment(c.A)
	if err != nil {
		return failed(what, err)
	}
	z, err := simkernel.Layer(c.Law, m2, c.A, c.N1, [][]float64{c.X, c.Y}, rand.New(rand.NewPCG(c.Seed, 7)))
	if err != nil {
		return failed(what, err)
	}
	formula := c.Formula
	if formula == nil {
		formula = kernel.Kernel
	}
	exact, err := formula(z[0], z[1], m2, c.A)
	if err != nil {
		return failed(what, err)
	}
	second := weights.Scaled{Law: c.Law, C: math.Sqrt(m2 / c.Law.SecondMoment(c.N1))}
	est, err := simkernel.KernelMC(second, c.A, z[0], z[1], c.N2, c.Seed)
	if err != nil {
		return failed(what, err)
	}
	return kernelCheck(what, second, z[0], z[1], est, exact, c.Seed)
}
