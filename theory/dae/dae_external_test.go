package dae_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/theory/dae"
	"pgregory.net/rapid"
)

// mode draws a mode from the catalogue's ranges (lambda up to 30: Fashion-MNIST's uncentred
// lambda_1 is about 27), with lambda = 0, sigma2 = 0 and gamma = 0 drawn as themselves.
func mode(t *rapid.T) dae.Mode {
	pick := func(name string, hi float64) float64 {
		if rapid.IntRange(0, 4).Draw(t, name+"_zero") == 0 {
			return 0
		}
		return rapid.Float64Range(1e-3, hi).Draw(t, name)
	}
	return dae.Mode{Lambda: pick("lambda", 30), Sigma2: pick("sigma2", 5), Gamma: pick("gamma", 2)}
}

// naive is the paper's form a e^{2at} / (b (e^{2at} - 1) + a/u0) (a != 0), u0/(1 + 2 b u0 t) at a = 0.
func naive(m dae.Mode, u0, t float64) float64 {
	a, b := m.Lambda-m.Gamma, m.Lambda+m.Sigma2
	if a == 0 {
		return u0 / (1 + 2*b*u0*t)
	}
	e := math.Exp(2 * a * t)
	return a * e / (b*(e-1) + a/u0)
}

// TestUSolvesODE: U(0) = u0 to its rounding, and the central difference of U in t equals the
// right-hand side at U(t) to 1e-6 relative (step 1e-4 t-scale; the difference's error is O(h^2))
// plus the difference's rounding.
func TestUSolvesODE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := mode(t)
		u0 := rapid.Float64Range(1e-4, 2).Draw(t, "u0")
		tt := rapid.Float64Range(0.01, 5).Draw(t, "t")
		h := 1e-4 / (1 + math.Abs(m.Lambda-m.Gamma) + (m.Lambda+m.Sigma2)*u0)
		u, err := m.U(u0, tt)
		up, err1 := m.U(u0, tt+h)
		um, err2 := m.U(u0, tt-h)
		rhs, err3 := m.RHS(u)
		start, err4 := m.U(u0, 0)
		for _, e := range []error{err, err1, err2, err3, err4} {
			if e != nil {
				t.Fatal(e)
			}
		}
		// U(0) is 1 / e^{-ln u0}: ln u0's rounding, |ln u0| eps relative, passes through exp, and
		// exp and the division add an ulp each (u0 = 1.6e-4 came back 9 ulps off at 10,000 draws;
		// a 1e-15 bound failed it).
		if math.Abs(start-u0) > (math.Abs(math.Log(u0))+4)*0x1p-52*u0 {
			t.Fatalf("U(0) = %v, u0 = %v", start, u0)
		}
		fd := (up - um) / (2 * h)
		scale := math.Abs(rhs) + 2*u*(math.Abs(m.Lambda-m.Gamma)+(m.Lambda+m.Sigma2)*u)
		// Plus the difference's rounding: each U carries (|2at| + |ln u0| + 4) eps relative, as U(0)
		// above, which the quotient divides by h (ln u0's own rounding is common to both and
		// cancels, so this is conservative by up to |ln u0| eps). It matters where u barely moves
		// (a and b near 0: u = 1e-4 with an RHS of 2e-11 was off by 5e-17 at 31,883 draws, against
		// 1e-6 scale = 4e-17).
		round := (math.Abs(2*(m.Lambda-m.Gamma)*(tt+h)) + math.Abs(math.Log(u0)) + 4) * 0x1p-52 * math.Abs(u) / h
		if math.Abs(fd-rhs) > 1e-6*scale+round {
			t.Fatalf("du/dt by differences %v, RHS %v (u = %v, scale %v)", fd, rhs, u, scale)
		}
	})
}

// TestUNaive: U equals the paper's form to 1e-12 relative wherever that form does not overflow
// (2|a| t <= 600), including a = 0 exactly.
func TestUNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := mode(t)
		if rapid.Bool().Draw(t, "a0") {
			m.Gamma = m.Lambda
		}
		u0 := rapid.Float64Range(1e-4, 2).Draw(t, "u0")
		tt := rapid.Float64Range(0, 100).Draw(t, "t")
		if 2*math.Abs(m.Lambda-m.Gamma)*tt > 600 {
			t.Skip("the paper's form overflows")
		}
		u, err := m.U(u0, tt)
		if err != nil {
			t.Fatal(err)
		}
		// The naive form loses ~|2at| ulps in e^{2at} - 1 (cancellation near 0): 1e-12 holds for
		// 2|a|t >= 1e-3; below, compare at 1e-9.
		tol := 1e-12
		if 2*math.Abs(m.Lambda-m.Gamma)*tt < 1e-3 {
			tol = 1e-9
		}
		if w := naive(m, u0, tt); math.Abs(u-w) > tol*w {
			t.Fatalf("U = %v, paper's form %v", u, w)
		}
	})
}

// TestUContinuousAtZeroRate: as a = lambda - gamma -> 0 from either side, U tends to the a = 0
// form u0/(1 + 2 b u0 t): at |a| = 1e-9 the two agree to 1e-7 relative (the difference is
// O(a t)).
func TestUContinuousAtZeroRate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lam := rapid.Float64Range(0.1, 10).Draw(t, "lambda")
		s2 := rapid.Float64Range(0, 2).Draw(t, "sigma2")
		u0 := rapid.Float64Range(1e-3, 1).Draw(t, "u0")
		tt := rapid.Float64Range(0, 50).Draw(t, "t")
		want := u0 / (1 + 2*(lam+s2)*u0*tt)
		for _, d := range []float64{-1e-9, 1e-9} {
			u, err := dae.Mode{Lambda: lam, Sigma2: s2, Gamma: lam + d}.U(u0, tt)
			if err != nil || math.Abs(u-want) > 1e-7*want {
				t.Fatalf("a = %v: U = %v, a = 0 form %v (%v)", -d, u, want, err)
			}
		}
	})
}

// TestULimits: u(t) -> u* (a > 0: to 1e-12 at 2at = 60; a < 0: below 1e-20 at 2|a|t = 60), no
// overflow at 2at = 1e6, and the large-t value for a < 0 is 0, not NaN.
func TestULimits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := mode(t)
		a := m.Lambda - m.Gamma
		if a == 0 {
			t.Skip("no exponential limit at a = 0")
		}
		u0 := rapid.Float64Range(1e-4, 1).Draw(t, "u0")
		us, err := m.UStar()
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []float64{60, 1e6} {
			u, err := m.U(u0, x/(2*math.Abs(a)))
			if err != nil {
				t.Fatal(err)
			}
			if a > 0 && math.Abs(u-us) > 1e-12*us+1e-12*u0 {
				t.Fatalf("2at = %v: u = %v, u* = %v", x, u, us)
			}
			if a < 0 && !(u >= 0 && u < 1e-20) {
				t.Fatalf("2|a|t = %v: u = %v, want ~0", x, u)
			}
		}
	})
}

// TestTFrac: U(t_f) = f u* to 1e-10 relative, t_f increases with f, and the matched weight decay
// gives the same fixed point and the time ratio 1 + sigma2/lambda at every f (to 1e-10).
func TestTFrac(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := mode(t)
		m.Lambda = rapid.Float64Range(1e-2, 30).Draw(t, "lambda+")
		m.Gamma = 0
		us, _ := m.UStar()
		f := rapid.Float64Range(0.01, 0.99).Draw(t, "f")
		u0 := f * us * rapid.Float64Range(1e-6, 0.99).Draw(t, "u0/(f u*)")
		tf, err := m.TFrac(u0, f)
		if err != nil {
			t.Fatal(err)
		}
		u, err := m.U(u0, tf)
		if err != nil || math.Abs(u-f*us) > 1e-10*f*us {
			t.Fatalf("U(t_f) = %v, f u* = %v (%v)", u, f*us, err)
		}
		g, err := dae.MatchedGamma(m.Lambda, m.Sigma2)
		if err != nil {
			t.Fatal(err)
		}
		wd := dae.Mode{Lambda: m.Lambda, Gamma: g}
		uwd, _ := wd.UStar()
		if math.Abs(uwd-us) > 1e-12*us {
			t.Fatalf("matched u* %v, noise u* %v", uwd, us)
		}
		twd, err1 := wd.TFrac(u0, f)
		ratio, err2 := dae.MatchedTimeRatio(m.Lambda, m.Sigma2)
		if err1 != nil || err2 != nil || math.Abs(twd/tf-ratio) > 1e-10*ratio {
			t.Fatalf("t_f ratio %v, 1 + sigma2/lambda %v (%v %v)", twd/tf, ratio, err1, err2)
		}
	})
}

// TestErrors: every documented domain error is an error.
func TestErrors(t *testing.T) {
	good := dae.Mode{Lambda: 1, Sigma2: 0.5, Gamma: 0.1}
	for _, m := range []dae.Mode{{Lambda: -1}, {Sigma2: -1}, {Gamma: -1}, {Lambda: math.NaN()}, {Sigma2: math.Inf(1)}, {Lambda: 1e308, Sigma2: 1e308}} {
		if _, err := m.U(0.1, 1); err == nil {
			t.Errorf("%+v: U accepted", m)
		}
		if _, err := m.UStar(); err == nil {
			t.Errorf("%+v: UStar accepted", m)
		}
	}
	for _, c := range []struct{ u0, t float64 }{{0, 1}, {-1, 1}, {math.NaN(), 1}, {1, -1}, {1, math.Inf(1)}} {
		if _, err := good.U(c.u0, c.t); err == nil {
			t.Errorf("U(%v, %v) accepted", c.u0, c.t)
		}
	}
	for _, c := range []struct{ u0, f float64 }{{0.01, 0}, {0.01, 1}, {0.01, math.NaN()}, {0.5, 0.5}, {0, 0.5}} {
		if _, err := good.TFrac(c.u0, c.f); err == nil {
			t.Errorf("TFrac(%v, %v) accepted", c.u0, c.f)
		}
	}
	if _, err := (dae.Mode{Lambda: 1, Gamma: 1}).TFrac(0.01, 0.5); err == nil {
		t.Error("TFrac at lambda = gamma accepted")
	}
	if _, err := dae.MatchedTimeRatio(0, 1); err == nil {
		t.Error("MatchedTimeRatio at lambda = 0 accepted")
	}
	if g, err := dae.MatchedGamma(0, 0); err != nil || g != 0 {
		t.Errorf("MatchedGamma(0, 0) = %v, %v", g, err)
	}
}

// TestEdges pins the boundaries mutation testing found unchecked: u* at lambda = sigma2 = gamma = 0
// is 0 (not 0/0), t_f at u0 = f u* exactly is undefined (the catalogue's strict u0 < f u*), and
// the matched weight decay keeps its digits when lambda/sigma2 overflows (1e300 against 1e-10:
// gamma = sigma2 / (1 + sigma2/lambda) = 1e-10).
func TestEdges(t *testing.T) {
	if u, err := (dae.Mode{}).UStar(); err != nil || u != 0 {
		t.Errorf("u* at lambda = sigma2 = gamma = 0: %v (%v), want 0", u, err)
	}
	m := dae.Mode{Lambda: 1, Sigma2: 0.5}
	us, _ := m.UStar()
	for _, f := range []float64{0.25, 0.5, 0.9} {
		if tf, err := m.TFrac(f*us, f); err == nil {
			t.Errorf("t_f at u0 = f u* (f = %v) = %v, want an error", f, tf)
		}
	}
	for _, c := range [][2]float64{{1e300, 1e-10}, {1e-10, 1e300}} {
		g, err := dae.MatchedGamma(c[0], c[1])
		if want := math.Min(c[0], c[1]); err != nil || math.Abs(g-want) > 1e-15*want {
			t.Errorf("MatchedGamma(%v, %v) = %v (%v), want %v", c[0], c[1], g, err, want)
		}
	}
}

// TestErrorsSayWhy: each domain error of TFrac names the argument that was wrong, not a symptom
// further down (an infinite logarithm).
func TestErrorsSayWhy(t *testing.T) {
	m := dae.Mode{Lambda: 1, Sigma2: 0.5}
	for _, c := range []struct {
		m     dae.Mode
		u0, f float64
		says  string
	}{
		{m, 0, 0.5, "u0"},
		{m, 0.01, 0, "fraction"},
		{m, 0.01, 1, "fraction"},
		{dae.Mode{Lambda: 1, Gamma: 1}, 0.01, 0.5, "lambda <= gamma"},
	} {
		_, err := c.m.TFrac(c.u0, c.f)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("TFrac(%+v, u0 = %v, f = %v): error %v, want one naming %q", c.m, c.u0, c.f, err, c.says)
		}
	}
}
