package dae

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// ModeODE is one mode's strength equation, du/dt = 2 u [(Lambda - Gamma) - (Lambda + Sigma2) u]
// (the catalogue's "Setting": gradient flow of the noise-averaged loss from a decoupled balanced
// start, tau = 1, time t = alpha * steps), solved here by numbers, not by the closed form of
// theory/dae: the independent side of DAE-4's identities. Lambda > 0 is the mode's eigenvalue,
// Sigma2 >= 0 the noise variance, Gamma >= 0 the weight decay.
type ModeODE struct {
	Lambda, Sigma2, Gamma float64
}

// MaxODESteps caps Flow's steps.
const MaxODESteps = 1 << 22

func (m ModeODE) validate() error {
	for _, v := range []float64{m.Lambda, m.Sigma2, m.Gamma} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v > 1e150 {
			return fmt.Errorf("dae: mode parameters lambda=%v sigma2=%v gamma=%v must be finite and at most 1e150", m.Lambda, m.Sigma2, m.Gamma)
		}
	}
	if !(m.Lambda > 0) || m.Sigma2 < 0 || m.Gamma < 0 {
		return fmt.Errorf("dae: need lambda > 0, sigma2 >= 0, gamma >= 0; got lambda=%v sigma2=%v gamma=%v", m.Lambda, m.Sigma2, m.Gamma)
	}
	return nil
}

// Rate is the right-hand side 2 u (a - b u), a = Lambda - Gamma, b = Lambda + Sigma2 (per unit
// time).
func (m ModeODE) Rate(u float64) float64 {
	return 2 * u * ((m.Lambda - m.Gamma) - (m.Lambda+m.Sigma2)*u)
}

// Flow returns u(t) from u(0) = u0 by the classical fourth-order Runge-Kutta method with steps
// equal steps, and an error estimate |u_n - u_{n/2}| / 15 (Richardson: the error of a fourth-order
// method at n steps is about 1/15 of the difference to n/2 steps). Errors: invalid parameters,
// u0 not in (0, 1e150], t < 0 or not finite, steps not an even number in [2, MaxODESteps], a
// result that is not finite or negative (a step beyond RK4's stability).
func (m ModeODE) Flow(u0, t float64, steps int) (u, errEst float64, err error) {
	if err := m.validate(); err != nil {
		return 0, 0, err
	}
	if !(u0 > 0) || u0 > 1e150 {
		return 0, 0, fmt.Errorf("dae: u0 = %v must be in (0, 1e150]", u0)
	}
	if !(t >= 0) || math.IsInf(t, 0) {
		return 0, 0, fmt.Errorf("dae: t = %v must be finite and >= 0", t)
	}
	if steps < 2 || steps > MaxODESteps || steps%2 != 0 {
		return 0, 0, fmt.Errorf("dae: %d steps; need an even number in [2, %d]", steps, MaxODESteps)
	}
	fine := m.rk4(u0, t, steps)
	coarse := m.rk4(u0, t, steps/2)
	if math.IsNaN(fine) || math.IsInf(fine, 0) || math.IsNaN(coarse) || math.IsInf(coarse, 0) {
		return 0, 0, fmt.Errorf("dae: the flow from u0 = %v over t = %v at %d steps is not finite (too few steps)", u0, t, steps)
	}
	if fine < 0 || coarse < 0 { // the true flow stays positive: the step is beyond RK4's stability
		return 0, 0, fmt.Errorf("dae: the flow from u0 = %v over t = %v at %d steps went negative (too few steps)", u0, t, steps)
	}
	return fine, math.Abs(fine-coarse) / 15, nil
}

func (m ModeODE) rk4(u, t float64, n int) float64 {
	h := t / float64(n)
	for range n {
		k1 := m.Rate(u)
		k2 := m.Rate(u + h/2*k1)
		k3 := m.Rate(u + h/2*k2)
		k4 := m.Rate(u + h*k3)
		u += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
	}
	return u
}

// HitTime returns the time the flow takes from u0 to target (u0 < target < u* = a/b, a > 0), as
// the integral of du / (2 u (a - b u)) = dv / (2 (a - b e^v)) over v = ln u from ln u0 to
// ln target, by composite 16-point Gauss-Legendre panels (gonum's quad.Fixed), doubled until two
// successive sums agree to 1e-14 relative (at most 4096 panels); errEst is the last difference.
// Errors: invalid parameters, a <= 0, u0 <= 0, target not in (u0, u*).
func (m ModeODE) HitTime(u0, target float64) (t, errEst float64, err error) {
	if err := m.validate(); err != nil {
		return 0, 0, err
	}
	a, b := m.Lambda-m.Gamma, m.Lambda+m.Sigma2
	if !(a > 0) {
		return 0, 0, fmt.Errorf("dae: the mode decays (lambda - gamma = %v <= 0): it never grows to a target", a)
	}
	if !(u0 > 0) || !(target > u0) || !(target < a/b) {
		return 0, 0, fmt.Errorf("dae: need 0 < u0 < target < u* = %v; got u0 = %v, target = %v", a/b, u0, target)
	}
	f := func(v float64) float64 { return 1 / (2 * (a - b*math.Exp(v))) }
	lo, hi := math.Log(u0), math.Log(target)
	prev := math.NaN()
	for panels := 4; panels <= 4096; panels *= 2 {
		sum := 0.0
		w := (hi - lo) / float64(panels)
		for p := range panels {
			sum += quad.Fixed(f, lo+float64(p)*w, lo+float64(p+1)*w, 16, quad.Legendre{}, 0)
		}
		if d := math.Abs(sum - prev); d <= 1e-14*math.Abs(sum) {
			return sum, d, nil
		}
		prev = sum
	}
	if math.IsNaN(prev) || math.IsInf(prev, 0) {
		return 0, 0, errors.New("dae: the hitting-time integral is not finite")
	}
	return 0, 0, fmt.Errorf("dae: the hitting-time integral from %v to %v did not converge in 4096 panels (target too close to u* = %v)", u0, target, a/b)
}
