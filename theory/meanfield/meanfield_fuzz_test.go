package meanfield_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/meanfield"
)

var special = []float64{0, -1, 1e-300, 1e300, math.NaN(), math.Inf(1), math.Inf(-1), 0.5, 3, 1e4}

// FuzzExpect covers Expect, Expect2 and Expect2Product: an error or a finite value, never a panic
// or a NaN, and the product rule within 1e-12 of Expect2 on tanh tanh (it shares Expect2's outer
// rule; its inner rule, moving or on the fixed grid, must not lose digits at any mean).
func FuzzExpect(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+3)%len(special)], 0.5)
	}
	f.Add(1e16, 1.0, 0.5)    // a fixed grid at absolute positions rounded its nodes here
	f.Add(4.0, 1e-8, 0.9999) // and lost 1.9e-11 here
	f.Add(0.5, 1e-320, 0.0)  // and came out empty (0) here
	f.Fuzz(func(t *testing.T, mean, variance, rho float64) {
		v, err := meanfield.Expect(math.Tanh, mean, variance)
		fp.RequireFinite(t, "Expect", err, v)
		w, err := meanfield.Expect2(func(a, b float64) float64 { return math.Tanh(a) * math.Tanh(b) }, mean, mean, variance, 2*variance, rho*variance)
		fp.RequireFinite(t, "Expect2", err, w)
		p, err2 := meanfield.Expect2Product(math.Tanh, math.Tanh, mean, mean, variance, 2*variance, rho*variance)
		fp.RequireFinite(t, "Expect2Product", err2, p)
		if (err == nil) != (err2 == nil) || math.Abs(p-w) > 1e-12 { // the same outer rule; |tanh tanh| <= 1
			t.Fatalf("Expect2Product %v (%v), Expect2 %v (%v)", p, err2, w, err)
		}
	})
}

// FuzzVanilla covers the vanilla map, its fixed point, mu_k, chi_1, the critical scheme and the
// erf oracle.
func FuzzVanilla(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+1)%len(special)], special[(i+2)%len(special)], i-1)
	}
	f.Add(1.5, 0.1, 0.001, 2)
	f.Add(0.5, 1e308, 1e308, 1) // sw2 + s overflows
	f.Fuzz(func(t *testing.T, q, sw2, s float64, k int) {
		v, err := meanfield.VarianceMap(q, sw2, s)
		fp.RequireFinite(t, "VarianceMap", err, v)
		v, err = meanfield.VanillaFixedPoint(sw2, s)
		fp.RequireFinite(t, "VanillaFixedPoint", err, v)
		v, err = meanfield.Mu(k%4, q)
		fp.RequireFinite(t, "Mu", err, v)
		v, err = meanfield.VanillaChi1(sw2, q)
		fp.RequireFinite(t, "VanillaChi1", err, v)
		for name, g := range map[string]func(float64) (float64, error){
			"VanillaCriticalSW2": meanfield.VanillaCriticalSW2, "VanillaCriticalWidth": meanfield.VanillaCriticalWidth,
			"VanillaCriticalDrive": meanfield.VanillaCriticalDrive,
		} {
			v, err = g(q)
			fp.RequireFinite(t, name, err, v)
		}
		v, err = meanfield.ErfProduct(q, sw2, s)
		fp.RequireFinite(t, "ErfProduct", err, v)
	})
}

// FuzzMinimal covers the minimalRNN's Q*, chi_1, chi_ab, xi and the cross map (the critical sw^2 is a root
// search over these: its seed case is in TestMinimalCritical).
func FuzzMinimal(f *testing.F) {
	for i, v := range special {
		f.Add(v, 1.0, 1.0, special[(i+4)%len(special)], 1.0)
	}
	f.Add(2.0, 3.0, 1.0, 0.0, 1.0)
	f.Add(50.0, 1.0, 1.0, 0.5, 1.0)    // 1 - E[u^2] below the rounding of 1
	f.Add(0.0, 1e150, 1.0, 0.0, 1e300) // chi_1 = E[u^2] + sw^2 E[u'^2] (Q* + R) overflows
	f.Fuzz(func(t *testing.T, mu, sw, sv, sb, r float64) {
		m := meanfield.Minimal{MuB: mu, SW: sw, SV: sv, SB: sb, R: r}
		v, err := m.QStar()
		fp.RequireFinite(t, "QStar", err, v)
		v, err = m.Chi1()
		fp.RequireFinite(t, "Chi1", err, v)
		v, err = m.Xi()
		fp.RequireFinite(t, "Xi", err, v)
		v, err = m.CrossMap(sb / 4)
		fp.RequireFinite(t, "CrossMap", err, v)
		v, err = m.QMap(r / 2)
		fp.RequireFinite(t, "QMap", err, v)
		Q, q, eu, eu2, eup2, err := m.Stationary()
		fp.RequireFinite(t, "Stationary", err, Q, q, eu, eu2, eup2)
		v, err = m.ChiAB()
		fp.RequireFinite(t, "ChiAB", err, v)
		v, err = m.CriticalSW2()
		fp.RequireFinite(t, "CriticalSW2", err, v)
	})
}
