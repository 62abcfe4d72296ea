package props

// KER-5 .. KER-7: the deep map, initialisation through depth, the layer-wise recursion.

import (
	"fmt"
	"math"
	"math/rand/v2"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/mat"
)

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
	nets, err := networks(c.Law, c.SecondMoment, c.A, c.Width, c.Depth, [][]float64{x, y}, c.Nets, seed)
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
		nets, err := networks(c.Law, c.Factor*m2, c.A, c.Width, c.Depth, [][]float64{c.X}, c.Nets, seed)
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

// networks runs the networks through their projections when the law is rotationally invariant
// (simkernel.ProjectedNetworks: the same law, m draws a row instead of the fan-in; KER-5 took 36 s
// at the command drawing 1000 x 1000 matrices), else in full (simkernel.Networks).
func networks(law weights.Law, m2, a float64, width, depth int, inputs [][]float64, nets int, seed uint64) ([][]*mat.SymDense, error) {
	if p, ok := law.(weights.Projector); ok && weights.Check(law) == nil && p.RotationallyInvariant() && len(inputs) > 0 && len(inputs) <= min(width, len(inputs[0])) {
		return simkernel.ProjectedNetworks(law, m2, a, width, depth, inputs, nets, seed)
	}
	return simkernel.Networks(law, m2, a, width, depth, inputs, nets, seed)
}
