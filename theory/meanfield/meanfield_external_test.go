package meanfield_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/theory/meanfield"
	"pgregory.net/rapid"
)

// TestExpectErfOracle (MF-8): the quadrature reproduces E[erf(A) erf(B)] in closed form to 1e-10,
// one- and two-dimensional, over variances from 1e-4 to 1e4 and every correlation.
func TestExpectErfOracle(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		s11 := math.Pow(10, rapid.Float64Range(-4, 4).Draw(t, "log10 s11"))
		s22 := math.Pow(10, rapid.Float64Range(-4, 4).Draw(t, "log10 s22"))
		rho := rapid.Float64Range(-1, 1).Draw(t, "rho")
		s12 := rho * math.Sqrt(s11*s22)
		want, err := meanfield.ErfProduct(s11, s22, s12)
		if err != nil {
			t.Fatal(err)
		}
		// The product at a correlation, in one dimension: E[erf(A) erf(c A)], |c| <= 1, with A the
		// wider of the two (Expect resolves integrands that change on a scale of 1 in x, not 1/c).
		wide, c := math.Max(s11, s22), rho*math.Sqrt(math.Min(s11, s22)/math.Max(s11, s22))
		lin, err := meanfield.Expect(func(a float64) float64 { return math.Erf(a) * math.Erf(c*a) }, 0, wide)
		if w, _ := meanfield.ErfProduct(wide, c*c*wide, c*wide); err != nil || math.Abs(lin-w) > 1e-10 {
			t.Fatalf("E[erf(A) erf(%.3g A)] = %.16g (%v), closed form %.16g", c, lin, err, w)
		}
		if rapid.IntRange(0, 3).Draw(t, "two-dimensional") == 0 { // a quarter of the draws: 2-D costs 40x 1-D
			got, err := meanfield.Expect2(func(a, b float64) float64 { return math.Erf(a) * math.Erf(b) }, 0, 0, s11, s22, s12)
			if err != nil || math.Abs(got-want) > 1e-10 {
				t.Fatalf("E[erf erf] = %.16g (%v), closed form %.16g (diff %.3g)", got, err, want, got-want)
			}
		}
		one, err := meanfield.Expect(func(a float64) float64 { return math.Erf(a) * math.Erf(a) }, 0, s11)
		diag, _ := meanfield.ErfProduct(s11, s11, s11)
		if err != nil || math.Abs(one-diag) > 1e-10 {
			t.Fatalf("E[erf^2] = %.16g (%v), closed form %.16g", one, err, diag)
		}
	})
}

// TestExpectControl: the oracle's check fails a wrong closed form (the 2 in the denominators
// dropped), so 1e-10 is not a vacuous tolerance.
func TestExpectControl(t *testing.T) {
	t.Parallel()
	got, err := meanfield.Expect2(func(a, b float64) float64 { return math.Erf(a) * math.Erf(b) }, 0, 0, 1, 2, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	wrong := 2 / math.Pi * math.Asin(2*0.8/math.Sqrt((1+1)*(1+2)))
	if math.Abs(got-wrong) < 1e-3 {
		t.Fatalf("the wrong closed form %.6g is within 1e-3 of the quadrature %.6g", wrong, got)
	}
}

// TestVanillaFixedPoint: q* is a fixed point of the map to 1e-13 and the map contracts there
// (chi of the variance map below 1 is not needed; the fixed point's residual is the check).
func TestVanillaFixedPoint(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sw2 := rapid.Float64Range(0, 4).Draw(t, "sw2")
		s := rapid.Float64Range(0, 1).Draw(t, "s")
		q, err := meanfield.VanillaFixedPoint(sw2, s)
		if err != nil {
			t.Fatal(err)
		}
		m, err := meanfield.VarianceMap(q, sw2, s)
		if err != nil || math.Abs(m-q) > 1e-13*math.Max(q, 1e-300)+1e-300 {
			t.Fatalf("q* = %.16g, map(q*) = %.16g (%v)", q, m, err)
		}
	})
}

// TestMinimalIdentity (MF-3): Q* + R = 2R (1 - E[u]) / (1 - E[u^2]) to 1e-12, and Q* is the
// self-consistent fixed point, over the catalogue's ranges.
func TestMinimalIdentity(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := meanfield.Minimal{MuB: rapid.Float64Range(-4, 4).Draw(t, "mu_b"), SW: rapid.Float64Range(0, 3).Draw(t, "sw"),
			SV: rapid.Float64Range(0, 2).Draw(t, "sv"), SB: rapid.Float64Range(0, 1).Draw(t, "sb"), R: rapid.Float64Range(0.1, 4).Draw(t, "R")}
		Q, q, eu, eu2, _, err := m.Stationary()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Q+m.R, 2*m.R*(1-eu)/(1-eu2); math.Abs(got-want) > 1e-12*want {
			t.Fatalf("Q* + R = %.16g, identity %.16g (q* %v)", got, want, q)
		}
	})
}

// TestMinimalCritical (MF-7): the critical sw^2 gives chi_1 = 1 to 1e-10, across mu_b = 0..4.
func TestMinimalCritical(t *testing.T) {
	t.Parallel()
	for _, mu := range []float64{0, 1, 2, 3, 4} {
		m := meanfield.Minimal{MuB: mu, SV: 1, SB: 0, R: 1}
		sw2, err := m.CriticalSW2()
		if err != nil {
			t.Fatal(err)
		}
		m.SW = math.Sqrt(sw2)
		chi, err := m.Chi1()
		if err != nil || math.Abs(chi-1) > 1e-10 {
			t.Errorf("mu_b = %v: sw^2 = %v gives chi_1 = %.15g (%v)", mu, sw2, chi, err)
		}
		t.Logf("mu_b = %v: critical sw^2 = %.10g", mu, sw2)
	}
}

// TestMinimalXiGrows (MF-5): the timescale of two copies with independent inputs grows with mu_b.
func TestMinimalXiGrows(t *testing.T) {
	t.Parallel()
	prev := 0.0
	for _, mu := range []float64{-2, 0, 2, 4, 6} {
		xi, err := meanfield.Minimal{MuB: mu, SW: 1, SV: 1, SB: 0.5, R: 1}.Xi()
		if err != nil || !(xi > prev) {
			t.Fatalf("mu_b = %v: xi = %v (previous %v), %v", mu, xi, prev, err)
		}
		prev = xi
	}
}

// TestCriticalDrive (MF-7): the drive's series and its quadrature agree where both hold
// (q* in [0.005, 0.02]: the series to O(q*^11), the quadrature to eps / q*^2), the drive starts
// as (4/3) q*^3 (the next term is about -6 q*), and it increases with q*.
func TestCriticalDrive(t *testing.T) {
	t.Parallel()
	for _, q := range []float64{1e-6, 1e-4, 1e-3} {
		d, err := meanfield.VanillaCriticalDrive(q)
		if err != nil || math.Abs(d/(4.0/3*q*q*q)-1) > 10*q {
			t.Errorf("q* = %v: drive %.6g, (4/3) q*^3 = %.6g (%v)", q, d, 4.0/3*q*q*q, err)
		}
	}
	prev := 0.0
	for _, q := range []float64{0.001, 0.005, 0.01, 0.02, 0.1, 1} {
		d, err := meanfield.VanillaCriticalDrive(q)
		if err != nil || !(d > prev) {
			t.Errorf("q* = %v: drive %v not above %v (%v)", q, d, prev, err)
		}
		prev = d
	}
}

// TestQMapFixedPoint: Q* is a fixed point of the one-step recursion.
func TestQMapFixedPoint(t *testing.T) {
	t.Parallel()
	m := meanfield.Minimal{MuB: 2, SW: 3, SV: 1, SB: 0, R: 1}
	q, err := m.QStar()
	if err != nil {
		t.Fatal(err)
	}
	next, err := m.QMap(q)
	if err != nil || math.Abs(next-q) > 1e-13*q {
		t.Fatalf("QMap(Q*) = %v, Q* = %v (%v)", next, q, err)
	}
	if _, err := m.QMap(-1); err == nil {
		t.Error("Q = -1: no error")
	}
}
