package meanfield

import (
	"fmt"
	"math"
)

// CovarianceMap is the vanilla network's mean-field map for two sequences that share every weight
// (derived; catalogue, "Closed forms"): their pre-activations at the next step have covariance
// q_ab' = sw2 E[tanh(A) tanh(B)] + shared, with (A, B) zero-mean normal, variances qa, qb and
// covariance qab. shared is the drive the two receive in common: s = sv2 R + sb2 with identical
// inputs, sb2 alone with independent ones. With qa = qb = qab and shared = s it is VarianceMap.
// Units: a covariance of pre-activations. Errors: qa, qb, sw2 or shared negative or not finite,
// |qab| > sqrt(qa qb), and a result that overflows.
func CovarianceMap(qa, qb, qab, sw2, shared float64) (float64, error) {
	if err := checkParams([]string{"qa", "qb", "sw2", "shared"}, qa, qb, sw2, shared); err != nil {
		return 0, err
	}
	e, err := Expect2Product(math.Tanh, math.Tanh, 0, 0, qa, qb, qab)
	if err != nil {
		return 0, err
	}
	return finite("the covariance map", sw2*e+shared)
}

// Correlation is the stationary correlation of two sequences through the same vanilla network
// (VanillaCorrelation).
type Correlation struct {
	QStar float64 // the fixed point of the variance map (a variance)
	CStar float64 // the stable fixed point of the correlation map, in [0, 1]
	ChiC  float64 // the rate chi_c* = sw2 E[tanh'(A) tanh'(B)] at (q*, q* c*): |c_t - c*| ~ chi_c*^t
}

// VanillaCorrelation returns the stationary correlation c* of two sequences driven through the
// same vanilla tanh network, and the rate chi_c* at which it is approached (derived; catalogue,
// "Closed forms", MF-2). The drive s = sv2 R + sb2 is what each receives, shared (in [0, s]) what
// they receive in common: s for identical inputs, sb2 for independent ones. The stationary
// covariance is the fixed point of CovarianceMap at variances q*: the map is increasing and convex
// in the covariance (the Hermite coefficients of tanh are all of one sign per order), so with
// shared < s it crosses the diagonal once in [shared, q*), from above, and chi_c* < 1: no ordered
// phase. With identical inputs c = 1 is a fixed point, stable iff chi_1 <= 1 (c* = 1, chi_c* =
// chi_1); in the chaotic phase the stable c* is the root below it (0 when shared = 0). Just beyond
// the critical line (chi_1 - 1 of order 1e-8 or less) the map's dip under the diagonal below q* is
// lost in its rounding, and c* is resolved only to about 2 sqrt(2e-16 / kappa), kappa q* the
// map's second derivative in the covariance at q*: 2e-7 at q* = 0.1 (kappa = 0.026), 2e-6 at 0.01
// and 2e-5 at 0.001 (kappa about 4 q*^2); where no covariance under the diagonal is found, c* = 1
// is returned with chi_c* = chi_1 (c* is within that resolution of 1). Dimensionless. Errors: sw2, s
// negative or not finite, shared outside [0, s], s = 0 with sw2 <= 1 (q* = 0: no correlation).
func VanillaCorrelation(sw2, s, shared float64) (Correlation, error) {
	if err := checkParams([]string{"sw2", "s", "shared"}, sw2, s, shared); err != nil {
		return Correlation{}, err
	}
	if shared > s {
		return Correlation{}, fmt.Errorf("meanfield: shared drive %v exceeds the drive s = %v", shared, s)
	}
	q, err := VanillaFixedPoint(sw2, s)
	if err != nil {
		return Correlation{}, err
	}
	if q == 0 {
		return Correlation{}, fmt.Errorf("meanfield: q* = 0 (sw2 = %v, s = 0): the correlation is undefined", sw2)
	}
	g := func(qab float64) (float64, error) {
		m, err := CovarianceMap(q, q, qab, sw2, shared)
		return m - qab, err
	}
	chiAt := func(qab float64) (float64, error) {
		e, err := Expect2Product(sech2, sech2, 0, 0, q, q, qab)
		if err != nil {
			return 0, err
		}
		return finite("chi_c*", sw2*e)
	}
	hi := q
	if shared == s {
		chi1, err := chiAt(q)
		if err != nil {
			return Correlation{}, err
		}
		if chi1 <= 1 {
			return Correlation{QStar: q, CStar: 1, ChiC: chi1}, nil
		}
		// Chaotic: g(q*) = 0 with slope chi_1 - 1 > 0, so g < 0 just below q*. With shared = 0 the
		// stable root is 0 (qab = 0, next) and needs no bracket.
		if shared > 0 {
			var under bool
			if hi, under, err = below(g, q); err != nil {
				return Correlation{}, err
			}
			if !under { // within float64's resolution of the critical line: c* = 1 to that resolution
				return Correlation{QStar: q, CStar: 1, ChiC: chi1}, nil
			}
		}
	}
	qab := 0.0 // shared = 0: c* = 0 exactly (tanh is odd, so E[tanh(A) tanh(B)] = 0 at covariance 0)
	if shared > 0 {
		qab, err = bisect(g, shared, hi)
	}
	if err != nil {
		return Correlation{}, err
	}
	chi, err := chiAt(qab)
	if err != nil {
		return Correlation{}, err
	}
	return Correlation{QStar: q, CStar: math.Min(qab/q, 1), ChiC: chi}, nil
}

// below returns the first point q (1 - 2^-k), k = 1 .. 50, at which g is negative, for g(q) = 0
// with a positive slope, and false when g is negative at none of them: the slope is then so close
// to 0 (chi_1 - 1 of order 1e-8 or less) that g's dip below 0 between its lower root and q is lost
// in its rounding (about 1e-16 q), and the lower root is as close to q as VanillaCorrelation says.
func below(g func(float64) (float64, error), q float64) (float64, bool, error) {
	for k := 1; k <= 50; k++ {
		x := q * (1 - math.Ldexp(1, -k))
		v, err := g(x)
		if err != nil {
			return 0, false, err
		}
		if v < 0 {
			return x, true, nil
		}
	}
	return 0, false, nil
}

// VanillaTimescale returns xi = -1/ln chi_c*, the number of steps over which the correlation of two
// sequences through the same vanilla network relaxes (derived; catalogue MF-5). Units: steps.
// Errors: as VanillaCorrelation, and chi_c* >= 1 (identical inputs at or beyond the critical
// line, where there is no finite timescale).
func VanillaTimescale(sw2, s, shared float64) (float64, error) {
	c, err := VanillaCorrelation(sw2, s, shared)
	if err != nil {
		return 0, err
	}
	return c.Timescale()
}

// Timescale returns xi = -1/ln chi_c* for a computed Correlation (VanillaTimescale without
// recomputing it; derived, catalogue MF-5). Units: steps. Errors: chi_c* outside (0, 1) or NaN
// (no finite timescale).
func (c Correlation) Timescale() (float64, error) {
	if !(c.ChiC > 0 && c.ChiC < 1) {
		return 0, fmt.Errorf("meanfield: chi_c* = %v outside (0, 1): no finite timescale", c.ChiC)
	}
	return finite("xi", -1/math.Log(c.ChiC))
}

// JacobianMoments returns the moments of the T-step Jacobian J = prod_t D_t W of the vanilla
// network at stationarity (derived from the free-probability analysis of Pennington et al. 2017;
// catalogue, "Jacobian over T steps", MF-6): the mean squared singular value m_1 = chi_1^T =
// (sw2 mu_1)^T and the relative spread m_2/m_1^2 - 1 = T (mu_2/mu_1^2 - 1 - s_1), with s_1 = 0 for
// orthogonal W and -1 for Gaussian W, mu_k at the fixed point qstar. Dimensionless. Errors: sw2
// or qstar negative or not finite, sw2 = 0 (J = 0), T < 1, and m_1 overflowing.
func JacobianMoments(sw2, qstar float64, T int, orthogonal bool) (m1, spread float64, err error) {
	if T < 1 {
		return 0, 0, fmt.Errorf("meanfield: the T-step Jacobian needs T >= 1, got %d", T)
	}
	if err := checkParams([]string{"sw2", "q*"}, sw2, qstar); err != nil {
		return 0, 0, err
	}
	if sw2 == 0 {
		return 0, 0, fmt.Errorf("meanfield: sw2 = 0 makes J = 0, whose spread is undefined")
	}
	mu1, err1 := Mu(1, qstar)
	mu2, err2 := Mu(2, qstar)
	if err := firstErr(err1, err2); err != nil {
		return 0, 0, err
	}
	if !(mu1 > 0) {
		return 0, 0, fmt.Errorf("meanfield: mu_1(q* = %v) underflows to 0: the spread is undefined", qstar)
	}
	s1 := -1.0
	if orthogonal {
		s1 = 0
	}
	if m1, err = finite("m_1 = chi_1^T", math.Pow(sw2*mu1, float64(T))); err != nil {
		return 0, 0, err
	}
	spread, err = finite("the spread", float64(T)*(mu2/(mu1*mu1)-1-s1))
	return m1, spread, err
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
