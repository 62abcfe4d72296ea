package conform

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/theory/kernel"
	"pgregory.net/rapid"
)

// kappaCase is one kernel.kappa request.
type kappaCase struct {
	Theta float64 `json:"theta"`
	A     float64 `json:"a"`
}

func (c kappaCase) inputs() map[string]any { return map[string]any{"theta": c.Theta, "a": c.A} }

// drawAngle draws theta over [0, pi] with its edges: 0, pi/2, pi, and angles within 2^-k of pi
// (where the direct formula sin theta + (pi - theta) cos theta cancels) and of 0.
func drawAngle(t *rapid.T, label string) float64 {
	switch rapid.IntRange(0, 3).Draw(t, label+" kind") {
	case 0:
		return rapid.Float64Range(0, math.Pi).Draw(t, label)
	case 1:
		return math.Pi - math.Ldexp(rapid.Float64Range(0.5, 1).Draw(t, label+" mantissa"), -rapid.IntRange(1, 60).Draw(t, label+" exponent"))
	case 2:
		return math.Ldexp(rapid.Float64Range(0.5, 1).Draw(t, label+" mantissa"), -rapid.IntRange(1, 60).Draw(t, label+" exponent"))
	}
	return rapid.SampledFrom([]float64{0, math.Pi / 2, math.Pi, math.Pi / 4, 3 * math.Pi / 4}).Draw(t, label)
}

// drawSlope draws a in [0, 1] with the edges 0 (ReLU), 1 (the identity) and a tiny slope.
func drawSlope(t *rapid.T) float64 {
	return edged(t, "a", rapid.Float64Range(0, 1), 0, 1, 1e-300, 0.01, 0.5)
}

func drawKappa(t *rapid.T) kappaCase { return kappaCase{Theta: drawAngle(t, "theta"), A: drawSlope(t)} }

// kappaTolerance is the absolute tolerance of kappa_a(theta): 16 eps times the size of its terms
// and of theta |dkappa/dtheta| (the rounding of theta itself, and of the constant pi in
// pi - theta, which moves the answer by |kappa'| times an ulp of theta):
//
//	16 eps ((1-a)^2/(2 pi) |J(theta)| + a |cos theta| + theta |kappa'(theta)|),
//	kappa'(theta) = -sin theta ((1-a)^2 (pi - theta)/(2 pi) + a),  J = sin theta + (pi - theta) cos theta.
//
// Near theta = pi with a = 0 the terms are O((pi - theta)^2): the direct form of J, whose
// absolute error is ~1e-16 there, fails it; the cancellation-free sin phi - phi cos phi
// (phi = pi - theta) passes.
func kappaTolerance(theta, a float64) float64 {
	s, c := math.Sincos(theta)
	// The J term, (1-a)^2/(2 pi) J >= 0, is kappa - a cos theta; its own rounding here (eps a)
	// is below the a |cos theta| term it is added to.
	t1 := math.Max(kappaRef(theta, a)-a*c, 0)
	d := math.Abs(s) * ((1-a)*(1-a)*(math.Pi-theta)/(2*math.Pi) + a)
	return 16 * eps * (t1 + a*math.Abs(c) + theta*d)
}

// kappaRef is theory's kappa (the caller has checked the arguments).
func kappaRef(theta, a float64) float64 {
	k, err := kernel.Kappa(theta, a)
	if err != nil {
		panic("conform: kernel.Kappa on a checked case: " + err.Error())
	}
	return k
}

// deepCase is one kernel.deep request.
type deepCase struct {
	Theta0 float64 `json:"theta0"`
	A      float64 `json:"a"`
	Layers int     `json:"layers"`
}

func (c deepCase) inputs() map[string]any {
	return map[string]any{"theta0": c.Theta0, "a": c.A, "layers": c.Layers}
}

func drawDeep(t *rapid.T) deepCase {
	l := rapid.OneOf(rapid.IntRange(0, 64), rapid.IntRange(0, 64), rapid.IntRange(65, 4096), rapid.SampledFrom([]int{0, 1, 10000})).Draw(t, "layers")
	return deepCase{Theta0: drawAngle(t, "theta0"), A: drawSlope(t), Layers: l}
}

// rhoTolerance is the absolute tolerance of rho_l after l layers: 8 eps (l + 1). Each layer's
// evaluation (an arccos, kappa, a division) rounds rho by a few eps, and the map's slope in rho,
// ((1-a)^2 (pi - theta)/(2 pi) + a) / ((1 + a^2)/2), is at most 1 (it is 1 at theta = 0), so the
// errors add up at most linearly.
func rhoTolerance(l int) float64 { return 8 * eps * float64(l+1) }

// deepRate is c = (1-a)^2 / (3 pi (1 + a^2)) of the step bound theta' <= theta / (1 + c theta)
// (from the expansion theta' = theta - c theta^2 + O(theta^3), whose cubic term is below c^2
// theta^3; TestDeepStepBound checks the bound on theory/kernel's map), which gives
// theta_l <= theta_0 / (1 + c l theta_0): the deep map reaches its fixed point rho = 1 at least
// as fast as C/l with C = 1/c = 3 pi (1 + a^2)/(1 - a)^2.
func deepRate(a float64) float64 { return (1 - a) * (1 - a) / (3 * math.Pi * (1 + a*a)) }

// fixedPointCase is a kernel.deep/fixed-point case: one start, every power of two up to 2^M layers.
type fixedPointCase struct {
	Theta0 float64 `json:"theta0"`
	A      float64 `json:"a"`
	M      int     `json:"m"`
}

func init() {
	define("kernel.kappa/theory",
		"kappa_a(theta) (theta in radians, 0 <= a <= 1) agrees with theory/kernel.Kappa to 16 eps ((1-a)^2/(2 pi) |J| + a |cos theta| + theta |kappa'(theta)|): the rounding of each term and of theta (and of pi in pi - theta) near theta = pi, where J = sin theta + (pi - theta) cos theta is O((pi - theta)^3)",
		200, []string{"kernel.kappa"}, drawKappa,
		func(s *session, c kappaCase) verdict {
			got := s.answer("kernel.kappa", c.inputs()).float("kappa")
			var v verdict
			v.close("kappa", got, kappaRef(c.Theta, c.A), kappaTolerance(c.Theta, c.A))
			return v
		})
	defineBad("kernel.kappa", 60, drawKappa, kappaCase.inputs,
		append(badFloats("theta", 0, math.Pi), badFloats("a", 0, 1)...))

	define("kernel.deep/theory",
		"rho_l, the normalised kernel after l layers from rho_0 = cos theta0 (rho_{l+1} = kappa_a(arccos rho_l)/kappa_a(0)), agrees with theory/kernel.DepthCos to 8 eps (l + 1): a few eps of rounding per layer, not amplified (the map's slope in rho is at most 1)",
		120, []string{"kernel.deep"}, drawDeep,
		func(s *session, c deepCase) verdict {
			got := s.answer("kernel.deep", c.inputs()).float("rho")
			want, err := kernel.DepthCos(c.Theta0, c.A, c.Layers)
			if err != nil {
				panic("conform: kernel.DepthCos on a checked case: " + err.Error())
			}
			var v verdict
			v.close("rho", got, want, rhoTolerance(c.Layers))
			return v
		})
	defineBad("kernel.deep", 60, drawDeep, deepCase.inputs,
		append(append(badFloats("theta0", 0, math.Pi), badFloats("a", 0, 1)...), badSize("layers", 0)...))

	define("kernel.deep/fixed-point",
		"reference-free: over l = 0, 1, 2, 4, ..., 2^m layers rho_0 = cos theta0 (to 2 eps), rho_l never decreases and never exceeds 1, and rho_l >= cos(theta0 / (1 + c l theta0)), c = (1-a)^2/(3 pi (1+a^2)): the map tends to its fixed point rho = 1 at least as fast as 3 pi (1+a^2)/((1-a)^2 l) (all to the rounding 8 eps (l + 1))",
		60, []string{"kernel.deep"},
		func(t *rapid.T) fixedPointCase {
			return fixedPointCase{Theta0: drawAngle(t, "theta0"), A: drawSlope(t), M: rapid.IntRange(0, 12).Draw(t, "m")}
		},
		func(s *session, c fixedPointCase) verdict {
			var v verdict
			prev, prevL := 0.0, -1
			rate := deepRate(c.A)
			for l := 0; l <= 1<<c.M; l = max(1, 2*l) {
				rho := s.answer("kernel.deep", deepCase{c.Theta0, c.A, l}.inputs()).float("rho")
				tol := rhoTolerance(l)
				if math.IsNaN(rho) || math.IsInf(rho, 0) {
					v.close(fmt.Sprintf("rho_%d", l), rho, 1, tol)
					return v
				}
				if l == 0 {
					v.close("rho_0 - cos theta0", rho, math.Cos(c.Theta0), 2*eps)
				} else {
					v.le(fmt.Sprintf("rho_%d - rho_%d (a decrease)", prevL, l), prev-rho, tol+rhoTolerance(prevL))
				}
				v.le(fmt.Sprintf("rho_%d - 1", l), rho-1, tol)
				lower := math.Cos(c.Theta0 / (1 + rate*float64(l)*c.Theta0))
				v.le(fmt.Sprintf("cos(theta0/(1 + c l theta0)) - rho_%d (slower than the bound)", l), lower-rho, tol+2*eps)
				prev, prevL = rho, l
			}
			return v
		})
}
