package kernel_test

import (
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"sort"
	"testing"

	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/integrate/quad"
	"pgregory.net/rapid"
)

// leaky is f_a, written again here so the tests depend on no other package of the suite.
func leaky(u, a float64) float64 {
	if u > 0 {
		return u
	}
	return a * u
}

// circleMean returns (1/2pi) int_0^{2pi} g(p) dp by Gauss-Legendre on 16 pieces per interval
// between the kinks (angles where g is not smooth): an independent computation of angular
// expectations, accurate to rounding for these piecewise-trigonometric integrands.
func circleMean(g func(p float64) float64, kinks ...float64) float64 {
	cuts := []float64{0, 2 * math.Pi}
	for _, k := range kinks {
		cuts = append(cuts, math.Mod(math.Mod(k, 2*math.Pi)+2*math.Pi, 2*math.Pi))
	}
	sort.Float64s(cuts)
	var s float64
	for i := 1; i < len(cuts); i++ {
		for j := range 16 {
			lo := cuts[i-1] + (cuts[i]-cuts[i-1])*float64(j)/16
			hi := cuts[i-1] + (cuts[i]-cuts[i-1])*float64(j+1)/16
			s += quad.Fixed(g, lo, hi, 20, quad.Legendre{}, 0)
		}
	}
	return s / (2 * math.Pi)
}

// kinksOf returns where f(cos p) f(cos(p - theta)) has kinks.
func kinksOf(theta float64) []float64 {
	return []float64{math.Pi / 2, 3 * math.Pi / 2, theta + math.Pi/2, theta + 3*math.Pi/2}
}

// fataler is what near needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func near(t fataler, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))) {
		t.Fatalf("%s: got %.17g, want %.17g (tolerance %g)", what, got, want, tol)
	}
}

func TestKappaSpecialValues(t *testing.T) {
	cases := []struct {
		theta, a, want float64
	}{
		{0, 0, 0.5},
		{math.Pi / 2, 0, 1 / (2 * math.Pi)},
		{math.Pi, 0, 0},
		{0, 0.3, (1 + 0.09) / 2},
		{math.Pi, 0.3, -0.3},
		{1.1, 1, math.Cos(1.1)},
		{math.Pi / 3, 0, (math.Sin(math.Pi/3) + 2*math.Pi/3*0.5) / (2 * math.Pi)},
	}
	for _, c := range cases {
		got, err := kernel.Kappa(c.theta, c.a)
		if err != nil {
			t.Fatal(err)
		}
		near(t, fmt.Sprintf("kappa_%v(%v)", c.a, c.theta), got, c.want, 1e-15)
	}
}

// TestKappaQuadrature checks kappa_a(theta) = E over a uniform direction in the plane of
// 2 f(cos p) f(cos(p - theta)) (the one-layer kernel of unit inputs with E|w|^2 = 2).
func TestKappaQuadrature(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta := rapid.Float64Range(0, math.Pi).Draw(t, "theta")
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		got, err := kernel.Kappa(theta, a)
		if err != nil {
			t.Fatal(err)
		}
		want := 2 * circleMean(func(p float64) float64 { return leaky(math.Cos(p), a) * leaky(math.Cos(p-theta), a) }, kinksOf(theta)...)
		if math.Abs(got-want) > 1e-13 {
			t.Fatalf("kappa_%v(%v) = %.15g, quadrature %.15g", a, theta, got, want)
		}
	})
}

func TestTwoSlope(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta := rapid.Float64Range(0, math.Pi).Draw(t, "theta")
		alpha := rapid.Float64Range(-2, 2).Draw(t, "alpha")
		beta := rapid.Float64Range(-2, 2).Draw(t, "beta")
		got, err := kernel.TwoSlope(theta, alpha, beta)
		if err != nil {
			t.Fatal(err)
		}
		f := func(u float64) float64 { return alpha*math.Min(u, 0) + beta*math.Max(u, 0) }
		want := 2 * circleMean(func(p float64) float64 { return f(math.Cos(p)) * f(math.Cos(p-theta)) }, kinksOf(theta)...)
		if math.Abs(got-want) > 1e-13*(1+alpha*alpha+beta*beta) {
			t.Fatalf("two-slope(%v, %v, %v) = %.15g, quadrature %.15g", theta, alpha, beta, got, want)
		}
		if alpha >= 0 && alpha <= 1 {
			k := fp.Must(kernel.Kappa(theta, alpha))
			near(t, "two-slope with beta=1 is kappa", mustTwo(theta, alpha, 1), k, 1e-14)
		}
	})
}

func mustTwo(theta, alpha, beta float64) float64 {
	v, err := kernel.TwoSlope(theta, alpha, beta)
	if err != nil {
		panic(err)
	}
	return v
}

func TestAngleIsStable(t *testing.T) {
	for _, eps := range []float64{1e-3, 1e-8, 1e-12} {
		th, err := kernel.Angle([]float64{1, 0}, []float64{1, eps})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "nearly parallel angle", th, math.Atan(eps), 1e-15)
		th, _ = kernel.Angle([]float64{2, 0}, []float64{-3, 3 * eps})
		near(t, "nearly antiparallel angle", th, math.Pi-math.Atan(eps), 1e-15)
	}
	th, _ := kernel.Angle([]float64{1, 2, 3}, []float64{1, 2, 3})
	if th != 0 {
		t.Fatalf("angle of a vector with itself = %v, want 0", th)
	}
	th, _ = kernel.Angle([]float64{1e-300, 0}, []float64{0, 1e300})
	near(t, "angle without under/overflow", th, math.Pi/2, 1e-15)
}

func TestKernelClosedForm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 8).Draw(t, "d")
		x := rapid.SliceOfN(rapid.Float64Range(-5, 5), d, d).Draw(t, "x")
		y := rapid.SliceOfN(rapid.Float64Range(-5, 5), d, d).Draw(t, "y")
		m2 := rapid.Float64Range(0, 10).Draw(t, "m2")
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		got, err := kernel.Kernel(x, y, m2, a)
		if err != nil {
			t.Fatal(err)
		}
		nx, ny, xy := floats.Norm(x, 2), floats.Norm(y, 2), floats.Dot(x, y)
		if nx == 0 || ny == 0 {
			if got != 0 {
				t.Fatalf("kernel with a zero vector = %v, want 0", got)
			}
			return
		}
		th := math.Acos(math.Max(-1, math.Min(1, xy/nx/ny)))
		k := fp.Must(kernel.Kappa(th, a))
		want := m2 / float64(d) * nx * ny * k
		// arccos of a rounded cosine: ~1e-8 relative; plus an absolute 1e-300 for inputs whose dot
		// product x.y is subnormal, where the reference's cosine loses all accuracy.
		if math.Abs(got-want) > 1e-7*m2/float64(d)*nx*ny+1e-300 {
			t.Fatalf("k = %.15g, want %.15g", got, want)
		}
		diag, _ := kernel.Kernel(x, x, m2, a)
		near(t, "diagonal s2|x|^2(1+a^2)/2", diag, m2/float64(d)*nx*nx*(1+a*a)/2, 1e-13)
	})
}

func TestPreservingSecondMoment(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		m2, err := kernel.PreservingSecondMoment(a)
		if err != nil {
			t.Fatal(err)
		}
		x := rapid.SliceOfN(rapid.Float64Range(-3, 3), 4, 4).Draw(t, "x")
		k, _ := kernel.Kernel(x, x, m2, a)
		var q float64
		for _, v := range x {
			q += v * v / 4
		}
		near(t, "mean squared activation preserved", k, q, 1e-14)
	})
}

// TestGrowthSecondMoment checks M = E f(w.h)^4 / (E f(w.h)^2)^2 for w uniform on the circle
// (d = 2, kr = 1) and for a 1-D Gaussian (d = 1, kr = 3) against quadrature.
func TestGrowthSecondMoment(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		n := rapid.IntRange(1, 1000).Draw(t, "n")
		circle := func(k int) float64 {
			return circleMean(func(p float64) float64 { return math.Pow(leaky(math.Cos(p), a), float64(k)) }, kinksOf(0)...)
		}
		gauss := func(k int) float64 {
			g := func(u float64) float64 {
				return math.Pow(leaky(u, a), float64(k)) * math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
			}
			return quad.Fixed(g, -40, 0, 200, quad.Legendre{}, 0) + quad.Fixed(g, 0, 40, 200, quad.Legendre{}, 0)
		}
		for _, c := range []struct {
			kr       float64
			d        int
			f4, f2sq float64
		}{
			{1, 2, circle(4), circle(2) * circle(2)},
			{3, 1, gauss(4), gauss(2) * gauss(2)},
		} {
			got, err := kernel.GrowthSecondMoment(a, c.kr, c.d, n)
			if err != nil {
				t.Fatal(err)
			}
			near(t, fmt.Sprintf("growth second moment d=%d", c.d), got, 1+(c.f4/c.f2sq-1)/float64(n), 1e-12)
		}
	})
}

func TestErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	bad := map[string]error{}
	record := func(name string, err error) { bad[name] = err }
	_, err := kernel.Kappa(1, -0.1)
	record("a < 0", err)
	_, err = kernel.Kappa(1, 1.5)
	record("a > 1", err)
	_, err = kernel.Kappa(nan, 0)
	record("theta NaN", err)
	_, err = kernel.Kappa(-0.1, 0)
	record("theta < 0", err)
	_, err = kernel.Kappa(4, 0)
	record("theta > pi", err)
	_, err = kernel.Kappa(1, nan)
	record("a NaN", err)
	_, err = kernel.TwoSlope(1, inf, 1)
	record("alpha inf", err)
	_, err = kernel.TwoSlope(1, 1, nan)
	record("beta NaN", err)
	_, err = kernel.TwoSlope(-1, 1, 1)
	record("two-slope theta < 0", err)
	_, err = kernel.Kernel([]float64{1, 2}, []float64{1}, 1, 0)
	record("mismatched lengths", err)
	_, err = kernel.Kernel(nil, nil, 1, 0)
	record("empty inputs", err)
	_, err = kernel.Kernel([]float64{nan}, []float64{1}, 1, 0)
	record("NaN input", err)
	_, err = kernel.Kernel([]float64{1}, []float64{inf}, 1, 0)
	record("infinite input", err)
	_, err = kernel.Kernel([]float64{1}, []float64{1}, -1, 0)
	record("negative second moment", err)
	_, err = kernel.Kernel([]float64{1}, []float64{1}, inf, 0)
	record("infinite second moment", err)
	_, err = kernel.Kernel([]float64{1}, []float64{1}, 1, 2)
	record("kernel a > 1", err)
	_, err = kernel.Angle([]float64{0, 0}, []float64{1, 0})
	record("angle with zero vector", err)
	_, err = kernel.Angle([]float64{1, 0}, []float64{0, 0})
	record("angle with zero second vector", err)
	_, err = kernel.Angle([]float64{1}, []float64{1, 2})
	record("angle mismatched", err)
	_, err = kernel.DepthStep(4, 0)
	record("depth step theta > pi", err)
	_, err = kernel.DepthStep(1, -1)
	record("depth step a < 0", err)
	_, err = kernel.DepthAngle(1, 0, -1)
	record("negative depth", err)
	_, err = kernel.DepthAngle(-1, 0, 1)
	record("depth angle theta < 0", err)
	_, err = kernel.DepthAngle(1, 2, 1)
	record("depth angle a > 1", err)
	_, err = kernel.DepthCos(1, 0, -1)
	record("depth cos negative l", err)
	_, err = kernel.DepthConstant(1)
	record("depth constant a = 1", err)
	_, err = kernel.DepthConstant(-0.5)
	record("depth constant a < 0", err)
	_, err = kernel.PreservingSecondMoment(nan)
	record("preserving a NaN", err)
	_, err = kernel.GrowthSecondMoment(0, 0.5, 2, 3)
	record("radial kurtosis < 1", err)
	_, err = kernel.GrowthSecondMoment(0, inf, 2, 3)
	record("radial kurtosis inf", err)
	_, err = kernel.GrowthSecondMoment(0, 1, 0, 3)
	record("fan-in 0", err)
	_, err = kernel.GrowthSecondMoment(0, 1, 2, 0)
	record("width 0", err)
	_, err = kernel.GrowthSecondMoment(-1, 1, 2, 3)
	record("growth a < 0", err)
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !containsAny(err.Error(), "kernel:") {
			t.Errorf("%s: error %q does not say where it came from", name, err)
		}
	}
	if k, err := kernel.Kernel([]float64{0, 0}, []float64{1, 2}, 1, 0); err != nil || k != 0 {
		t.Errorf("kernel with a zero vector = %v, %v; want 0, nil", k, err)
	}
	for _, a := range []float64{0, 1} {
		if _, err := kernel.Kappa(math.Pi, a); err != nil {
			t.Errorf("Kappa at the domain's edge (pi, %v): %v", a, err)
		}
		if _, err := kernel.GrowthSecondMoment(a, 1, 1, 1); err != nil {
			t.Errorf("GrowthSecondMoment at the domain's edge: %v", err)
		}
	}
	if _, err := kernel.Kappa(0, 0); err != nil {
		t.Errorf("Kappa(0, 0): %v", err)
	}
}

func containsAny(s, sub string) bool { return len(s) >= len(sub) && s[:len(sub)] == sub }

func ExampleKappa() {
	k, err := kernel.Kappa(math.Pi/2, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", k) // 1/(2 pi)
	// Output: 0.159155
}

func ExampleKernel() {
	// Two orthogonal unit inputs in R^2 under He initialisation for ReLU (E|w|^2 = 2).
	k, _ := kernel.Kernel([]float64{1, 0}, []float64{0, 1}, 2, 0)
	fmt.Printf("%.6f\n", k)
	// Output: 0.159155
}

// TestKappaNearPiRelative checks kappa's relative accuracy as theta -> pi, where
// kappa_0(pi - phi) = (phi^3/3 - phi^5/30 + phi^7/840 - ...)/(2 pi) is tiny and the direct form
// sin theta + (pi - theta) cos theta would carry an absolute error of ~1e-16.
func TestKappaNearPiRelative(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		phi := rapid.Float64Range(1e-6, 1e-2).Draw(t, "phi")
		theta := math.Pi - phi
		phi = math.Pi - theta // the angle actually represented
		got, err := kernel.Kappa(theta, 0)
		if err != nil {
			t.Fatal(err)
		}
		p2 := phi * phi
		want := phi * p2 * (1.0/3 - p2/30 + p2*p2/840) / (2 * math.Pi)
		near(t, "kappa_0 near pi (relative)", got/want, 1, 1e-12)
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		two, _ := kernel.TwoSlope(theta, a, 1)
		ka, _ := kernel.Kappa(theta, a)
		near(t, "two-slope near pi", two, ka, 1e-15)
	})
}

func TestKernelZeroSecondMoment(t *testing.T) {
	k, err := kernel.Kernel([]float64{1, 2}, []float64{3, 4}, 0, 0.5)
	if err != nil || k != 0 {
		t.Fatalf("kernel with E|w|^2 = 0 is %v, %v; want 0, nil", k, err)
	}
}
