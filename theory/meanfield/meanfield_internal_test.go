package meanfield

import (
	"math"
	"testing"
)

// TestDriveSeriesMatchesQuadrature: around the switch (q* = 0.001 .. 0.004) the exact-rational
// series and the combined-integrand quadrature agree to 1e-9 relative (the quadrature keeps about
// eps / q*^2 of it, the series its truncation).
func TestDriveSeriesMatchesQuadrature(t *testing.T) {
	t.Parallel()
	for _, q := range []float64{0.001, 0.002, 0.003, 0.004} {
		sw2, err := VanillaCriticalSW2(q)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Expect(func(x float64) float64 { s := sech2(x); return q*s*s - tanh2(x) }, 0, q)
		if err != nil {
			t.Fatal(err)
		}
		quad, series := e*sw2, driveSeries(q)
		if math.Abs(series/quad-1) > 1e-9 {
			t.Errorf("q* = %v: series %.16g, quadrature %.16g (rel %.2g)", q, series, quad, series/quad-1)
		}
	}
	if c := driveCoeffs; c[0] != 0 || c[1] != 0 || c[2] != 0 || math.Abs(c[3]-4.0/3) > 1e-15 {
		t.Errorf("series coefficients %v: want 0, 0, 0, 4/3, ...", c[:4])
	}
}

// TestTwoMethods: the knot-aware partition and a uniform one agree to 1e-13 for the package's
// integrands at variances 1e-3 .. 100, beyond the reference grid's (q* up to 3.5, gate variances
// up to 10.25); the catalogue asks for a second method. The uniform partition does not know where
// the integrand changes and fails at 1e4 (sech^4 off by 1e-6): the knots are what hold there.
func TestTwoMethods(t *testing.T) {
	t.Parallel()
	fs := map[string]func(float64) float64{
		"tanh^2": tanh2, "sech^4": func(x float64) float64 { s := sech2(x); return s * s },
		"sigmoid^2": func(x float64) float64 { u := sigmoid(x); return u * u },
	}
	for name, f := range fs {
		for _, mean := range []float64{0, -2, 2, 4} {
			for _, v := range []float64{1e-3, 0.1, 1, 10, 100} {
				a, b := expect(f, mean, v, breakpoints), expect(f, mean, v, uniformPieces)
				if math.Abs(a-b) > 1e-13*math.Max(1, math.Abs(a)) {
					t.Errorf("%s mean %v variance %v: %.16g vs %.16g", name, mean, v, a, b)
				}
			}
		}
	}
}
