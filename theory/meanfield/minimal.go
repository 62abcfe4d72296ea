package meanfield

import (
	"fmt"
	"math"
)

// Minimal is a minimalRNN initialisation (catalogue, "Models and initialisation"): gate
// u = sigmoid(W h + V z + b) with W_ij ~ N(0, SW^2/N), V_ij ~ N(0, SV^2/N), b_i ~ N(MuB, SB^2), inputs
// of per-unit second moment R. SW, SV and SB are standard deviations; R is a second moment.
type Minimal struct {
	MuB, SW, SV, SB, R float64
}

func (m Minimal) validate() error {
	if math.IsNaN(m.MuB) || math.IsInf(m.MuB, 0) {
		return fmt.Errorf("meanfield: gate mean mu_b = %v is not finite", m.MuB)
	}
	if err := checkParams([]string{"sw", "sv", "sb"}, m.SW, m.SV, m.SB); err != nil {
		return err
	}
	if !(m.R > 0) || math.IsInf(m.R, 0) {
		return fmt.Errorf("meanfield: input second moment R = %v must be finite and > 0", m.R)
	}
	return nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// sigmoidPrime is u' = u (1 - u), computed from exp(-|x|) so that it keeps its digits in both tails.
func sigmoidPrime(x float64) float64 {
	e := math.Exp(-math.Abs(x))
	return e / ((1 + e) * (1 + e))
}

// gateVariance is q = sw^2 Q + sv^2 R + sb^2, the variance of the gate's pre-activation.
func (m Minimal) gateVariance(Q float64) float64 {
	return m.SW*m.SW*Q + m.SV*m.SV*m.R + m.SB*m.SB
}

// gateMoments returns E[u], E[u^2], E[(1 - u)^2] and E[u'^2] for e ~ N(mu_b, q).
func (m Minimal) gateMoments(q float64) (eu, eu2, eomu2, eup2 float64, err error) {
	var errs [4]error
	eu, errs[0] = Expect(sigmoid, m.MuB, q)
	eu2, errs[1] = Expect(func(x float64) float64 { u := sigmoid(x); return u * u }, m.MuB, q)
	eomu2, errs[2] = Expect(func(x float64) float64 { v := sigmoid(-x); return v * v }, m.MuB, q)
	eup2, errs[3] = Expect(func(x float64) float64 { d := sigmoidPrime(x); return d * d }, m.MuB, q)
	for _, e := range errs {
		if e != nil {
			return 0, 0, 0, 0, e
		}
	}
	return eu, eu2, eomu2, eup2, nil
}

// oneMinusU2 is 1 - E[u^2] = E[(1 - u)(1 + u)] for e ~ N(mu_b, q), computed without the
// cancellation of 1 - E[u^2] when the gate is nearly always open (large mu_b).
func (m Minimal) oneMinusU2(q float64) (float64, error) {
	return Expect(func(x float64) float64 { return sigmoid(-x) * (1 + sigmoid(x)) }, m.MuB, q)
}

// QStar returns the minimalRNN's stationary per-unit second moment of h (derived; catalogue,
// "Closed forms"): the self-consistent fixed point Q* = R E[(1 - u)^2] / (1 - E[u^2]) with the gate
// variance q = sw^2 Q* + sv^2 R + sb^2. Since u^2 <= u, Q* <= R, and the map is above Q at 0 and
// at most Q at R: bisection on [0, R] to 1e-15 relative. Both expectations are computed scaled by
// e^c, c = mu_b in [0, 700]: at a small gate variance they are about e^-2mu_b and 2 e^-mu_b, and
// Q* about R e^-mu_b / 2, which is representable to mu_b = 700 although E[(1 - u)^2] itself
// underflows above mu_b = 372. Units: those of R. Errors: invalid parameters (Minimal), and
// 1 - E[u^2] underflowing even scaled (mu_b above about 1445 at a small gate variance).
func (m Minimal) QStar() (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	c := math.Min(math.Max(m.MuB, 0), 700)
	g := func(Q float64) (float64, error) {
		q := m.gateVariance(Q)
		n, err1 := Expect(func(x float64) float64 { v := expSigmoidNeg(x, c/2); return v * v }, m.MuB, q)
		d, err2 := Expect(func(x float64) float64 { return expSigmoidNeg(x, c) * (1 + sigmoid(x)) }, m.MuB, q)
		if err := firstErr(err1, err2); err != nil {
			return 0, err
		}
		if !(d > 0) {
			return 0, fmt.Errorf("meanfield: 1 - E[u^2] underflows at mu_b = %v: the gate never opens", m.MuB)
		}
		return m.R*n/d - Q, nil
	}
	// g(0) > 0 unless E[(1-u)^2] e^c underflows (mu_b above about 722 at a small gate variance,
	// where the root R e^-mu_b / 2 is below 1e-313). The gate variance sw^2 Q can still open the
	// gate at Q > 0 (sw = 1e152 at Q = 1e-300), so the bracket is tried from 1e-300 first; only
	// when g is negative there is [0, 1e-300] searched, and a g(0) of 0 is then the answer.
	return bisectAbove(g, 1e-300, m.R)
}

// expSigmoidNeg is e^h sigmoid(-x) = e^h / (1 + e^x), formed so that neither e^h nor sigmoid(-x)
// overflows or underflows apart when the product does not (h <= 700).
func expSigmoidNeg(x, h float64) float64 {
	return math.Exp(h-math.Max(x, 0)) / (1 + math.Exp(-math.Abs(x)))
}

// Stationary returns the minimalRNN's stationary state (derived; catalogue, "Closed forms"): Q*
// (QStar), the gate pre-activation's variance there, q* = sw^2 Q* + sv^2 R + sb^2, and the gate
// moments E[u], E[u^2] and E[u'^2] for e ~ N(mu_b, q*). Units: Q* those of R, q* a variance, the
// moments dimensionless. Errors: invalid parameters (as QStar).
func (m Minimal) Stationary() (Q, q, eu, eu2, eup2 float64, err error) {
	if Q, err = m.QStar(); err != nil {
		return
	}
	q = m.gateVariance(Q)
	eu, eu2, _, eup2, err = m.gateMoments(q)
	return
}

// Chi1 returns chi_1 = (1/N) tr J J^T = E[u^2] + sw^2 E[u'^2] (Q* + R) at stationarity, the mean
// squared singular value of the one-step Jacobian J = diag(u) + diag(u' (h - z)) W (derived;
// catalogue, "Closed forms"). Dimensionless. Errors: invalid parameters.
func (m Minimal) Chi1() (float64, error) {
	Q, q, _, _, eup2, err := m.Stationary()
	if err != nil {
		return 0, err
	}
	d, err := m.oneMinusU2(q) // E[u^2] as 1 - E[1 - u^2]: never above 1 by rounding
	if err != nil {
		return 0, err
	}
	return finite("chi_1", (1-d)+m.SW*m.SW*eup2*(Q+m.R))
}

// finite returns v, or an error naming what when v is NaN or infinite (a result that overflowed
// float64 at extreme parameters).
func finite(what string, v float64) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("meanfield: %s = %v is not finite (the parameters are beyond float64)", what, v)
	}
	return v, nil
}

// ChiAB returns chi_ab = E[u^a u^b], the rate at which the cross moment of two copies with
// independent inputs decays (derived; catalogue, "Closed forms"): (e^a, e^b) bivariate normal with
// means mu_b, variances q* and covariance sb^2 (the shared bias), the factor of CrossMap at
// Q^ab = 0. Dimensionless, in [0, 1). Errors: invalid parameters.
func (m Minimal) ChiAB() (float64, error) {
	_, q, _, _, _, err := m.Stationary()
	if err != nil {
		return 0, err
	}
	return m.crossFactor(q, 0)
}

func (m Minimal) crossFactor(q, Qab float64) (float64, error) {
	return Expect2Product(sigmoid, sigmoid, m.MuB, m.MuB, q, q, m.SW*m.SW*Qab+m.SB*m.SB)
}

// CrossMap is one step of the recursion for the cross moment Q^ab = h^a.h^b/N of two copies that
// share every weight and receive independent inputs, at stationarity (derived; catalogue MF-5):
// Q^ab_t = E[u^a u^b] Q^ab_{t-1}, (e^a, e^b) bivariate normal with means mu_b, variances q* and
// covariance sw^2 Q^ab_{t-1} + sb^2 (the input terms are independent; the cross terms with the
// inputs vanish as N grows). It tends to 0 at the rate chi_ab. Units: those of R. Errors: invalid
// parameters, Q^ab not finite or outside [-Q*, Q*] (where the gate covariance would exceed q*).
func (m Minimal) CrossMap(Qab float64) (float64, error) {
	Q, q, _, _, _, err := m.Stationary()
	if err != nil {
		return 0, err
	}
	if !(math.Abs(Qab) <= Q*(1+1e-12)) {
		return 0, fmt.Errorf("meanfield: cross moment %v outside [-Q*, Q*] = [%v, %v]", Qab, -Q, Q)
	}
	f, err := m.crossFactor(q, math.Max(-Q, math.Min(Q, Qab)))
	if err != nil {
		return 0, err
	}
	return f * Qab, nil
}

// Xi returns the timescale xi = -1/ln chi_ab of two copies with independent inputs (derived).
// It computes 1 - chi_ab = E[1 - u^a u^b] = E[v^a + v^b - v^a v^b] = 2 E[v] - E[v^a v^b], v = 1 -
// u = sigmoid(-e) (both copies' gates have the same law), directly, so that xi keeps its digits as
// chi_ab -> 1 (large mu_b), and xi = -1/log1p(-(1 - chi_ab)). Units: steps. Errors: invalid
// parameters, and 1 - chi_ab not in (0, 1).
func (m Minimal) Xi() (float64, error) {
	_, q, _, _, _, err := m.Stationary()
	if err != nil {
		return 0, err
	}
	// E[v^a] + E[v^b] - E[v^a v^b]: three positive terms, the last at most half the sum (v^a v^b <=
	// min(v^a, v^b)), so no digits cancel; the margins are one-dimensional rules.
	notU := func(x float64) float64 { return sigmoid(-x) }
	va, err := Expect(notU, m.MuB, q)
	if err != nil {
		return 0, err
	}
	vab, err := Expect2Product(notU, notU, m.MuB, m.MuB, q, q, m.SB*m.SB)
	if err != nil {
		return 0, err
	}
	d := 2*va - vab
	if !(d > 0 && d < 1) {
		return 0, fmt.Errorf("meanfield: 1 - chi_ab = %v outside (0, 1): no finite timescale", d)
	}
	return finite("xi", -1/math.Log1p(-d))
}

// CriticalSW2 returns the weight variance sw^2 at which chi_1 = 1 (derived; catalogue MF-7: the
// self-consistent sw^2 = (1 - E[u^2])^2 / (2 R E[u'^2] (1 - E[u])), which plain fixed-point
// iteration does not solve: it cycles at mu_b = 4). chi_1 increases with sw^2, from E[u^2] < 1 at
// sw = 0: bisection on [0, hi], hi doubled from 1 until chi_1(hi) > 1. The receiver's SW is ignored.
// Units: a variance. Errors: invalid parameters, and chi_1 staying below 1 up to sw^2 = 2^60.
func (m Minimal) CriticalSW2() (float64, error) {
	m.SW = 0
	if err := m.validate(); err != nil {
		return 0, err
	}
	// chi_1 - 1 = sw^2 E[u'^2] (Q* + R) - (1 - E[u^2]), both terms computed directly (no
	// cancellation against 1 when the gate is nearly always open).
	chi := func(sw2 float64) (float64, error) {
		c := m
		c.SW = math.Sqrt(sw2)
		Q, q, _, _, eup2, err1 := c.Stationary()
		d, err2 := c.oneMinusU2(q)
		if err := firstErr(err1, err2); err != nil {
			return 0, err
		}
		return finite("chi_1 - 1", sw2*eup2*(Q+m.R)-d)
	}
	lo, hi := 0.0, 1.0 // chi_1(0) = E[u^2] < 1
	for {
		v, err := chi(hi)
		if err != nil {
			return 0, err
		}
		if v > 0 {
			break
		}
		lo = hi
		if hi *= 2; hi > 1<<60 {
			return 0, fmt.Errorf("meanfield: chi_1 stays below 1 for sw^2 up to 2^60 (mu_b = %v)", m.MuB)
		}
	}
	neg := func(sw2 float64) (float64, error) { v, err := chi(sw2); return -v, err }
	return bisect(neg, lo, hi)
}

// QMap is one step of the minimalRNN's mean-field recursion (derived; catalogue, "Closed forms"):
// Q_t = E[u^2] Q_{t-1} + E[(1 - u)^2] R, the gate pre-activation e ~ N(mu_b, sw^2 Q_{t-1} + sv^2 R
// + sb^2). Units: those of R. Errors: invalid parameters, Q negative or not finite.
func (m Minimal) QMap(Q float64) (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	if !(Q >= 0) || math.IsInf(Q, 0) {
		return 0, fmt.Errorf("meanfield: Q = %v must be finite and >= 0", Q)
	}
	_, eu2, eomu2, _, err := m.gateMoments(m.gateVariance(Q))
	if err != nil {
		return 0, err
	}
	return finite("Q_t", eu2*Q+eomu2*m.R)
}

// bisectAbove is bisect on [lo, hi] for a g that is positive at 0 and has its one root in [0, hi],
// possibly below lo (Q* < 1e-300 when R is that small): then the root is sought on [0, lo].
func bisectAbove(g func(float64) (float64, error), lo, hi float64) (float64, error) {
	v, err := g(lo)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return bisect(g, 0, lo)
	}
	return bisect(g, lo, hi)
}
