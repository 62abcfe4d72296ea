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
// f(u) = alpha*min(u, 0) + beta*max(u, 0) (the paper's Section 3 setting, generalised to two
// slopes):
//
//	alpha beta cos theta + (beta - alpha)^2/(2 pi) * (sin theta + (pi - theta) cos theta).
//
// alpha = a, beta = 1 gives Kappa; alpha = -1, beta = 1 is the absolute value. theta in [0, pi]
// radians; alpha and beta must be finite. Both terms are formed from the slopes' mantissas and
// binary exponents, so huge slopes give the value whenever the terms are representable, and an
// error when the result overflows float64. Dimensionless.
func TwoSlope(theta, alpha, beta float64) (float64, error) {
	if err := checkAngle(theta); err != nil {
		return 0, err
	}
	if !isFinite(alpha) || !isFinite(beta) {
		return 0, fmt.Errorf("kernel: slopes alpha = %v, beta = %v must be finite", alpha, beta)
	}
	// Each term is formed from mantissas and binary exponents (bit-identical to the direct
	// formula whenever that neither overflows nor underflows), so neither alpha beta nor
	// (beta - alpha)^2 overflows unless the term itself does.
	fa, ea := math.Frexp(alpha)
	fb, eb := math.Frexp(beta)
	t1 := math.Ldexp(fa*fb*math.Cos(theta), ea+eb)
	d, half := beta-alpha, 0
	if math.IsInf(d, 0) {
		d, half = beta/2-alpha/2, 1
	}
	fd, ed := math.Frexp(d)
	ed += half
	t2 := math.Ldexp(fd*fd/(2*math.Pi)*arcTerm(theta), 2*ed)
	v := t1 + t2
	if !isFinite(v) {
		return 0, fmt.Errorf("kernel: two-slope kernel with alpha = %v, beta = %v overflows float64", alpha, beta)
	}
	return v, nil
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

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
		if !isFinite(x[i]) || !isFinite(y[i]) {
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

// unitNorm returns the unit vector x/|x| and the norm |x| = f 2^e (0.5 <= f < 1; f = 0 and u = nil
// for a zero vector). x is first scaled by a power of two (exactly) to a largest entry in
// [0.5, 1), so the norm of a finite x never overflows (|x| may exceed the largest float64 by
// sqrt(len(x))) and tiny entries keep their precision; whenever the direct norm neither overflows
// nor underflows, the results are bit-identical to x[i]/norm(x).
func unitNorm(x []float64) (u []float64, f float64, e int) {
	var big float64
	for _, v := range x {
		big = math.Max(big, math.Abs(v))
	}
	if big == 0 {
		return nil, 0, 0
	}
	_, k := math.Frexp(big)
	u = make([]float64, len(x))
	for i, v := range x {
		u[i] = math.Ldexp(v, -k)
	}
	n := norm(u)
	for i := range u {
		u[i] /= n
	}
	f, e = math.Frexp(n)
	return u, f, e + k
}

// Angle returns theta = arccos(x.y / (|x||y|)) in radians, computed stably as
// 2 atan2(|x^ - y^|, |x^ + y^|) for the unit vectors x^, y^, which keeps full relative accuracy
// for nearly parallel and nearly antiparallel inputs (arccos of a rounded cosine does not).
// It returns an error for mismatched lengths, non-finite entries, or a zero vector. Entries as
// large as the largest float64 are fine: the unit vectors are formed without overflow.
func Angle(x, y []float64) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	ux, fx, _ := unitNorm(x)
	uy, fy, _ := unitNorm(y)
	if fx == 0 || fy == 0 {
		return 0, errZero
	}
	return angle(ux, uy), nil
}

// angle returns the angle between the unit vectors u and v.
func angle(u, v []float64) float64 {
	var dm, dp float64
	for i := range u {
		dm = math.Hypot(dm, u[i]-v[i])
		dp = math.Hypot(dp, u[i]+v[i])
	}
	return 2 * math.Atan2(dm, dp)
}

// Kernel returns the equivalent kernel of one Leaky ReLU layer (the paper's Theorem 3),
//
//	k(x, y) = E_w[f_a(w.x) f_a(w.y)] = s2 |x| |y| kappa_a(theta),   s2 = E|w|^2 / d,
//
// for any rotationally invariant law of the weight row w in R^d with second moment
// secondMoment = E|w|^2, where d = len(x) = len(y). Only E|w|^2 depends on the law. A zero input
// is valid and gives 0 (f(0) = 0). The norms are combined through their binary exponents, so
// inputs as large as 1e200 give the exact kernel whenever it is representable. Errors: mismatched
// or empty inputs, non-finite entries, a negative or non-finite second moment, a outside [0, 1], and
// a kernel value that overflows float64. Units: those of (w.x)(w.y).
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
	ux, fx, ex := unitNorm(x)
	uy, fy, ey := unitNorm(y)
	if fx == 0 || fy == 0 {
		return 0, nil
	}
	theta := angle(ux, uy)
	s2 := secondMoment / float64(len(x))
	// s2 |x| |y| kappa with each factor split into mantissa and exponent: the product of the
	// mantissas cannot overflow, and Ldexp rounds once (bit-identical to the direct product
	// whenever that neither overflows nor underflows).
	fs, es := math.Frexp(s2)
	k := math.Ldexp(fs*fx*fy*kappa(theta, a), es+ex+ey)
	if !isFinite(k) {
		return 0, fmt.Errorf("kernel: k(x, y) = E|w|^2/d |x| |y| kappa overflows float64 (|x| = %g 2^%d, |y| = %g 2^%d, E|w|^2 = %g)", fx, ex, fy, ey, secondMoment)
	}
	return k, nil
}

// PreservingSecondMoment returns the second moment per weight row, E|w|^2 = 2/(1 + a^2), that keeps
// the mean squared activation of every layer equal to that of its input for every rotationally
// invariant law (the paper's Section 3, from k(x, x) = s2 |x|^2 (1 + a^2)/2 of its Theorem 3; He
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
	// 6 d / (d + 2) < 6 and (1 + a^4)/(1 + a^2)^2 <= 1, so m overflows only when kr nearly does;
	// d + 2 is formed in float64 (it overflows int at d = MaxInt - 1).
	df := float64(d)
	m := kr * (6 * df / (df + 2)) * ((1 + a*a*a*a) / ((1 + a*a) * (1 + a*a)))
	g := 1 + (m-1)/float64(n)
	if !isFinite(g) {
		return 0, fmt.Errorf("kernel: growth second moment overflows float64 for radial kurtosis %v", kr)
	}
	return g, nil
}
