package dae

import (
	"fmt"
	"math"
)

// Mode is one eigen-direction of the data covariance under a training set-up: eigenvalue Lambda,
// noise variance Sigma2 and weight decay Gamma (all >= 0, finite; units in the package doc).
type Mode struct {
	Lambda, Sigma2, Gamma float64
}

func (m Mode) validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"lambda", m.Lambda}, {"sigma2", m.Sigma2}, {"gamma", m.Gamma}} {
		if !(p.v >= 0) || math.IsInf(p.v, 0) {
			return fmt.Errorf("dae: %s = %v must be finite and >= 0", p.name, p.v)
		}
	}
	if math.IsInf(m.Lambda+m.Sigma2, 0) {
		return fmt.Errorf("dae: lambda + sigma2 = %v + %v overflows", m.Lambda, m.Sigma2)
	}
	return nil
}

// rates returns a = lambda - gamma (the growth rate's half) and b = lambda + sigma2 (the
// saturation coefficient) of du/dt = 2u (a - b u).
func (m Mode) rates() (a, b float64) { return m.Lambda - m.Gamma, m.Lambda + m.Sigma2 }

// RHS is the per-mode gradient-flow right-hand side du/dt = 2u [(lambda - gamma) - (lambda +
// sigma2) u] (the paper's Eq. for a decoupled, balanced mode with tau = 1; catalogue, "Setting").
// Units: 1/time. u may be any finite number (the ODE is defined for every u).
func (m Mode) RHS(u float64) (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	if math.IsNaN(u) || math.IsInf(u, 0) {
		return 0, fmt.Errorf("dae: u = %v is not finite", u)
	}
	a, b := m.rates()
	v := 2 * u * (a - b*u)
	if math.IsInf(v, 0) || math.IsNaN(v) { // NaN: 2u overflows against a - b u = 0
		return 0, fmt.Errorf("dae: du/dt overflows at u = %v", u)
	}
	return v, nil
}

// U is the closed-form learning curve of a balanced mode started at u0 > 0 (the paper's solution;
// catalogue, "Closed forms"): with a = lambda - gamma and b = lambda + sigma2,
// u(t) = a e^{2at} / (b (e^{2at} - 1) + a/u0), and u0 / (1 + 2 b u0 t) for a = 0. It is evaluated
// as 1 / (b g + e^{-2at}/u0) with g = -expm1(-2at)/a (g = 2t at a = 0): the same function, free of
// overflow for a > 0 (e^{-2at} underflows to 0), tending to 0 for a < 0 without an inf/inf, exact
// to rounding when |a| t is small (expm1), and continuous as a -> 0 (g -> 2t). Dimensionless;
// t >= 0 in time units (t = alpha * steps).
func (m Mode) U(u0, t float64) (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	if !(u0 > 0) || math.IsInf(u0, 0) {
		return 0, fmt.Errorf("dae: u0 = %v must be finite and > 0", u0)
	}
	if !(t >= 0) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("dae: t = %v must be finite and >= 0", t)
	}
	a, b := m.rates()
	g := 2 * t
	if a != 0 {
		g = -math.Expm1(-2*a*t) / a
	}
	den := math.Exp(-2*a*t - math.Log(u0)) // e^{-2at}/u0 without overflowing 1/u0 for subnormal u0
	if b != 0 {                            // b = 0 (lambda = sigma2 = 0) would give 0 * inf when g overflows
		den += b * g
	}
	if math.IsNaN(den) {
		return 0, fmt.Errorf("dae: u(t) not representable at a = %v, b = %v, u0 = %v, t = %v", a, b, u0, t)
	}
	return 1 / den, nil // den = +inf gives the limit 0 (a < 0, u below the smallest float)
}

// UStar is the fixed point u* = (lambda - gamma)/(lambda + sigma2) if lambda > gamma, else 0 (the
// paper's; catalogue, "Closed forms"). Noise alone gives lambda/(lambda + sigma2), weight decay
// alone 1 - gamma/lambda. Dimensionless.
func (m Mode) UStar() (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	a, b := m.rates()
	if !(a > 0) {
		return 0, nil
	}
	return a / b, nil
}

// TFrac is the time at which a balanced mode started at u0 reaches f u* (derived; catalogue,
// "Closed forms"): t_f = ln[f (u* - u0) / (u0 (1 - f))] / (2a), a = lambda - gamma. Defined for
// a > 0, 0 < f < 1 and u0 < f u* (an error otherwise). Units: time (t = alpha * steps).
func (m Mode) TFrac(u0, f float64) (float64, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	if !(u0 > 0) || math.IsInf(u0, 0) {
		return 0, fmt.Errorf("dae: u0 = %v must be finite and > 0", u0)
	}
	if !(f > 0 && f < 1) {
		return 0, fmt.Errorf("dae: fraction f = %v must be in (0, 1)", f)
	}
	a, _ := m.rates()
	if !(a > 0) {
		return 0, fmt.Errorf("dae: t_f undefined for lambda <= gamma (lambda = %v, gamma = %v): the mode decays to 0", m.Lambda, m.Gamma)
	}
	us, _ := m.UStar()
	if fu := f * us; !(u0 < fu) {
		return 0, fmt.Errorf("dae: t_f undefined for u0 = %v >= f u* = %v", u0, fu)
	}
	// ln[f (u* - u0) / (u0 (1 - f))] as a sum of logs (1/u0 may overflow), log1p for small f.
	t := (math.Log(f*(us-u0)) - math.Log(u0) - math.Log1p(-f)) / (2 * a)
	if math.IsInf(t, 0) || math.IsNaN(t) {
		return 0, fmt.Errorf("dae: t_f overflows (lambda - gamma = %v)", a)
	}
	return t, nil
}

// MatchedGamma is the weight decay that gives a weight-decay autoencoder the denoising one's
// fixed point on a mode of eigenvalue lambda (catalogue, "Closed forms"):
// gamma = lambda sigma2 / (lambda + sigma2); 0 when lambda = sigma2 = 0 (the limit). Units: those
// of lambda.
func MatchedGamma(lambda, sigma2 float64) (float64, error) {
	if err := (Mode{Lambda: lambda, Sigma2: sigma2}).validate(); err != nil {
		return 0, err
	}
	if lambda+sigma2 == 0 {
		return 0, nil
	}
	// lambda sigma2 / (lambda + sigma2) = lambda / (1 + lambda/sigma2): no overflow of the product.
	if lambda >= sigma2 {
		return sigma2 / (1 + sigma2/lambda), nil
	}
	return lambda / (1 + lambda/sigma2), nil
}

// MatchedTimeRatio is t_f(weight decay) / t_f(noise) = 1 + sigma2/lambda for the matched weight
// decay, the same for every f (derived; catalogue, "Closed forms": noise keeps the rate 2 lambda,
// weight decay slows it to 2 (lambda - gamma) = 2 lambda^2/(lambda + sigma2)). Dimensionless;
// lambda > 0.
func MatchedTimeRatio(lambda, sigma2 float64) (float64, error) {
	if err := (Mode{Lambda: lambda, Sigma2: sigma2}).validate(); err != nil {
		return 0, err
	}
	if !(lambda > 0) {
		return 0, fmt.Errorf("dae: the time ratio needs lambda > 0, got %v", lambda)
	}
	r := 1 + sigma2/lambda
	if math.IsInf(r, 0) {
		return 0, fmt.Errorf("dae: 1 + sigma2/lambda overflows (sigma2 = %v, lambda = %v)", sigma2, lambda)
	}
	return r, nil
}
