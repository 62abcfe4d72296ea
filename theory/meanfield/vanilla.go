package meanfield

import (
	"fmt"
	"math"
)

func tanh2(x float64) float64 { t := math.Tanh(x); return t * t }

// sech2 is tanh'(x) = 1 - tanh^2(x) = sech^2(x), computed from cosh so that it keeps its digits
// for large |x| (where 1 - tanh^2 is 0 in float64 long before sech^2 underflows).
func sech2(x float64) float64 {
	if math.Abs(x) > 350 {
		return 0
	}
	c := math.Cosh(x)
	return 1 / (c * c)
}

func checkParams(names []string, vals ...float64) error {
	for i, v := range vals {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("meanfield: %s = %v must be finite and >= 0", names[i], v)
		}
	}
	return nil
}

// VarianceMap is the vanilla tanh RNN's mean-field variance map (derived; catalogue, "Closed
// forms"): q_t = sw2 E[tanh(sqrt(q_{t-1}) z)^2] + s, with sw2 the recurrent weight variance (W_ij ~
// N(0, sw2/N)) and s = sv2 R + sb2 the input and bias variance per unit. Units: variance of a
// pre-activation. Errors: q, sw2 or s negative or not finite, and a map that overflows float64.
func VarianceMap(q, sw2, s float64) (float64, error) {
	if err := checkParams([]string{"q", "sw2", "s"}, q, sw2, s); err != nil {
		return 0, err
	}
	e, err := Expect(tanh2, 0, q)
	if err != nil {
		return 0, err
	}
	if v := sw2*e + s; !math.IsInf(v, 0) {
		return v, nil
	}
	return 0, fmt.Errorf("meanfield: the variance map sw2 E[tanh^2] + s overflows float64 (sw2 = %v, s = %v)", sw2, s)
}

// VanillaFixedPoint returns q*, the stable fixed point of VarianceMap (derived). For s > 0 it is
// unique and found by bisection on [s, sw2 + s] (the map is at least s, so it is above the
// diagonal at s, and below it at sw2 + s, since tanh^2 <= 1) to 1e-15 relative. For s = 0 it is 0 when sw2 <= 1 and otherwise
// the positive root (0 is then unstable). Errors: sw2 or s negative or not finite, and sw2 + s overflowing float64.
func VanillaFixedPoint(sw2, s float64) (float64, error) {
	if err := checkParams([]string{"sw2", "s"}, sw2, s); err != nil {
		return 0, err
	}
	if s == 0 && sw2 <= 1 {
		return 0, nil
	}
	if math.IsInf(sw2+s, 0) {
		return 0, fmt.Errorf("meanfield: sw2 + s = %v + %v overflows float64", sw2, s)
	}
	lo, hi := s, sw2+s // the map is at least s everywhere, so q* >= s
	if s == 0 {
		lo = 1e-300 // the map's slope at 0 is sw2 > 1: above the diagonal just right of 0
	}
	g := func(q float64) (float64, error) {
		m, err := VarianceMap(q, sw2, s)
		return m - q, err
	}
	return bisect(g, lo, hi)
}

// bisect finds a root of g on [lo, hi], where g(lo) >= 0 >= g(hi), to 1e-15 relative (or until the
// interval stops shrinking). It is the Illinois variant of false position (the retained end's value
// halved after two steps on the same side), which keeps the bracket and converges superlinearly on
// the smooth, monotone functions here (about 10 evaluations where bisection takes 50), with a
// geometric bisection step while hi/lo > 4 (a bracket may span many decades).
func bisect(g func(float64) (float64, error), lo, hi float64) (float64, error) {
	glo, err := g(lo)
	if err != nil {
		return 0, err
	}
	ghi, err := g(hi)
	if err != nil {
		return 0, err
	}
	// A root at an end is returned as it is (false position would creep towards it for ever when
	// it is 0). Ifs, not switch cases, here and below: go's cover leaves case expressions out of
	// its blocks, and gremlins counts their mutants as not covered.
	if glo == 0 {
		return lo, nil
	}
	if ghi == 0 {
		return hi, nil
	}
	side := 0
	for range 2000 {
		mid := math.NaN() // a geometric or false-position step, else (NaN) the midpoint below
		if lo > 0 && hi > 4*lo {
			mid = math.Sqrt(lo) * math.Sqrt(hi)
		} else if glo > ghi {
			mid = lo + (hi-lo)*glo/(glo-ghi)
		}
		if !(mid > lo && mid < hi) {
			mid = lo + (hi-lo)/2
		}
		if mid <= lo || mid >= hi || hi-lo <= 1e-15*math.Abs(mid) {
			return mid, nil
		}
		v, err := g(mid)
		if err != nil {
			return 0, err
		}
		if v == 0 {
			return mid, nil
		}
		if v > 0 {
			lo, glo = mid, v
			if side == -1 {
				ghi /= 2
			}
			side = -1
		} else {
			hi, ghi = mid, v
			if side == 1 {
				glo /= 2
			}
			side = 1
		}
	}
	return lo + (hi-lo)/2, nil
}

// Mu returns mu_k(q) = E[tanh'(sqrt(q) z)^(2k)] = E[sech^(4k)(sqrt(q) z)], the moments of the
// squared derivative behind the Jacobian spectrum (derived; catalogue, "Jacobian over T steps"),
// for k >= 1. Dimensionless. Errors: k < 1, q negative or not finite.
func Mu(k int, q float64) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("meanfield: mu_k needs k >= 1, got %d", k)
	}
	if err := checkParams([]string{"q"}, q); err != nil {
		return 0, err
	}
	return Expect(func(x float64) float64 { return math.Pow(sech2(x), float64(2*k)) }, 0, q)
}

// VanillaChi1 returns chi_1 = sw2 E[tanh'(sqrt(q*) z)^2] = sw2 mu_1(q*), the mean squared
// singular value of the one-step Jacobian at the fixed point (derived; catalogue, "Closed forms").
// Dimensionless. Errors: sw2 or qstar negative or not finite.
func VanillaChi1(sw2, qstar float64) (float64, error) {
	if err := checkParams([]string{"sw2", "q*"}, sw2, qstar); err != nil {
		return 0, err
	}
	m, err := Mu(1, qstar)
	if err != nil {
		return 0, err
	}
	return finite("chi_1", sw2*m)
}
