package dae

import (
	"math"
	"strings"
	"testing"
)

// logistic is the logistic equation's solution written out here (not theory/dae's form): u' =
// 2u(a - bu) from u0.
func logistic(a, b, u0, t float64) float64 {
	e := math.Exp(2 * a * t)
	return a * u0 * e / (a + b*u0*(e-1))
}

// TestModeODEFlow: RK4 against the logistic solution, with an error estimate that bounds the
// actual error and falls 16-fold when the steps double (fourth order).
func TestModeODEFlow(t *testing.T) {
	m := ModeODE{Lambda: 2, Sigma2: 0.5, Gamma: 0.3}
	a, b := 1.7, 2.5
	want := logistic(a, b, 0.01, 3)
	u1, e1, err := m.Flow(0.01, 3, 200)
	if err != nil {
		t.Fatal(err)
	}
	u2, e2, err := m.Flow(0.01, 3, 400)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(u1 - want); d > 2*e1 || d < e1/2 {
		t.Errorf("error %g at 200 steps, estimate %g", d, e1)
	}
	if r := e1 / e2; r < 12 || r > 20 {
		t.Errorf("estimate ratio %g at doubled steps, want about 16", r)
	}
	if math.Abs(u2-want) > 2*e2 {
		t.Errorf("error %g at 400 steps, estimate %g", math.Abs(u2-want), e2)
	}
	if u, e, err := m.Flow(0.01, 0, 2); err != nil || u != 0.01 || e != 0 {
		t.Errorf("Flow at t = 0 = %v, %v, %v", u, e, err)
	}
}

// TestModeODEHitTime: the quadrature against ln[target (a - b u0) / (u0 (a - b target))] / (2a).
func TestModeODEHitTime(t *testing.T) {
	m := ModeODE{Lambda: 1, Sigma2: 0.5}
	a, b := 1.0, 1.5
	for _, target := range []float64{0.01, 0.3, 0.6, 0.66} {
		want := math.Log(target*(a-b*0.001)/(0.001*(a-b*target))) / (2 * a)
		got, est, err := m.HitTime(0.001, target)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-13*want || est > 1e-13*want {
			t.Errorf("target %v: %.17g, want %.17g (estimate %g)", target, got, want, est)
		}
	}
}

// TestModeODEErrors: every invalid argument is an error at its boundary.
func TestModeODEErrors(t *testing.T) {
	good := ModeODE{Lambda: 1, Sigma2: 0.5}
	if _, _, err := good.Flow(0.1, 1, MaxODESteps); err != nil {
		t.Errorf("MaxODESteps rejected: %v", err)
	}
	for name, f := range map[string]func() error{
		"lambda 0":        func() error { _, _, err := (ModeODE{}).Flow(0.1, 1, 2); return err },
		"sigma2 < 0":      func() error { _, _, err := (ModeODE{Lambda: 1, Sigma2: -1}).Flow(0.1, 1, 2); return err },
		"gamma NaN":       func() error { _, _, err := (ModeODE{Lambda: 1, Gamma: math.NaN()}).Flow(0.1, 1, 2); return err },
		"lambda 1e151":    func() error { _, _, err := (ModeODE{Lambda: 1e151}).Flow(0.1, 1, 2); return err },
		"u0 0":            func() error { _, _, err := good.Flow(0, 1, 2); return err },
		"t < 0":           func() error { _, _, err := good.Flow(0.1, -1, 2); return err },
		"t Inf":           func() error { _, _, err := good.Flow(0.1, math.Inf(1), 2); return err },
		"odd steps":       func() error { _, _, err := good.Flow(0.1, 1, 3); return err },
		"steps 0":         func() error { _, _, err := good.Flow(0.1, 1, 0); return err },
		"too many steps":  func() error { _, _, err := good.Flow(0.1, 1, MaxODESteps+2); return err },
		"unstable":        func() error { _, _, err := good.Flow(1e100, 100, 2); return err },
		"decaying mode":   func() error { _, _, err := (ModeODE{Lambda: 1, Gamma: 1}).HitTime(0.1, 0.2); return err },
		"target at u0":    func() error { _, _, err := good.HitTime(0.1, 0.1); return err },
		"target past u*":  func() error { _, _, err := good.HitTime(0.1, 2.0/3); return err },
		"hit u0 negative": func() error { _, _, err := good.HitTime(-0.1, 0.2); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzModeODE: Flow and HitTime return an error or finite, non-negative values, never NaN or a
// panic.
func FuzzModeODE(f *testing.F) {
	f.Add(1.0, 0.5, 0.0, 0.01, 3.0, 0.5, 64)
	f.Add(1e150, 0.0, 0.0, 1e150, 1e10, 0.99, 2)
	f.Add(0.1, 5.0, 0.05, 1e-300, 50.0, 0.999999, 1000)
	f.Fuzz(func(t *testing.T, lambda, sigma2, gamma, u0, tt, frac float64, steps int) {
		m := ModeODE{Lambda: lambda, Sigma2: sigma2, Gamma: gamma}
		if steps > 1<<12 || steps < -1 {
			steps = 1 << 12 // keep a fuzz input cheap
		}
		if u, e, err := m.Flow(u0, tt, steps); err == nil && (!(u >= 0) || math.IsInf(u, 0) || !(e >= 0) || math.IsInf(e, 0)) {
			t.Fatalf("Flow = %v, %v with no error", u, e)
		}
		if h, e, err := m.HitTime(u0, frac*(lambda-gamma)/(lambda+sigma2)); err == nil && (!(h > 0) || math.IsInf(h, 0) || !(e >= 0)) {
			t.Fatalf("HitTime = %v, %v with no error", h, e)
		}
	})
}

// TestModeODEBoundaries: the largest accepted arguments are accepted (parameters and u0 of 1e150,
// no noise, no weight decay), and HitTime's argument errors are its own check's, not a failure of
// the quadrature further on (u0 = 0, a target at or past u* = a/b, which a/b and not a*b bounds);
// a hitting time of hundreds of time units converges (the panels' stopping rule is relative).
func TestModeODEBoundaries(t *testing.T) {
	for name, m := range map[string]ModeODE{"lambda 1e150": {Lambda: 1e150}, "sigma2 1e150": {Lambda: 1, Sigma2: 1e150}, "gamma 1e150": {Lambda: 1, Gamma: 1e150}, "no noise": {Lambda: 1}} {
		if _, _, err := m.Flow(0.1, 0, 2); err != nil {
			t.Errorf("%s rejected: %v", name, err)
		}
	}
	if u, _, err := (ModeODE{Lambda: 1}).Flow(1e150, 0, 2); err != nil || u != 1e150 {
		t.Errorf("u0 = 1e150: %v, %v", u, err)
	}
	good := ModeODE{Lambda: 2, Sigma2: 1} // a = 2, b = 3: u* = 2/3, a b = 6
	for name, args := range map[string][2]float64{"u0 0": {0, 0.2}, "target u*": {0.1, 2.0 / 3}, "target between a/b and a b": {0.1, 0.9}} {
		if _, _, err := good.HitTime(args[0], args[1]); err == nil || !strings.Contains(err.Error(), "need 0 < u0 < target") {
			t.Errorf("%s: %v, want the argument check's error", name, err)
		}
	}
	slow := ModeODE{Lambda: 0.01}
	got, _, err := slow.HitTime(1e-3, 0.5)
	want := math.Log(0.5*(0.01-0.01*1e-3)/(1e-3*(0.01-0.01*0.5))) / (2 * 0.01)
	if err != nil || math.Abs(got-want) > 1e-12*want {
		t.Errorf("HitTime over %v time units = %v, %v; want %v", want, got, err, want)
	}
}
