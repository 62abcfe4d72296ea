package kernel

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/integrate/quad"
)

// KappaQuad computes the normalised kernel independently of its closed form, by Gauss-Legendre
// quadrature of
//
//	kappa_a(theta) = (1/pi) * integral_0^{2 pi} f_a(cos p) f_a(cos(p - theta)) dp,
//
// the expectation over a uniformly random direction in the plane of the two unit inputs. The
// integrand is smooth between its kinks (cos p = 0 and cos(p - theta) = 0), so the interval is
// split there and each piece gets a 24-point rule, exact to rounding for these trigonometric
// products. theta in [0, pi] radians, a in [0, 1].
func KappaQuad(theta, a float64) (float64, error) {
	if !(theta >= 0 && theta <= math.Pi) || !(a >= 0 && a <= 1) {
		return 0, fmt.Errorf("kernel: quadrature needs theta in [0, pi] and a in [0, 1], got %v, %v", theta, a)
	}
	cuts := []float64{0, 2 * math.Pi, math.Pi / 2, 3 * math.Pi / 2}
	for _, c := range []float64{theta + math.Pi/2, theta + 3*math.Pi/2} {
		cuts = append(cuts, math.Mod(c, 2*math.Pi))
	}
	sort.Float64s(cuts)
	f := func(p float64) float64 { return Leaky(math.Cos(p), a) * Leaky(math.Cos(p-theta), a) }
	var sum float64
	for i := 1; i < len(cuts); i++ {
		if cuts[i] > cuts[i-1] {
			sum += quad.Fixed(f, cuts[i-1], cuts[i], 24, quad.Legendre{}, 0)
		}
	}
	return sum / math.Pi, nil
}
