package kernel_test

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/theory/kernel"
)

// The fuzz targets below call every exported function of the package on arbitrary arguments and
// assert the package's contract: no panic (a panic fails the run by itself), and either an error
// or a finite result. Their seed corpora (f.Add) run in every plain go test.

// special is the seed values every float argument is tried with: valid ones, the domain's edges,
// NaN, the infinities, zero, negatives, huge and tiny magnitudes.
var special = []float64{0.5, 0, 1, -1, math.Pi, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, -1e200, 1e308, 1e-300, 5e-324, -0.25}

// FuzzKappa covers Kappa, TwoSlope, DepthStep, DepthConstant and PreservingSecondMoment.
func FuzzKappa(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+3)%len(special)], special[(i+5)%len(special)], special[(i+7)%len(special)])
	}
	f.Add(1.0, 0.2, -1.0, 1.0)
	f.Add(math.Pi, 0.0, 1e308, -1e308)
	f.Add(1e-300, 1.0, 1e200, 1e200)
	f.Add(2.0, 0.9999999999999999, 1e-300, 1e300)
	f.Fuzz(func(t *testing.T, theta, a, alpha, beta float64) {
		v, err := kernel.Kappa(theta, a)
		fp.RequireFinite(t, "Kappa", err, v)
		v, err = kernel.TwoSlope(theta, alpha, beta)
		fp.RequireFinite(t, "TwoSlope", err, v)
		v, err = kernel.DepthStep(theta, a)
		fp.RequireFinite(t, "DepthStep", err, v)
		if err == nil && !(v >= 0 && v <= math.Pi) {
			t.Fatalf("DepthStep(%v, %v) = %v outside [0, pi]", theta, a, v)
		}
		v, err = kernel.DepthConstant(a)
		fp.RequireFinite(t, "DepthConstant", err, v)
		v, err = kernel.PreservingSecondMoment(a)
		fp.RequireFinite(t, "PreservingSecondMoment", err, v)
	})
}

// FuzzDepth covers DepthAngle and DepthCos (the depth is reduced modulo 500 so a run stays fast;
// negative depths are kept).
func FuzzDepth(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+2)%len(special)], i*37-100)
	}
	f.Add(math.Pi/2, 0.0, 100)
	f.Add(math.Pi, 1.0, 499)
	f.Add(1e-300, 0.5, 3)
	f.Add(1.0, 0.3, math.MaxInt)
	f.Add(1.0, 0.3, math.MinInt)
	f.Fuzz(func(t *testing.T, theta, a float64, l int) {
		if l > 0 {
			l %= 500
		}
		v, err := kernel.DepthAngle(theta, a, l)
		fp.RequireFinite(t, "DepthAngle", err, v)
		c, err := kernel.DepthCos(theta, a, l)
		fp.RequireFinite(t, "DepthCos", err, c)
	})
}

// FuzzKernel covers Angle and Kernel on inputs of length nx and ny (each reduced to 0..3, so
// mismatched and empty inputs occur), built from the fuzzed coordinates.
func FuzzKernel(f *testing.F) {
	for i, v := range special {
		w := special[(i+4)%len(special)]
		f.Add(v, w, 1.0, -w, v, 2.0, 1.0, 0.5, 2, 2)
	}
	f.Add(1e200, 1e200, 1e200, 1e200, 1e200, 1e200, 2.0, 0.0, 3, 3) // k = 2/3 * 3e400: overflows
	f.Add(1e200, 0.0, 0.0, 1e-200, 0.0, 0.0, 1.0, 1.0, 3, 3)        // k ~ 1: representable
	f.Add(1e308, -1e308, 1e308, 1e308, 1e308, -1e308, 1e308, 0.3, 3, 3)
	f.Add(1e-300, 5e-324, 0.0, -1e-300, 1e-310, 0.0, 1.0, 0.0, 3, 3)
	f.Add(1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 0.5, 3, 2)
	f.Add(0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 1.0, 0.5, 3, 3)
	f.Add(1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 0.5, 0, 0)
	f.Fuzz(func(t *testing.T, x0, x1, x2, y0, y1, y2, m2, a float64, nx, ny int) {
		x := []float64{x0, x1, x2}[:clamp(nx, 0, 3)]
		y := []float64{y0, y1, y2}[:clamp(ny, 0, 3)]
		v, err := kernel.Angle(x, y)
		fp.RequireFinite(t, "Angle", err, v)
		if err == nil && !(v >= 0 && v <= math.Pi) {
			t.Fatalf("Angle(%v, %v) = %v outside [0, pi]", x, y, v)
		}
		v, err = kernel.Kernel(x, y, m2, a)
		fp.RequireFinite(t, "Kernel", err, v)
	})
}

// FuzzGrowthSecondMoment covers GrowthSecondMoment (no loops: the sizes are passed unreduced).
func FuzzGrowthSecondMoment(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+1)%len(special)]+1, i-3, 10*i-20)
	}
	f.Add(0.5, 1.5, 10, 100)
	f.Add(0.0, 1e308, 1, 1)
	f.Add(1.0, 1.0, math.MaxInt, math.MaxInt)
	f.Add(1.0, 1.0, math.MaxInt-1, 1)
	f.Add(0.2, 3.0, math.MinInt, 5)
	f.Fuzz(func(t *testing.T, a, kr float64, d, n int) {
		v, err := kernel.GrowthSecondMoment(a, kr, d, n)
		fp.RequireFinite(t, "GrowthSecondMoment", err, v)
		if err == nil && !(v >= 0) {
			t.Fatalf("GrowthSecondMoment(%v, %v, %d, %d) = %v < 0", a, kr, d, n, v)
		}
	})
}

// clamp returns v reduced into [lo, hi] (by absolute value modulo the range size).
func clamp(v, lo, hi int) int {
	span := hi - lo + 1
	r := v % span
	if r < 0 {
		r += span
	}
	return lo + r
}

// TestHugeInputs: inputs of size 1e200 give the exact kernel when it is representable, and an
// error (never +Inf) when it is not.
func TestHugeInputs(t *testing.T) {
	k, err := kernel.Kernel([]float64{1e200, 0, 0}, []float64{1e-200, 0, 0}, 3, 1)
	if err != nil || math.Abs(k-1) > 1e-15 {
		t.Fatalf("Kernel(1e200 e1, 1e-200 e1) = %v, %v; want 1", k, err)
	}
	if k, err := kernel.Kernel([]float64{1e200}, []float64{-1e200}, 1, 0); err != nil || k != 0 {
		t.Fatalf("ReLU kernel at opposite 1e200 inputs = %v, %v; want 0 (kappa_0(pi) = 0)", k, err)
	}
	if k, err := kernel.Kernel([]float64{1e200}, []float64{1e200}, 1, 0); err == nil {
		t.Fatalf("Kernel(1e200, 1e200) = %v with a nil error; the value 5e399 overflows", k)
	}
	// At theta = pi the value is -alpha beta = -1, though (beta - alpha)^2 = 1e400 overflows
	// (it used to be NaN with a nil error: Inf * 0).
	if v, err := kernel.TwoSlope(math.Pi, 1e200, 1e-200); err != nil || math.Abs(v+1) > 1e-15 {
		t.Fatalf("TwoSlope(pi, 1e200, 1e-200) = %v, %v; want -1", v, err)
	}
	if v, err := kernel.TwoSlope(1, 1e308, -1e308); err == nil {
		t.Fatalf("TwoSlope with slopes +-1e308 = %v with a nil error", v)
	}
	// |x| = sqrt(3) 1.7e308 overflows float64, but the angle does not need it (it used to be 0).
	if th, err := kernel.Angle([]float64{1.7e308, 1.7e308, 1.7e308}, []float64{1.7e308, -1.7e308, 0}); err != nil || math.Abs(th-math.Pi/2) > 1e-15 {
		t.Fatalf("Angle of orthogonal 1.7e308 inputs = %v, %v; want pi/2", th, err)
	}
	if g, err := kernel.GrowthSecondMoment(0, 1, math.MaxInt-1, 1); err != nil || !(g > 0) {
		t.Fatalf("GrowthSecondMoment at d = MaxInt-1: %v, %v", g, err)
	}
}
