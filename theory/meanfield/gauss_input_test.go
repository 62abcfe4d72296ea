package meanfield_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/meanfield"
)

// The inputs a probe found, and the boundaries of the checks that reject them: Expect and Expect2
// with a nil integrand panicked; Expect2 with variances whose product overflows (1e200 each)
// accepted any covariance (1e300 gave E[tanh(A) tanh(B)] = 1.0000000000000002, above its bound of
// 1); an integrand of size 1e308 overflowed the sum to an error although E[f] is finite.

// TestExpectNilIntegrand: a nil f is an error, not a panic, in both, including Expect2's swapped
// order (varA < varB) and variance 0 (where the rule would call f once).
func TestExpectNilIntegrand(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{0, 1} {
		if got, err := meanfield.Expect(nil, 0, v); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("Expect(nil, 0, %v) = %v, %v; want an error naming the nil integrand", v, got, err)
		}
	}
	for _, vv := range [][2]float64{{0, 0}, {1, 2}, {2, 1}} {
		if got, err := meanfield.Expect2(nil, 0, 0, vv[0], vv[1], 0); err == nil || !strings.Contains(err.Error(), "nil") {
			t.Errorf("Expect2(nil) at variances %v = %v, %v; want an error naming the nil integrand", vv, got, err)
		}
	}
}

// TestExpectNonFiniteIntegrand: an integrand that is NaN or infinite at one node is an error that
// names a node where it was, in the caller's argument order; one that is finite everywhere the
// rule looks (NaN beyond 13 sigma, outside the rule's span) is accepted.
func TestExpectNonFiniteIntegrand(t *testing.T) {
	t.Parallel()
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		f := func(x float64) float64 {
			if x > 5 {
				return bad
			}
			return math.Tanh(x)
		}
		_, err := meanfield.Expect(f, 0, 1)
		var v, x float64
		if err == nil {
			t.Fatalf("integrand %v beyond x = 5 accepted", bad)
		}
		if _, serr := fmt.Sscanf(err.Error(), "meanfield: the integrand is %g at x = %g", &v, &x); serr != nil || x <= 5 || x > 12 {
			t.Errorf("integrand %v: error %q does not name a node beyond 5 (x = %v, %v)", bad, err, x, serr)
		}
		if _, err := meanfield.Expect(func(float64) float64 { return bad }, 3, 0); err == nil {
			t.Errorf("variance 0, f(mean) = %v accepted", bad)
		}
	}
	far := func(x float64) float64 {
		if math.Abs(x) > 13 {
			return math.NaN()
		}
		return 1
	}
	if got, err := meanfield.Expect(far, 0, 1); err != nil || math.Abs(got-1) > 1e-14 {
		t.Errorf("NaN beyond 13 sigma only: %v, %v; want 1", got, err)
	}
	// The error names (a, b) in the caller's order whichever variable is integrated outside (the
	// wider): with one variance 0.01 (|x| <= 1.2 at the rule's nodes) and the other 100, a NaN where
	// the wide one exceeds 50 is reported with the narrow one below 1.2 and the wide one above 50.
	for _, wideA := range []bool{false, true} {
		vA, vB := 0.01, 100.0
		if wideA {
			vA, vB = vB, vA
		}
		h := func(a, b float64) float64 {
			w := b
			if wideA {
				w = a
			}
			if w > 50 {
				return math.NaN()
			}
			return 1
		}
		_, err := meanfield.Expect2(h, 0, 0, vA, vB, 0.5)
		var v, a, b float64
		if err == nil {
			t.Fatalf("variances %v, %v: NaN accepted", vA, vB)
		}
		if _, serr := fmt.Sscanf(err.Error(), "meanfield: the integrand is %g at (a, b) = (%g, %g)", &v, &a, &b); serr != nil {
			t.Fatalf("variances %v, %v: error %q (%v)", vA, vB, err, serr)
		}
		wide, narrow := b, a
		if wideA {
			wide, narrow = a, b
		}
		if !(wide > 50) || math.Abs(narrow) > 1.2 {
			t.Errorf("variances %v, %v: error %q names a = %v, b = %v", vA, vB, err, a, b)
		}
	}
	// Expect2 with varA < varB integrates B outside; the error still names (a, b) in the caller's
	// order: a NaN where a > 2 must be reported with a > 2.
	g := func(a, b float64) float64 {
		if a > 2 {
			return math.NaN()
		}
		return math.Tanh(b)
	}
	for _, vv := range [][2]float64{{1, 4}, {4, 1}} {
		_, err := meanfield.Expect2(g, 0, 0, vv[0], vv[1], 0.5)
		var v, a, b float64
		if err == nil {
			t.Fatalf("variances %v: NaN where a > 2 accepted", vv)
		}
		if _, serr := fmt.Sscanf(err.Error(), "meanfield: the integrand is %g at (a, b) = (%g, %g)", &v, &a, &b); serr != nil || a <= 2 {
			t.Errorf("variances %v: error %q names a = %v (%v), want a > 2", vv, err, a, serr)
		}
	}
}

// TestExpectOverflowRescaled: f = 1e308 sums past MaxFloat64 at the rule's first pass; the scaled
// pass gives 1e308 (to the rule's 1e-15). f = +-1e308 by sign of x (opposite infinities, NaN at the
// first pass) gives 0 to 1e-15 of 1e308. MaxFloat64 itself is E[f] to within the rule's rounding
// above it, so it is an error, not +Inf.
func TestExpectOverflowRescaled(t *testing.T) {
	t.Parallel()
	const big = 1e308
	for _, c := range []float64{big, -big} {
		if got, err := meanfield.Expect(func(float64) float64 { return c }, 0.5, 2); err != nil || math.Abs(got-c) > 1e-14*big {
			t.Errorf("E[%v] = %v, %v", c, got, err)
		}
	}
	sign := func(x float64) float64 { return math.Copysign(big, x) }
	if got, err := meanfield.Expect(sign, 0, 1); err != nil || math.Abs(got) > 1e-14*big {
		t.Errorf("E[1e308 sign(X)] = %v, %v; want 0", got, err)
	}
	if got, err := meanfield.Expect2(func(a, b float64) float64 { return big }, 0, 1, 1, 2, 0.3); err != nil || math.Abs(got-big) > 1e-14*big {
		t.Errorf("E2[1e308] = %v, %v", got, err)
	}
	if got, err := meanfield.Expect2(func(a, b float64) float64 { return math.Copysign(big, a) }, 0, 0, 2, 1, 0.3); err != nil || math.Abs(got) > 1e-14*big {
		t.Errorf("E2[1e308 sign(A)] = %v, %v; want 0", got, err)
	}
	got, err := meanfield.Expect(func(float64) float64 { return math.MaxFloat64 }, 0, 1)
	fp.RequireFinite(t, "E[MaxFloat64]", err, got)
	// Small integrands are untouched by the rescaling: E[X^2] = variance exactly as before.
	if got, err := meanfield.Expect(func(x float64) float64 { return x * x }, 0, 3); err != nil || math.Abs(got-3) > 1e-13 {
		t.Errorf("E[X^2] = %v, %v; want 3", got, err)
	}
}

// TestExpect2CovarianceBound: the bound is sqrt(varA) sqrt(varB) (1 + 1e-12) at any scale; at
// varA = varB = 1e200 (whose product overflows) the limit is accepted and clamped to perfect
// correlation (E[A B] = varA), one float beyond it and the probe's 1e300 are rejected. The same at
// unequal variances 1e250 and 1e150 (bound 1e200), and a small case, 4 and 9 (bound 6). Inside the
// bound at 1e200, the conditional variance of B given A is varB - (cov/varA) cov, whose cov^2
// would overflow: E[B^2] = varB at cov = varA / 2.
func TestExpect2CovarianceBound(t *testing.T) {
	t.Parallel()
	sq := func(a, b float64) float64 { return b * b }
	if got, err := meanfield.Expect2(sq, 0, 0, 1e200, 1e200, 0.5e200); err != nil || math.Abs(got-1e200) > 1e-12*1e200 {
		t.Errorf("E[B^2] at variances 1e200, cov 5e199: %v, %v; want 1e200", got, err)
	}
	for _, c := range []struct{ vA, vB, bound float64 }{{1e200, 1e200, 1e200}, {1e250, 1e150, 1e200}, {4, 9, 6}} {
		root := math.Sqrt(c.vA) * math.Sqrt(c.vB) // the bound as computed (1e200 to an ulp)
		if math.Abs(root-c.bound) > 1e-15*c.bound {
			t.Fatalf("%v: sqrt(varA) sqrt(varB) = %v", c, root)
		}
		lim := root * (1 + 1e-12)
		prod := func(a, b float64) float64 { return a * b }
		got, err := meanfield.Expect2(prod, 0, 0, c.vA, c.vB, lim)
		if err != nil || math.Abs(got-c.bound) > 1e-12*c.bound {
			t.Errorf("%v: cov at the limit %v: E[AB] = %v, %v; want %v", c, lim, got, err, c.bound)
		}
		if got, err := meanfield.Expect2(prod, 0, 0, c.vA, c.vB, -lim); err != nil || math.Abs(got+c.bound) > 1e-12*c.bound {
			t.Errorf("%v: cov at -limit: E[AB] = %v, %v; want %v", c, got, err, -c.bound)
		}
		for _, cov := range []float64{math.Nextafter(lim, math.Inf(1)), math.Nextafter(-lim, math.Inf(-1)), 1e300} {
			if got, err := meanfield.Expect2(prod, 0, 0, c.vA, c.vB, cov); err == nil {
				t.Errorf("%v: cov %v beyond the bound accepted: %v", c, cov, got)
			}
		}
	}
}

// FuzzExpectIntegrand covers Expect and Expect2 over integrands that are nil, constant (any
// float, NaN and infinities included), finite-then-NaN beyond a threshold, steps of +-c, and c
// tanh: an error or a finite value, never a panic; a nil integrand is always an error, and a finite
// constant c is integrated to c (1e-13 relative).
func FuzzExpectIntegrand(f *testing.F) {
	f.Add(uint8(0), 0.0, 1.0, 1.0, 0.5)              // nil
	f.Add(uint8(1), 0.5, 2.0, 1e308, 0.3)            // a constant that overflows the sum
	f.Add(uint8(1), 0.0, 1.0, math.NaN(), 0.0)       // NaN everywhere
	f.Add(uint8(2), 0.0, 1.0, 5.0, 0.9)              // NaN beyond 5
	f.Add(uint8(3), 0.0, 1e200, 1e308, 1e100)        // opposite overflows, huge variances
	f.Add(uint8(4), 1.0, 1e-300, math.Inf(1), 1.0)   // c tanh with c infinite
	f.Add(uint8(1), 0.0, 1e200, 1.0, 1e300)          // the probe's covariance beyond the bound
	f.Add(uint8(1), -3.0, 0.0, math.MaxFloat64, 0.0) // variance 0
	f.Fuzz(func(t *testing.T, kind uint8, mean, variance, c, cov float64) {
		var g func(float64) float64
		switch kind % 5 {
		case 1:
			g = func(float64) float64 { return c }
		case 2:
			g = func(x float64) float64 {
				if x > c {
					return math.NaN()
				}
				return math.Tanh(x)
			}
		case 3:
			g = func(x float64) float64 { return math.Copysign(c, x) }
		case 4:
			g = func(x float64) float64 { return c * math.Tanh(x) }
		}
		var g2 func(a, b float64) float64
		if g != nil {
			g2 = func(a, b float64) float64 { return g(a) + g(b) }
			if kind%5 == 1 {
				g2 = func(a, b float64) float64 { return c }
			}
		}
		v, err := meanfield.Expect(g, mean, variance)
		fp.RequireFinite(t, "Expect", err, v)
		w, err2 := meanfield.Expect2(g2, mean, -mean, variance, 2*variance, cov)
		fp.RequireFinite(t, "Expect2", err2, w)
		if g == nil && (err == nil || err2 == nil) {
			t.Fatalf("nil integrand accepted: %v, %v", err, err2)
		}
		if kind%5 == 1 && err == nil && math.Abs(v-c) > 1e-13*math.Abs(c) {
			t.Fatalf("E[%v] = %v", c, v)
		}
		if kind%5 == 1 && err2 == nil && math.Abs(w-c) > 1e-13*math.Abs(c) {
			t.Fatalf("E2[%v] = %v", c, w)
		}
	})
}
