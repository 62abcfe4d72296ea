package meanfield_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/theory/meanfield"
)

// TestLargeGateMean: with the gate nearly always open (mu_b = 20 .. 80, 1 - E[u^2] below 1e-8),
// Q* stays the fixed point of QMap (to 1e-9 relative: 1 - E[u^2] is computed directly, not by
// cancellation), chi_1 never exceeds 1 by rounding, and the critical sw^2 is a value or an error.
func TestLargeGateMean(t *testing.T) {
	t.Parallel()
	for _, mu := range []float64{20, 40, 80} {
		m := meanfield.Minimal{MuB: mu, SW: 1, SV: 1, SB: 0.5, R: 1}
		q, err := m.QStar()
		if err != nil || !(q > 0) {
			t.Fatalf("mu_b = %v: Q* = %v (%v)", mu, q, err)
		}
		next, err := m.QMap(q)
		if err != nil || math.Abs(next-q) > 1e-9*q {
			t.Errorf("mu_b = %v: QMap(Q*) = %v, Q* = %v (%v)", mu, next, q, err)
		}
		if c, err := m.Chi1(); err != nil || c > 1 {
			t.Errorf("mu_b = %v: chi_1 = %v (%v)", mu, c, err)
		}
		if v, err := (meanfield.Minimal{MuB: mu, SV: 1, R: 1}).CriticalSW2(); err == nil && !(v > 0) {
			t.Errorf("mu_b = %v: critical sw^2 = %v without an error", mu, v)
		}
	}
	if v, err := meanfield.ErfProduct(1e308, 1e308, 1e308); err != nil || v != 1 {
		t.Errorf("ErfProduct at variances 1e308, rho = 1: %v (%v), want 1", v, err)
	}
}
