package kernel

import (
	"fmt"
	"math"
)

// sinMinusThetaCos returns sin t - t cos t without cancellation for small t (its series is
// t^3/3 - t^5/30 + t^7/840 - ..., term k being (-1)^(k+1) 2k t^(2k+1)/(2k+1)!).
func sinMinusThetaCos(t float64) float64 {
	if t > 0.5 {
		s, c := math.Sincos(t)
		return s - t*c
	}
	t2 := t * t
	term := t * t2 / 6 // t^3/3!
	sum := 0.0
	for k := 1; k <= 12; k++ {
		sum += float64(2*k) * term
		term *= -t2 / float64((2*k+2)*(2*k+3))
	}
	return sum
}

// oneMinusRho returns 1 - kappa_a(theta)/kappa_a(0) without cancellation:
//
//	kappa_a(0) - kappa_a(theta) = (1-a)^2/(2 pi) (pi (1 - cos t) - (sin t - t cos t)) + a (1 - cos t),
//
// with 1 - cos t = 2 sin^2(t/2).
func oneMinusRho(theta, a float64) float64 {
	h := math.Sin(theta / 2)
	omc := 2 * h * h
	diff := (1-a)*(1-a)/(2*math.Pi)*(math.Pi*omc-sinMinusThetaCos(theta)) + a*omc
	return diff / ((1 + a*a) / 2)
}

// onePlusRho returns 1 + kappa_a(theta)/kappa_a(0) without cancellation near theta = pi: with
// phi = pi - theta,
//
//	kappa_a(0) + kappa_a(theta) = (1-a)^2/(2 pi) (pi + sin phi - phi cos phi) + a (1 + cos theta),
//
// where sin phi - phi cos phi >= 0 and 1 + cos theta = 2 cos^2(theta/2).
func onePlusRho(theta, a float64) float64 {
	h := math.Cos(theta / 2)
	sum := (1-a)*(1-a)/(2*math.Pi)*(math.Pi+sinMinusThetaCos(math.Pi-theta)) + a*2*h*h
	return sum / ((1 + a*a) / 2)
}

// stepAngle returns arccos(rho) for rho = kappa_a(theta)/kappa_a(0), from whichever of 1 - rho and
// 1 + rho is the smaller: 2 asin(sqrt((1 - rho)/2)) near 0 and pi - 2 asin(sqrt((1 + rho)/2))
// near pi, both well conditioned.
//
// Below theta = 1e-10 (where 1 - cos theta would go subnormal for the tiniest angles) it uses the
// expansion theta' = theta - c theta^2, c = (1-a)^2/(3 pi (1 + a^2)), whose next term is
// O(theta^3): a relative error below 1e-20 there.
func stepAngle(theta, a float64) float64 {
	if theta < 1e-10 {
		return theta - (1-a)*(1-a)/(3*math.Pi*(1+a*a))*theta*theta
	}
	m, p := oneMinusRho(theta, a), onePlusRho(theta, a)
	if m <= p {
		return 2 * math.Asin(math.Sqrt(math.Min(math.Max(m/2, 0), 1)))
	}
	return math.Pi - 2*math.Asin(math.Sqrt(math.Min(math.Max(p/2, 0), 1)))
}

// DepthStep applies the deep normalised map of the paper (Section 4) once to an angle:
//
//	theta' = arccos(kappa_a(theta) / kappa_a(0)),
//
// the angle between the features of two inputs one infinitely wide layer deeper. It does not depend
// on the weight law or on E|w|^2. theta in [0, pi] radians, a in [0, 1]; result in radians.
func DepthStep(theta, a float64) (float64, error) {
	if err := checkAngle(theta); err != nil {
		return 0, err
	}
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	return stepAngle(theta, a), nil
}

// DepthAngle returns theta_l, the angle after l >= 0 applications of DepthStep starting from
// theta0 in [0, pi] (radians). It iterates in the angle with cancellation-free forms of 1 - rho
// and 1 + rho, so theta_l keeps its relative accuracy as it tends to 0 (and near pi). It stops
// early once the rounded map leaves theta unchanged (every later step would too).
func DepthAngle(theta0, a float64, l int) (float64, error) {
	if err := checkAngle(theta0); err != nil {
		return 0, err
	}
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	if l < 0 {
		return 0, fmt.Errorf("kernel: depth l = %d must be >= 0", l)
	}
	theta := theta0
	for range l {
		next := stepAngle(theta, a)
		if next == theta { // a fixed point of the rounded map (theta = 0, a = 1, ...): done
			break
		}
		theta = next
	}
	return theta, nil
}

// DepthCos returns rho_l = cos theta_l, the normalised kernel (the cosine between the features of
// two inputs) after l >= 0 infinitely wide layers, from rho_0 = cos theta0:
//
//	rho_{l+1} = kappa_a(arccos rho_l) / kappa_a(0)    (paper, Section 4; spec "Deep map").
//
// theta0 in [0, pi] radians, a in [0, 1]. Dimensionless.
func DepthCos(theta0, a float64, l int) (float64, error) {
	theta, err := DepthAngle(theta0, a, l)
	if err != nil {
		return 0, err
	}
	return math.Cos(theta), nil
}

// DepthConstant returns the constant C of the polynomial approach to the degenerate fixed point,
//
//	theta_l ~ C / l,   C = 3 pi (1 + a^2) / (1 - a)^2   (from the paper's Section 4 map),
//
// from the expansion theta' = theta - theta^2 (1-a)^2 / (3 pi (1 + a^2)) + O(theta^3). Defined for
// 0 <= a < 1; at a = 1 (the identity) the map is the identity and there is no convergence, which is
// an error. Units: radians times layers.
func DepthConstant(a float64) (float64, error) {
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	if a == 1 {
		return 0, fmt.Errorf("kernel: a = 1 is the identity; the deep map does not converge")
	}
	return 3 * math.Pi * (1 + a*a) / ((1 - a) * (1 - a)), nil
}
