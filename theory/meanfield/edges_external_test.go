package meanfield_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/meanfield"
)

// TestVanillaFixedPointNoDrive: with s = 0 the fixed point is 0 for sw2 <= 1, sw2 = 1 included
// (exactly 0, not a root search), and for sw2 > 1 the positive root: map(q*) = q* to 1e-13 and
// stable, the map's slope there (central difference) below 1 (0 is then the unstable one, with
// slope sw2).
func TestVanillaFixedPointNoDrive(t *testing.T) {
	t.Parallel()
	for _, sw2 := range []float64{0, 0.5, 1} {
		if q, err := meanfield.VanillaFixedPoint(sw2, 0); err != nil || q != 0 {
			t.Errorf("sw2 %v, s = 0: q* = %v (%v), want 0", sw2, q, err)
		}
	}
	for _, sw2 := range []float64{1.01, 1.5, 4} {
		q := fp.Must(meanfield.VanillaFixedPoint(sw2, 0))
		m := fp.Must(meanfield.VarianceMap(q, sw2, 0))
		h := 1e-4 * q
		slope := (fp.Must(meanfield.VarianceMap(q+h, sw2, 0)) - fp.Must(meanfield.VarianceMap(q-h, sw2, 0))) / (2 * h)
		if !(q > 0) || math.Abs(m-q) > 1e-13*q || !(slope < 1) {
			t.Errorf("sw2 %v, s = 0: q* = %v, map(q*) = %v, slope %v", sw2, q, m, slope)
		}
	}
}

// TestVanillaCriticalDomain: the critical scheme needs q* > 0: q* = 0 (where mu_1 = 1 would give
// sw2 = 1) and below are errors for the weight variance, the width and the drive; at q* = 1e-300
// sw2 is 1 (1/mu_1 = 1 + 2 q*, to rounding) and the drive 0 to within its (4/3) q*^3.
func TestVanillaCriticalDomain(t *testing.T) {
	t.Parallel()
	for _, q := range []float64{0, -1e-300, math.NaN(), math.Inf(1)} {
		if v, err := meanfield.VanillaCriticalSW2(q); err == nil {
			t.Errorf("q* = %v: critical sw2 %v, want an error", q, v)
		}
		if v, err := meanfield.VanillaCriticalWidth(q); err == nil {
			t.Errorf("q* = %v: width %v, want an error", q, v)
		}
		if v, err := meanfield.VanillaCriticalDrive(q); err == nil {
			t.Errorf("q* = %v: drive %v, want an error", q, v)
		}
	}
	if v, err := meanfield.VanillaCriticalSW2(1e-300); err != nil || math.Abs(v-1) > 1e-15 {
		t.Errorf("q* = 1e-300: critical sw2 %v (%v), want 1", v, err)
	}
	if v, err := meanfield.VanillaCriticalDrive(1e-300); err != nil || v != 0 {
		t.Errorf("q* = 1e-300: drive %v (%v), want 0", v, err)
	}
}

// TestMinimalDomain: R must be finite and > 0 (R = 0 is an error, R = 1e-300 is not); sw, sv, sb
// finite and >= 0 (0 allowed); mu_b finite; QMap's Q finite and >= 0 (Q = 0 allowed: the map is
// E[(1-u)^2] R there, -5e-324 an error). Every method checks its receiver.
func TestMinimalDomain(t *testing.T) {
	t.Parallel()
	good := meanfield.Minimal{MuB: 0.5, SW: 1, SV: 1, SB: 0.5, R: 1}
	bad := []meanfield.Minimal{
		{MuB: 0.5, SW: 1, SV: 1, SB: 0.5, R: 0},
		{MuB: 0.5, SW: 1, SV: 1, SB: 0.5, R: -1},
		{MuB: 0.5, SW: 1, SV: 1, SB: 0.5, R: math.Inf(1)},
		{MuB: 0.5, SW: -1, SV: 1, SB: 0.5, R: 1},
		{MuB: 0.5, SW: 1, SV: math.NaN(), SB: 0.5, R: 1},
		{MuB: 0.5, SW: 1, SV: 1, SB: math.Inf(1), R: 1},
		{MuB: math.NaN(), SW: 1, SV: 1, SB: 0.5, R: 1},
	}
	for _, m := range bad {
		if v, err := m.QStar(); err == nil {
			t.Errorf("%+v: Q* = %v, want an error", m, v)
		}
		if v, err := m.QMap(0.5); err == nil {
			t.Errorf("%+v: QMap = %v, want an error", m, v)
		}
		if m.SW >= 0 { // CriticalSW2 ignores SW
			if v, err := m.CriticalSW2(); err == nil {
				t.Errorf("%+v: critical sw^2 = %v, want an error", m, v)
			}
		}
	}
	for _, m := range []meanfield.Minimal{{MuB: 0.5, R: 1e-300}, {MuB: 0.5, SW: 0, SV: 0, SB: 0, R: 1}, good} {
		if v, err := m.QStar(); err != nil || !(v > 0 && v <= m.R) {
			t.Errorf("%+v: Q* = %v (%v), want in (0, R]", m, v, err)
		}
	}
	eomu2 := fp.Must(meanfield.Expect(func(x float64) float64 { v := 1 / (1 + math.Exp(x)); return v * v }, good.MuB, good.SV*good.SV*good.R+good.SB*good.SB))
	if v, err := good.QMap(0); err != nil || math.Abs(v-eomu2*good.R) > 1e-14 {
		t.Errorf("QMap(0) = %v (%v), want E[(1-u)^2] R = %v", v, err, eomu2*good.R)
	}
	for _, Q := range []float64{-5e-324, math.NaN(), math.Inf(1)} {
		if v, err := good.QMap(Q); err == nil {
			t.Errorf("QMap(%v) = %v, want an error", Q, v)
		}
	}
}

// TestMinimalShutGate: with the gate variance 0, Q* = R (1-u)/(1+u) <= R e^-mu_b. At mu_b = 700
// and 800 that bound is 1e-304 and 0 (E[(1-u)^2] and then 1 - E[u^2] underflow): Q* is an error or
// within [0, R e^-mu_b]. At mu_b = -800 the gate never opens (chi_ab = 0, 1 - chi_ab = 1, outside
// (0, 1)): xi is an error, while at mu_b = -10 (1 - chi_ab = 1 - 2e-9) it is finite.
func TestMinimalShutGate(t *testing.T) {
	t.Parallel()
	for _, mu := range []float64{700, 800} {
		m := meanfield.Minimal{MuB: mu, R: 1}
		if Q, err := m.QStar(); err == nil && !(Q >= 0 && Q <= m.R*math.Exp(-mu)) {
			t.Errorf("mu_b %v: Q* = %v, want an error or in [0, %v]", mu, Q, m.R*math.Exp(-mu))
		}
	}
	if xi, err := (meanfield.Minimal{MuB: -800, R: 1}).Xi(); err == nil {
		t.Errorf("mu_b = -800: xi = %v, want an error", xi)
	}
	if xi, err := (meanfield.Minimal{MuB: -10, R: 1}).Xi(); err != nil || !(xi > 0) {
		t.Errorf("mu_b = -10: xi = %v (%v), want > 0", xi, err)
	}
}

// TestMinimalLargeGateMeanQStar: Q* where E[(1 - u)^2] underflows (mu_b above 372) but Q* does not.
// Gate variance 0 (sw = sv = sb = 0): Q* = R (1 - u)/(1 + u) = R e^-mu_b / (2 + e^-mu_b), u =
// sigmoid(mu_b), at mu_b = 400 and 700 (9.6e-175 R and 4.9e-305 R). Gate variance q = sv^2 R = 1
// at mu_b = 400: 1 - u = e^-e (1 + O(e^-e)) and the lognormal moments give Q* = R E[e^-2e] /
// (2 E[e^-e]) = R e^(-mu_b + 3q/2) / 2. A gate opened by sw^2 Q (sw = 1e150 at mu_b = 373, 1e152
// at 400: sw^2 Q is 1 and 1e4 already at Q = 1e-300, so g > 0 on (0, 1e-300]) and then a step
// (E[u (1 - u)] below 1e-149 at Q near R): (1 - u)^2 = 1 - u^2 and Q* = R. Each was 0 before.
func TestMinimalLargeGateMeanQStar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m    meanfield.Minimal
		want float64
	}{
		{meanfield.Minimal{MuB: 400, R: 2}, 2 * math.Exp(-400) / (2 + math.Exp(-400))},
		{meanfield.Minimal{MuB: 700, R: 2}, 2 * math.Exp(-700) / (2 + math.Exp(-700))},
		{meanfield.Minimal{MuB: 400, SV: 1, R: 1}, math.Exp(-400+1.5) / 2},
		{meanfield.Minimal{MuB: 373, SW: 1e150, R: 2.5}, 2.5},
		{meanfield.Minimal{MuB: 400, SW: 1e152, R: 2.5}, 2.5},
	} {
		if Q, err := c.m.QStar(); err != nil || math.Abs(Q/c.want-1) > 1e-13 {
			t.Errorf("%+v: Q* = %v (%v), want %v", c.m, Q, err, c.want)
		}
	}
}
