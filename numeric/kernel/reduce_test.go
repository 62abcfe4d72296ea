package kernel_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/weights"
)

// z65 is the suite's budgeted two-sided z (false alarm 1e-10 per comparison), so these fixed-seed
// tests cannot flake.
const z65 = 6.467

// TestReductionsUnbiased compares every reduction with the exact Rademacher kernel (enumeration,
// an independent reference) on inputs at several angles and slopes, and checks that each reduction
// lowers the standard error: the three estimators share only their mean.
func TestReductionsUnbiased(t *testing.T) {
	law := weights.Rademacher{Scale: 1}
	inputs := [][2][]float64{
		{{1, 0.5, -0.3, 0.8, 0.1}, {0.9, 0.6, -0.1, 0.7, 0.3}},  // acute
		{{1, 0.5, -0.3, 0.8, 0.1}, {-0.2, 0.9, 0.4, -0.1, 0.5}}, // near pi/2
		{{1, 0.5, -0.3, 0.8, 0.1}, {-0.9, 0.1, 0.5, -0.6, 0.2}}, // obtuse
	}
	for _, in := range inputs {
		for _, a := range []float64{0, 0.3} {
			exact, err := kernel.RademacherExact(a, in[0], in[1])
			if err != nil {
				t.Fatal(err)
			}
			var se [3]float64
			for _, r := range []kernel.Reduction{kernel.Plain, kernel.Antithetic, kernel.Regression} {
				est, err := kernel.KernelEstimate(law, a, in[0], in[1], 100000, 7, r)
				if err != nil {
					t.Fatal(err)
				}
				// The regression can be exact up to rounding (at the acute pair every sign vector
				// gives u and v one sign, so |u||v| = u v): allow 1e-13 of the scale.
				roundoff := 1e-13 * math.Sqrt(dot(in[0], in[0])*dot(in[1], in[1]))
				if z := (math.Abs(est.Mean-exact) - roundoff) / est.SE; !(z <= z65) {
					t.Errorf("%s a=%g %v: estimate %.6g +- %.2g, exact %.6g (z = %.2f)", r, a, in, est.Mean, est.SE, exact, z)
				}
				se[r] = est.SE
			}
			if !(se[kernel.Regression] < se[kernel.Plain]/1.5) {
				t.Errorf("a=%g %v: regression SE %.3g is not well below the plain %.3g", a, in, se[kernel.Regression], se[kernel.Plain])
			}
		}
	}
}

// TestRegressionGain measures the variance reduction for Gaussian weights at a = 0 (the figures
// quoted on Regression): per-sample relative SD at theta = pi/4 and pi/2.
func TestRegressionGain(t *testing.T) {
	const n = 200000
	for _, c := range []struct{ theta, plain, reg float64 }{{math.Pi / 4, 2.44, 0.16}, {math.Pi / 2, 3.0, 0.69}} {
		x, y := []float64{1, 0, 0}, []float64{math.Cos(c.theta), math.Sin(c.theta), 0}
		p, err1 := kernel.KernelEstimate(weights.Gaussian{Scale: 1}, 0, x, y, n, 3, kernel.Plain)
		r, err2 := kernel.KernelEstimate(weights.Gaussian{Scale: 1}, 0, x, y, n, 3, kernel.Regression)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		relP, relR := p.SE*math.Sqrt(n)/p.Mean, r.SE*math.Sqrt(n)/r.Mean
		t.Logf("theta = %.3f: per-sample relative SD %.3f plain, %.3f regression", c.theta, relP, relR)
		if math.Abs(relP/c.plain-1) > 0.1 || math.Abs(relR/c.reg-1) > 0.2 {
			t.Errorf("theta = %.3f: relative SD %.3f plain (want %.2f), %.3f regression (want %.2f)", c.theta, relP, c.plain, relR, c.reg)
		}
	}
}

// TestReductionExactCases: at a = 1 the kernel is the linear s x.y, which Antithetic returns
// exactly and Regression to rounding; y = 0 gives exactly 0.
func TestReductionExactCases(t *testing.T) {
	law := weights.Sphere{Radius: 2}
	x, y := []float64{1, 2, -1}, []float64{0.5, -1, 3}
	want := 4.0 / 3 * (0.5 - 2 - 3)
	for _, r := range []kernel.Reduction{kernel.Antithetic, kernel.Regression} {
		est, err := kernel.KernelEstimate(law, 1, x, y, 1000, 1, r)
		if err != nil || math.Abs(est.Mean-want) > 1e-14*math.Abs(want) || est.SE > 1e-14 {
			t.Errorf("%s at a = 1: %v +- %v (%v), want %v exactly", r, est.Mean, est.SE, err, want)
		}
		zero, err := kernel.KernelEstimate(law, 0.3, x, []float64{0, 0, 0}, 1000, 1, r)
		if err != nil || zero.Mean != 0 || zero.SE != 0 {
			t.Errorf("%s at y = 0: %v +- %v (%v), want exactly 0", r, zero.Mean, zero.SE, err)
		}
	}
}

// TestReductionErrors: the antithetic pair needs a symmetric law; unknown reductions are refused.
func TestReductionErrors(t *testing.T) {
	x := []float64{1, 2}
	if _, err := kernel.KernelEstimate(weights.CentredExp{Scale: 1}, 0, x, x, 100, 1, kernel.Antithetic); err == nil {
		t.Error("Antithetic with a skewed law: no error")
	}
	for _, r := range []kernel.Reduction{-1, 3} {
		if _, err := kernel.KernelEstimate(weights.Gaussian{Scale: 1}, 0, x, x, 100, 1, r); err == nil {
			t.Errorf("reduction %d: no error", int(r))
		}
	}
	if est, err := kernel.KernelEstimate(weights.CentredExp{Scale: 1}, 0.2, x, []float64{2, -1}, 50000, 1, kernel.Regression); err != nil || est.SE == 0 {
		t.Errorf("Regression with a skewed law (controls only): %v, %v", est, err)
	}
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// TestProjectionMean: the mean of g(u, v) = u v is s x.y (a z-test at the budget's z); bad input
// and a panicking g are errors that say so.
func TestProjectionMean(t *testing.T) {
	law := weights.Gaussian{Scale: 1}
	x, y := []float64{1, 2, 0}, []float64{0.5, -1, 2}
	est, err := kernel.ProjectionMean(law, x, y, 100000, 3, func(u, v float64) float64 { return u * v })
	if err != nil || math.Abs(est.Mean-(-1.5))/est.SE > z65 {
		t.Errorf("E[u v] = %v +- %v (%v), want -1.5", est.Mean, est.SE, err)
	}
	g := func(u, v float64) float64 { return u }
	for name, err := range map[string]error{
		"nil g":     second(kernel.ProjectionMean(law, x, y, 100, 1, nil)),
		"nil law":   second(kernel.ProjectionMean(nil, x, y, 100, 1, g)),
		"lengths":   second(kernel.ProjectionMean(law, x, y[:2], 100, 1, g)),
		"n = 1":     second(kernel.ProjectionMean(law, x, y, 1, 1, g)),
		"NaN g":     second(kernel.ProjectionMean(law, x, y, 100, 1, func(u, v float64) float64 { return math.NaN() })),
		"panicking": second(kernel.ProjectionMean(law, x, y, 100, 1, func(u, v float64) float64 { panic("boom") })),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := kernel.ProjectionMean(law, x, y, 100, 1, func(u, v float64) float64 { panic("boom") }); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("a panicking g: %v, want an error saying so", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestPilotSize: n/16, clamped to [4096, 2^20].
func TestPilotSize(t *testing.T) {
	for n, want := range map[int]int{2: 4096, 65536: 4096, 1 << 20: 1 << 16, 1 << 30: 1 << 20} {
		if got := kernel.PilotSize(n); got != want {
			t.Errorf("PilotSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestRegressionParallel: for parallel inputs the controls are collinear and the fallback keeps
// one of them; the antithetic pair is then (alpha^2 + beta^2) u^2, which that control removes
// exactly: the standard error is rounding.
func TestRegressionParallel(t *testing.T) {
	x := []float64{1, -2, 0.5}
	y := []float64{2, -4, 1}
	est, err := kernel.KernelEstimate(weights.Sphere{Radius: 1.5}, 0.3, x, y, 20000, 5, kernel.Regression)
	want := 1.5 * 1.5 / 3 * 2 * 5.25 * (1 + 0.09) / 2 // s2 |x||y| (1 + a^2)/2
	if err != nil || est.SE > 1e-12*want || math.Abs(est.Mean-want) > 1e-12*want {
		t.Errorf("parallel inputs: %v +- %v (%v), want %v exactly", est.Mean, est.SE, err, want)
	}
}
