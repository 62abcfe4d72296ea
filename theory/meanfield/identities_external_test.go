package meanfield_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/meanfield"
	"pgregory.net/rapid"
)

// erfMean is E[erf(X)] for X ~ N(m, v) in closed form: erf(m / sqrt(1 + 2v)) (the probit identity
// E[Phi(a + b Z)] = Phi(a / sqrt(1 + b^2)), with erf(x) = 2 Phi(sqrt(2) x) - 1).
func erfMean(m, v float64) float64 { return math.Erf(m / math.Sqrt(1+2*v)) }

// TestExpectShiftedErf: Expect reproduces E[erf(X)] = erf(m / sqrt(1 + 2v)) to 1e-13 for means
// -12..12 and variances 1e-4..1e6. Off-centre means put erf's step at x = 0 far from the middle
// of the grid in z: at large variance only the knots in x resolve it, so this holds the knots'
// placement (k - mean)/sd and the map back x = mean + sd z. At variance 0 Expect is f(mean).
func TestExpectShiftedErf(t *testing.T) {
	t.Parallel()
	check := func(t fp.Fataler, m, v float64) {
		got, err := meanfield.Expect(math.Erf, m, v)
		if want := erfMean(m, v); err != nil || math.Abs(got-want) > 1e-13 {
			t.Fatalf("E[erf(X)], X ~ N(%v, %v) = %.16g (%v), closed form %.16g", m, v, got, err, want)
		}
	}
	for _, m := range []float64{-10.5, -9, 0.3, 9, 10.5} {
		for _, v := range []float64{1e2, 1e4, 1e6} {
			check(t, m, v)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		check(t, rapid.Float64Range(-12, 12).Draw(t, "mean"), math.Pow(10, rapid.Float64Range(-4, 6).Draw(t, "log10 variance")))
	})
	for _, m := range []float64{-3, 0, 0.7} {
		if got, err := meanfield.Expect(math.Erf, m, 0); err != nil || got != math.Erf(m) {
			t.Errorf("variance 0: E[erf(%v)] = %v (%v), want erf(mean) = %v", m, got, err, math.Erf(m))
		}
	}
}

// TestExpectKnots: the rule's pieces end at the knots x = -16 .. 16, so an integrand with a kink at
// a knot is smooth on every piece and integrated to rounding: E|X - c| for X ~ N(m, v), the folded
// normal's mean sqrt(2v/pi) exp(-d^2/2v) + d erf(d/sqrt(2v)) with d = m - c, to 1e-14 relative
// at c = -16, 0 and 16 (the ends of the knots and the middle) and variances 1e2 .. 1e6 (a kink
// between knots, c = 15.5, is off by 1e-10 .. 3e-7). And f is evaluated only at Gauss-Legendre
// nodes, inside the pieces, never at a cut: sin(x)/x, NaN at x = 0 exactly, where the knot x = 0
// and the 2-sigma grid meet (mean 0, variance 1), integrates to E[sin X / X] = int_0^1 E cos(tX) dt
// = int_0^1 exp(-t^2/2) dt = sqrt(pi/2) erf(1/sqrt 2).
func TestExpectKnots(t *testing.T) {
	t.Parallel()
	for _, c := range []float64{-16, 0, 16} {
		for _, v := range []float64{1e2, 1e4, 1e6} {
			m := 0.3
			d, sd := m-c, math.Sqrt(v)
			want := sd*math.Sqrt(2/math.Pi)*math.Exp(-d*d/(2*v)) + d*math.Erf(d/(sd*math.Sqrt2))
			got, err := meanfield.Expect(func(x float64) float64 { return math.Abs(x - c) }, m, v)
			if err != nil || math.Abs(got/want-1) > 1e-14 {
				t.Errorf("E|X - %v|, X ~ N(%v, %v) = %.16g (%v), closed form %.16g", c, m, v, got, err, want)
			}
		}
	}
	sinc := func(x float64) float64 { return math.Sin(x) / x }
	if got, err := meanfield.Expect(sinc, 0, 1); err != nil || math.Abs(got-math.Sqrt(math.Pi/2)*math.Erf(1/math.Sqrt2)) > 1e-15 {
		t.Errorf("E[sin X / X], X ~ N(0, 1) = %.16g (%v), closed form %.16g", got, err, math.Sqrt(math.Pi/2)*math.Erf(1/math.Sqrt2))
	}
}

// TestExpect2Means: the two-dimensional expectation with non-zero means against closed forms:
// E[A B] = cov + mA mB, and E[erf(A + B)] = erf((mA + mB) / sqrt(1 + 2 (vA + vB + 2 cov))) (A + B
// is normal); both orders of the variances (the wider one is integrated outside), one variance 0,
// both 0 (f at the means exactly), and the covariance at its exact limit sqrt(vA vB) (1 + 1e-12)
// (accepted: rounding; the next float up is an error). A table: each call costs about 35 ms.
func TestExpect2Means(t *testing.T) {
	t.Parallel()
	prod := func(a, b float64) float64 { return a * b }
	sumErf := func(a, b float64) float64 { return math.Erf(a + b) }
	for _, c := range [][5]float64{ // mA, mB, vA, vB, cov
		{0.7, -1.3, 2, 0.5, 0.6},
		{-2, 1.5, 0.3, 4, -0.9},
		{1.5, -0.5, 1.5, 0, 0},
		{0.4, 1.1, 0, 2, 0},
	} {
		mA, mB, vA, vB, cov := c[0], c[1], c[2], c[3], c[4]
		ab := fp.Must(meanfield.Expect2(prod, mA, mB, vA, vB, cov))
		if want := cov + mA*mB; math.Abs(ab-want) > 1e-13*(1+math.Abs(want)) {
			t.Errorf("%v: E[A B] = %.16g, want %.16g", c, ab, want)
		}
		e := fp.Must(meanfield.Expect2(sumErf, mA, mB, vA, vB, cov))
		if want := erfMean(mA+mB, vA+vB+2*cov); math.Abs(e-want) > 1e-13 {
			t.Errorf("%v: E[erf(A + B)] = %.16g, want %.16g", c, e, want)
		}
	}
	if got, err := meanfield.Expect2(sumErf, 1, 2, 0, 0, 0); err != nil || got != math.Erf(3) {
		t.Errorf("both variances 0: %v (%v), want f(1, 2) = %v", got, err, math.Erf(3))
	}
	// The limit of the covariance check, at vA = vB = 1: |cov| <= 1 (1 + 1e-12) is rounding and is
	// clamped to perfect correlation, B = A, where E[tanh(A) tanh(B)] = E[tanh(A)^2].
	tt := func(a, b float64) float64 { return math.Tanh(a) * math.Tanh(b) }
	lim := 1 * (1 + 1e-12)
	same := fp.Must(meanfield.Expect(func(x float64) float64 { return math.Tanh(x) * math.Tanh(x) }, 0.5, 1))
	if got, err := meanfield.Expect2(tt, 0.5, 0.5, 1, 1, lim); err != nil || math.Abs(got-same) > 1e-13 {
		t.Errorf("cov at the limit %v: %v (%v), want E[tanh^2] = %v", lim, got, err, same)
	}
	if got, err := meanfield.Expect2(tt, 0.5, 0.5, 1, 1, math.Nextafter(lim, 2)); err == nil {
		t.Errorf("cov one float beyond the limit: %v, want an error", got)
	}
}

// TestErfProductLimit: ErfProduct accepts |s12| up to sqrt(s11 s22) (1 + 1e-12) exactly (rounding,
// clamped: arcsin's argument is 2 s12 / sqrt((1 + 2 s11)(1 + 2 s22)) = 2/3 at s11 = s22 = 1,
// s12 = 1) and rejects the next float.
func TestErfProductLimit(t *testing.T) {
	t.Parallel()
	lim := 1 * (1 + 1e-12)
	if got, err := meanfield.ErfProduct(1, 1, -lim); err != nil || math.Abs(got+2/math.Pi*math.Asin(2.0/3)) > 1e-11 {
		t.Errorf("s12 = -%v: %v (%v), want %v", lim, got, err, -2/math.Pi*math.Asin(2.0/3))
	}
	if got, err := meanfield.ErfProduct(1, 1, math.Nextafter(lim, 2)); err == nil {
		t.Errorf("s12 one float beyond the limit: %v, want an error", got)
	}
}

// TestMuSmallVariance: mu_k(q) = E[sech^(4k)(sqrt(q) z)] = 1 - 2k q + (k + 6k^2) q^2 + O(q^3)
// (ln sech^2 x = -x^2 + x^4/6 - ..., E z^4 = 3), to 200 k^3 q^3 at q = 1e-4 and 1e-3, and mu_k
// decreases strictly in k for q > 0 (sech^4 < 1 off 0). The same expansion gives the critical
// scheme's sw2 = 1/mu_1 = 1 + 2q - 3q^2 + O(q^3) and width mu_2/mu_1^2 - 1 = 8 q^2 + O(q^3).
func TestMuSmallVariance(t *testing.T) {
	t.Parallel()
	for _, q := range []float64{1e-4, 1e-3} {
		prev := 1.0
		for k := 1; k <= 4; k++ {
			kf := float64(k)
			mu := fp.Must(meanfield.Mu(k, q))
			if want := 1 - 2*kf*q + (kf+6*kf*kf)*q*q; math.Abs(mu-want) > 200*kf*kf*kf*q*q*q {
				t.Errorf("q %v: mu_%d = %.16g, expansion %.16g", q, k, mu, want)
			}
			if !(mu < prev) {
				t.Errorf("q %v: mu_%d = %v not below mu_%d = %v", q, k, mu, k-1, prev)
			}
			prev = mu
		}
		if sw2, want := fp.Must(meanfield.VanillaCriticalSW2(q)), 1+2*q-3*q*q; math.Abs(sw2-want) > 100*q*q*q {
			t.Errorf("q %v: critical sw2 %.16g, expansion %.16g", q, sw2, want)
		}
		if w := fp.Must(meanfield.VanillaCriticalWidth(q)); math.Abs(w/(8*q*q)-1) > 100*q {
			t.Errorf("q %v: width %.16g, 8 q^2 = %.16g", q, w, 8*q*q)
		}
	}
}

// TestCriticalDriveIsFixedPoint (MF-7): the drive s(q*) is the input variance for which q* is the
// fixed point of the variance map at sw2 = 1/mu_1(q*): VarianceMap(q*, sw2, s) = q* to 1e-13
// relative, on both sides of the series' limit (q* = 0.002) and up to q* = 3.
func TestCriticalDriveIsFixedPoint(t *testing.T) {
	t.Parallel()
	for _, q := range []float64{1e-3, 0.002, 0.0021, 0.01, 0.1, 1, 3} {
		sw2 := fp.Must(meanfield.VanillaCriticalSW2(q))
		s := fp.Must(meanfield.VanillaCriticalDrive(q))
		if m := fp.Must(meanfield.VarianceMap(q, sw2, s)); math.Abs(m-q) > 1e-13*q {
			t.Errorf("q* %v: map(q*) = %.16g at sw2 %v, drive %v", q, m, sw2, s)
		}
	}
}

// TestVanillaTimescaleIdentical: with identical inputs in the ordered phase c* = 1 and the
// timescale is xi = -1/ln chi_1 (the spec's), chi_1 from the one-dimensional mu_1 (the
// correlation's own rate comes from the two-dimensional quadrature at perfect correlation), to
// 1e-12 relative.
func TestVanillaTimescaleIdentical(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]float64{{0.5, 0.4}, {0.9, 0.05}} {
		sw2, s := c[0], c[1]
		q := fp.Must(meanfield.VanillaFixedPoint(sw2, s))
		want := -1 / math.Log(fp.Must(meanfield.VanillaChi1(sw2, q)))
		if xi, err := meanfield.VanillaTimescale(sw2, s, s); err != nil || math.Abs(xi/want-1) > 1e-12 {
			t.Errorf("sw2 %v s %v: xi = %.16g (%v), -1/ln chi_1 = %.16g", sw2, s, xi, err, want)
		}
	}
}

// TestVanillaTimescaleEdges: chi_c* = sw2 E[sech^2 sech^2] is 0 at sw2 = 0, outside (0, 1): an
// error; at sw2 = 1e-3 it is at most sw2, so 0 < xi <= -1/ln(sw2).
func TestVanillaTimescaleEdges(t *testing.T) {
	t.Parallel()
	if xi, err := meanfield.VanillaTimescale(0, 1, 0.5); err == nil {
		t.Errorf("sw2 = 0 (chi_c* = 0): xi = %v, want an error", xi)
	}
	if xi, err := meanfield.VanillaTimescale(1e-3, 1, 0.5); err != nil || !(xi > 0 && xi <= -1/math.Log(1e-3)) {
		t.Errorf("sw2 = 1e-3: xi = %v (%v), want in (0, %v]", xi, err, -1/math.Log(1e-3))
	}
}

// gate returns E[u^2], E[(1 - u)^2] and E[u'^2] for e ~ N(mu, q), u = sigmoid(e), u' = u (1 - u),
// each by its own one-dimensional quadrature (the package computes them otherwise: 1 - E[u^2] by
// E[(1 - u)(1 + u)], u' from exp(-|e|)).
func gate(t fp.Fataler, mu, q float64) (eu2, eomu2, eup2 float64) {
	t.Helper()
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	var err [3]error
	eu2, err[0] = meanfield.Expect(func(x float64) float64 { u := sig(x); return u * u }, mu, q)
	eomu2, err[1] = meanfield.Expect(func(x float64) float64 { v := sig(-x); return v * v }, mu, q)
	eup2, err[2] = meanfield.Expect(func(x float64) float64 { d := sig(x) * sig(-x); return d * d }, mu, q)
	for _, e := range err {
		if e != nil {
			t.Fatalf("gate moments at mu %v, q %v: %v", mu, q, e)
		}
	}
	return eu2, eomu2, eup2
}

// TestMinimalClosedForms (catalogue, "Closed forms"): over mu_b in [-4, 4], sw <= 3, sv <= 100
// (gate variances up to 1e4, where the gate's pre-activation reaches |e| ~ 1200), sb <= 1 and R in
// [0.1, 4], Stationary's q* is sw^2 Q* + sv^2 R + sb^2, its E[u'^2] is that of u (1 - u), Q* =
// R E[(1-u)^2] / (1 - E[u^2]) at q*, QMap at another Q is E[u^2] Q + E[(1-u)^2] R with the gate
// variance at that Q, and chi_1 = E[u^2] + sw^2 E[u'^2] (Q* + R): each to 1e-12 relative against
// moments computed here, not by the package (chi_1 also 1e-14 absolute: the package takes E[u^2]
// as 1 - E[1 - u^2], which keeps absolute, not relative, digits when the gate is mostly shut).
func TestMinimalClosedForms(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := meanfield.Minimal{MuB: rapid.Float64Range(-4, 4).Draw(t, "mu_b"), SW: rapid.Float64Range(0, 3).Draw(t, "sw"),
			SV: rapid.Float64Range(0, 100).Draw(t, "sv"), SB: rapid.Float64Range(0, 1).Draw(t, "sb"), R: rapid.Float64Range(0.1, 4).Draw(t, "R")}
		Q, q, _, eu2, eup2, err := m.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		near := func(what string, got, want, abs float64) {
			if math.Abs(got-want) > 1e-12*math.Abs(want)+abs {
				t.Fatalf("%+v: %s = %.16g, want %.16g", m, what, got, want)
			}
		}
		variance := func(Q float64) float64 { return m.SW*m.SW*Q + m.SV*m.SV*m.R + m.SB*m.SB }
		near("q*", q, variance(Q), 0)
		wu2, womu2, wup2 := gate(t, m.MuB, variance(Q))
		near("E[u^2]", eu2, wu2, 0)
		near("E[u'^2]", eup2, wup2, 0)
		near("Q*", Q, m.R*womu2/(1-wu2), 0)
		near("chi_1", fp.Must(m.Chi1()), wu2+m.SW*m.SW*wup2*(Q+m.R), 1e-14)
		other := Q/2 + m.R/3
		ou2, oomu2, _ := gate(t, m.MuB, variance(other))
		near("QMap", fp.Must(m.QMap(other)), ou2*other+oomu2*m.R, 0)
	})
}

// TestMinimalZeroGateVariance: with sw = sv = sb = 0 the gate u = sigmoid(mu_b) is a constant, and
// the closed forms are exact (v = 1 - u = sigmoid(-mu_b)): Q* = R v/(1 + u), QMap(Q) = u^2 Q +
// v^2 R, chi_1 = chi_ab = u^2, CrossMap(Q^ab) = u^2 Q^ab and xi = -1/ln u^2 = 1/(2 log1p(e^-mu_b)),
// to 1e-13 relative for R from 1e-300 to 1e300. chi_1 is 1 - E[1 - u^2] (never above 1): 1e-15
// absolute; xi at mu_b = -10 keeps 1e-7 (1 - chi_ab = 1 - 2e-9 rounds).
func TestMinimalZeroGateVariance(t *testing.T) {
	t.Parallel()
	for _, mu := range []float64{-10, -2, 0, 1.5, 3, 8} {
		for _, R := range []float64{1e-300, 0.7, 1e300} {
			m := meanfield.Minimal{MuB: mu, R: R}
			u, v := 1/(1+math.Exp(-mu)), 1/(1+math.Exp(mu))
			rel := func(what string, got, want, tol float64) {
				if math.Abs(got-want) > tol*math.Abs(want) {
					t.Errorf("mu_b %v R %v: %s = %.16g, want %.16g", mu, R, what, got, want)
				}
			}
			Q := fp.Must(m.QStar())
			rel("Q*", Q, R*v/(1+u), 1e-13)
			rel("QMap(R/2)", fp.Must(m.QMap(R/2)), u*u*R/2+v*v*R, 1e-13)
			if chi := fp.Must(m.Chi1()); math.Abs(chi-u*u) > 1e-15 {
				t.Errorf("mu_b %v R %v: chi_1 = %.16g, want %.16g", mu, R, chi, u*u)
			}
			if R == 0.7 { // the two-copy quantities do not involve R beyond the cross moment's scale
				rel("chi_ab", fp.Must(m.ChiAB()), u*u, 1e-13)
				rel("CrossMap(Q*/3)", fp.Must(m.CrossMap(Q/3)), u*u*Q/3, 1e-13)
				tol := 1e-13
				if mu < -5 {
					tol = 1e-7
				}
				rel("xi", fp.Must(m.Xi()), 1/(2*math.Log1p(math.Exp(-mu))), tol)
			}
		}
	}
}

// TestMinimalCrossMapPerfect: with sv = 0 the two copies' gates at Q^ab = Q* have covariance
// sw^2 Q* + sb^2 = q*, their variance: perfectly correlated, so CrossMap(Q*) = E[u^2] Q* (1e-12).
// The range check |Q^ab| <= Q* (1 + 1e-12) holds at its limit exactly (clamped) and fails one
// float beyond.
func TestMinimalCrossMapPerfect(t *testing.T) {
	t.Parallel()
	m := meanfield.Minimal{MuB: 1, SW: 1.5, SV: 0, SB: 0.5, R: 1.3}
	Q, _, _, eu2, _, err := m.Stationary()
	if err != nil {
		t.Fatal(err)
	}
	if got := fp.Must(m.CrossMap(Q)); math.Abs(got-eu2*Q) > 1e-12*Q {
		t.Errorf("CrossMap(Q*) = %.16g, E[u^2] Q* = %.16g", got, eu2*Q)
	}
	lim := Q * (1 + 1e-12)
	if got, err := m.CrossMap(-lim); err != nil || !(got < 0 && got > -lim) {
		t.Errorf("CrossMap(-Q* (1 + 1e-12)) = %v (%v), want in (-Q*, 0)", got, err)
	}
	if got, err := m.CrossMap(math.Nextafter(lim, math.Inf(1))); err == nil {
		t.Errorf("CrossMap one float beyond Q* (1 + 1e-12) = %v, want an error", got)
	}
}

// TestMinimalCriticalScaling: with sv = sb = 0 only sw^2 Q matters to the gate and Q* scales with
// R, so the critical sw^2 scales as 1/R exactly: R sw^2_c is the same at R = 1 and at an R that
// puts sw^2_c at 1.5 2^59, near the top of CriticalSW2's doubling search (2^60), to 1e-9; chi_1 is
// 1 there.
func TestMinimalCriticalScaling(t *testing.T) {
	t.Parallel()
	base := meanfield.Minimal{MuB: 2, R: 1}
	c0 := fp.Must(base.CriticalSW2())
	m := base
	m.R = c0 / (1.5 * (1 << 59))
	c := fp.Must(m.CriticalSW2())
	if math.Abs(c*m.R/c0-1) > 1e-9 {
		t.Errorf("R %v: critical sw^2 %v, R sw^2 %v, want %v", m.R, c, c*m.R, c0)
	}
	m.SW = math.Sqrt(c)
	if chi := fp.Must(m.Chi1()); math.Abs(chi-1) > 1e-10 {
		t.Errorf("R %v, sw^2 %v: chi_1 = %.15g, want 1", m.R, c, chi)
	}
}
