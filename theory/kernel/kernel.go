package kernel

import (
	"errors"
	"fmt"
	"math"
)

// checkSlope returns an error unless 0 <= a <= 1, the Leaky ReLU range of the paper.
func checkSlope(a float64) error {
	if !(a >= 0 && a <= 1) { // also rejects NaN
		return fmt.Errorf("kernel: negative slope a = %v outside [0, 1]", a)
	}
	return nil
}

// checkAngle returns an error unless 0 <= theta <= pi.
func checkAngle(theta float64) error {
	if !(theta >= 0 && theta <= math.Pi) {
		return fmt.Errorf("kernel: angle theta = %v outside [0, pi]", theta)
	}
	return nil
}

// Kappa returns the normalised Leaky ReLU kernel of the paper (its Theorem 3 with the second moment
// factored out):
//
//	kappa_a(theta) = (1-a)^2/(2 pi) * (sin theta + (pi - theta) cos theta) + a cos theta,
//
// for an angle 0 <= theta <= pi (radians) between the inputs and a slope 0 <= a <= 1. kappa_0 is the
// arc-cosine kernel of degree 1 (Cho and Saul, 2009); kappa_a(0) = (1 + a^2)/2 and kappa_1 = cos.
// The value is dimensionless.
func Kappa(theta, a float64) (float64, error) {
	if err := checkAngle(theta); err != nil {
		return 0, err
	}
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	return kappa(theta, a), nil
}

func kappa(theta, a float64) float64 {
	return (1-a)*(1-a)/(2*math.Pi)*arcTerm(theta) + a*math.Cos(theta)
}

// arcTerm returns J(theta) = sin theta + (pi - theta) cos theta. Near theta = pi both terms are
// O(phi) with phi = pi - theta and J ~ phi^3/3, so it is computed there as sin phi - phi cos phi by
// a cancellation-free series (phi = pi - theta is exact for theta >= pi/2, by Sterbenz's lemma):
// the direct form would carry an absolute error of ~1e-16 (sin(pi) is 1.2e-16 in floating point).
func arcTerm(theta float64) float64 {
	if theta > math.Pi/2 {
		return sinMinusThetaCos(math.Pi - theta)
	}
	s, c := math.Sincos(theta)
	return s + (math.Pi-theta)*c
}

// TwoSlope returns the normalised kernel of the general two-slope activation
// f(u) = alpha*min(u, 0) + beta*max(u, 0) (shared/spec/kernel.md, Setting):
//
//	alpha beta cos theta + (beta - alpha)^2/(2 pi) * (sin theta + (pi - theta) cos theta).
//
// alpha = a, beta = 1 gives Kappa; alpha = -1, beta = 1 is the absolute value. theta in [0, pi]
// radians; alpha and beta must be finite. Dimensionless.
func TwoSlope(theta, alpha, beta float64) (float64, error) {
	if err := checkAngle(theta); err != nil {
		return 0, err
	}
	if math.IsNaN(alpha) || math.IsInf(alpha, 0) || math.IsNaN(beta) || math.IsInf(beta, 0) {
		return 0, fmt.Errorf("kernel: slopes alpha = %v, beta = %v must be finite", alpha, beta)
	}
	return alpha*beta*math.Cos(theta) + (beta-alpha)*(beta-alpha)/(2*math.Pi)*arcTerm(theta), nil
}

// errZero reports that an angle was asked of a zero vector.
var errZero = errors.New("kernel: the angle with a zero vector is undefined")

// checkPair returns an error for vectors of different or zero length, or with NaN or infinite
// entries.
func checkPair(x, y []float64) error {
	if len(x) != len(y) {
		return fmt.Errorf("kernel: input lengths differ: %d and %d", len(x), len(y))
	}
	if len(x) == 0 {
		return errors.New("kernel: inputs are empty")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return fmt.Errorf("kernel: non-finite input at index %d: x = %v, y = %v", i, x[i], y[i])
		}
	}
	return nil
}

// norm returns the Euclidean norm of x without overflow or underflow (math.Hypot accumulation).
func norm(x []float64) float64 {
	var n float64
	for _, v := range x {
		n = math.Hypot(n, v)
	}
	return n
}

// Angle returns theta = arccos(x.y / (|x||y|)) in radians, computed stably as
// 2 atan2(|x^ - y^|, |x^ + y^|) for the unit vectors x^, y^, which keeps full relative accuracy
// for nearly parallel and nearly antiparallel inputs (arccos of a rounded cosine does not).
// It returns an error for mismatched lengths, non-finite entries, or a zero vector.
func Angle(x, y []float64) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	nx, ny := norm(x), norm(y)
	if nx == 0 || ny == 0 {
		return 0, errZero
	}
	var dm, dp float64
	for i := range x {
		u, v := x[i]/nx, y[i]/ny
		dm = math.Hypot(dm, u-v)
		dp = math.Hypot(dp, u+v)
	}
	return 2 * math.Atan2(dm, dp), nil
}

// Kernel returns the equivalent kernel of one Leaky ReLU layer (the paper's Theorem 3),
//
//	k(x, y) = E_w[f_a(w.x) f_a(w.y)] = s2 |x| |y| kappa_a(theta),   s2 = E|w|^2 / d,
//
// for any rotationally invariant law of the weight row w in R^d with second moment
// secondMoment = E|w|^2, where d = len(x) = len(y). Only E|w|^2 depends on the law. A zero input
// is valid and gives 0 (f(0) = 0). Errors: mismatched or empty inputs, non-finite entries, a
// negative or non-finite second moment, a outside [0, 1]. Units: those of (w.x)(w.y).
func Kernel(x, y []float64, secondMoment, a float64) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	if !(secondMoment >= 0) || math.IsInf(secondMoment, 0) {
		return 0, fmt.Errorf("kernel: second moment E|w|^2 = %v must be finite and >= 0", secondMoment)
	}
	nx, ny := norm(x), norm(y)
	if nx == 0 || ny == 0 {
		return 0, nil
	}
	theta, err := Angle(x, y)
	if err != nil {
		return 0, err
	}
	s2 := secondMoment / float64(len(x))
	return s2 * nx * ny * kappa(theta, a), nil
}

// PreservingSecondMoment returns the second moment per weight row, E|w|^2 = 2/(1 + a^2), that keeps
// the mean squared activation of every layer equal to that of its input for every rotationally
// invariant law (derived in shared/spec/kernel.md from k(x, x) = s2 |x|^2 (1 + a^2)/2; He
// initialisation for a = 0). Dimensionless (a fan-in of d gives a per-coordinate variance
// 2/((1 + a^2) d)).
func PreservingSecondMoment(a float64) (float64, error) {
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	return 2 / (1 + a*a), nil
}

// GrowthSecondMoment returns E[r^2] / E[r]^2 for the one-layer growth r = q_{l+1}/q_l of the mean
// squared activation q = |h|^2/n of a Leaky ReLU layer of width n whose weight rows w = R U
// (rotationally invariant, fan-in d) have radial kurtosis kr = E R^4 / (E R^2)^2 (derived here,
// not in the paper):
//
//	E[r^2]/E[r]^2 = 1 + (M - 1)/n,   M = kr * 6 d (1 + a^4) / ((d + 2) (1 + a^2)^2),
//
// from E f(U.h)^4 = (1 + a^4)/2 * 3|h|^4/(d(d+2)) and E f(U.h)^2 = (1 + a^2)/2 * |h|^2/d for U
// uniform on the sphere. It does not depend on h, so over L layers E[(q_L/q_0)^2] is the product
// of these factors times E[q_L/q_0]^2. kr >= 1 (Gaussian: (d+2)/d; sphere: 1). Dimensionless.
func GrowthSecondMoment(a, kr float64, d, n int) (float64, error) {
	if err := checkSlope(a); err != nil {
		return 0, err
	}
	if !(kr >= 1) || math.IsInf(kr, 0) {
		return 0, fmt.Errorf("kernel: radial kurtosis E R^4/(E R^2)^2 = %v must be finite and >= 1", kr)
	}
	if d < 1 || n < 1 {
		return 0, fmt.Errorf("kernel: fan-in d = %d and width n = %d must be >= 1", d, n)
	}
	m := kr * 6 * float64(d) * (1 + a*a*a*a) / (float64(d+2) * (1 + a*a) * (1 + a*a))
	return 1 + (m-1)/float64(n), nil
}
