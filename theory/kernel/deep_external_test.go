package kernel_test

import (
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/theory/kernel"
	"pgregory.net/rapid"
)

// naiveStep is the deep map written as the paper writes it: arccos(kappa(theta)/kappa(0)).
func naiveStep(theta, a float64) float64 {
	k := fp.Must(kernel.Kappa(theta, a))
	k0 := fp.Must(kernel.Kappa(0, a))
	return math.Acos(math.Max(-1, math.Min(1, k/k0)))
}

func TestDepthStepMatchesPaperForm(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta := rapid.Float64Range(0.05, math.Pi-0.05).Draw(t, "theta")
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		got, err := kernel.DepthStep(theta, a)
		if err != nil {
			t.Fatal(err)
		}
		// arccos near +-1 loses digits: the naive form is good to ~1e-16/sin(theta').
		if want := naiveStep(theta, a); math.Abs(got-want) > 1e-14/math.Sin(want)+1e-15 {
			t.Fatalf("step(%v, a=%v) = %.17g, paper form %.17g", theta, a, got, want)
		}
	})
}

// TestDepthStepIdentityAtA1 checks the step where it is known exactly: a = 1 is the identity, at
// every angle including the ill-conditioned ends, and theta = 0 is a fixed point for every a.
func TestDepthStepIdentityAtA1(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta := rapid.Float64Range(0, math.Pi).Draw(t, "theta")
		got := fp.Must(kernel.DepthStep(theta, 1))
		if math.Abs(got-theta) > 4e-16*math.Max(theta, 1e-300)+1e-300 {
			t.Fatalf("step(%v, a=1) = %.17g, want the identity", theta, got)
		}
		near := math.Pi - rapid.Float64Range(1e-12, 1e-3).Draw(t, "pi minus theta")
		if got := fp.Must(kernel.DepthStep(near, 1)); math.Abs((math.Pi-got)-(math.Pi-near)) > 1e-15 {
			t.Fatalf("step(pi - %g, a=1) = pi - %g", math.Pi-near, math.Pi-got)
		}
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		if z, _ := kernel.DepthStep(0, a); z != 0 {
			t.Fatalf("step(0, a=%v) = %v, want the fixed point 0", a, z)
		}
	})
}

// TestDepthStepTinyAngles checks the expansion branch (theta < 1e-10) keeps the quadratic term
// with its sign: there theta' - theta = -c theta^2 is far above rounding in units of theta^2.
func TestDepthStepTinyAngles(t *testing.T) {
	for _, theta := range []float64{9.9e-11, 5e-11, 1e-11, 1e-12} {
		for _, a := range []float64{0, 0.3} {
			got := fp.Must(kernel.DepthStep(theta, a))
			c := (1 - a) * (1 - a) / (3 * math.Pi * (1 + a*a))
			if drop := (theta - got) / (theta * theta); math.Abs(drop-c) > 1e-4*c+4e-16/theta { // theta' is good to ~eps theta
				t.Errorf("step(%g, a=%v): (theta - theta')/theta^2 = %.6g, want c = %.6g", theta, a, drop, c)
			}
		}
	}
}

// TestDepthStepSmallAngles checks the cancellation-free step against the small-angle expansion
// theta' = theta - c theta^2 + O(theta^3), c = (1-a)^2 / (3 pi (1 + a^2)).
func TestDepthStepSmallAngles(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta := rapid.Float64Range(1e-200, 1e-3).Draw(t, "theta")
		a := rapid.Float64Range(0, 0.9).Draw(t, "a")
		got := fp.Must(kernel.DepthStep(theta, a))
		c := (1 - a) * (1 - a) / (3 * math.Pi * (1 + a*a))
		want := theta - c*theta*theta
		// The next term is O(theta^3); rounding is ~1e-16 theta.
		if math.Abs(got-want) > 2*theta*theta*theta+1e-15*theta {
			t.Fatalf("step(%g, a=%v) = %.17g, expansion %.17g", theta, a, got, want)
		}
	})
}

func TestDepthAngleIterates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		theta0 := rapid.Float64Range(0, math.Pi).Draw(t, "theta0")
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		l := rapid.IntRange(0, 40).Draw(t, "l")
		th := theta0
		for range l {
			th, _ = kernel.DepthStep(th, a)
		}
		got, err := kernel.DepthAngle(theta0, a, l)
		if err != nil || got != th {
			t.Fatalf("DepthAngle(%v, %v, %d) = %v, %v; iterating DepthStep gives %v", theta0, a, l, got, err, th)
		}
		rho, _ := kernel.DepthCos(theta0, a, l)
		if rho != math.Cos(th) {
			t.Fatalf("DepthCos = %v, want cos(theta_l) = %v", rho, math.Cos(th))
		}
		if a == 1 && math.Abs(got-theta0) > 1e-12 {
			t.Fatalf("a = 1 is the identity map, but theta moved from %v to %v", theta0, got)
		}
	})
}

func TestDepthSpecValues(t *testing.T) {
	// Reference values of the deep map: from theta0 = pi/2 with a = 0, l theta_l / C is about 0.90 at
	// l = 100 and 0.998 at l = 10^4.
	c, _ := kernel.DepthConstant(0)
	near(t, "C(a=0)", c, 3*math.Pi, 1e-15)
	for _, tc := range []struct {
		l         int
		want, tol float64
	}{{100, 0.90, 0.005}, {10000, 0.998, 0.0005}} {
		th, _ := kernel.DepthAngle(math.Pi/2, 0, tc.l)
		if r := float64(tc.l) * th / c; math.Abs(r-tc.want) > tc.tol {
			t.Errorf("l theta_l / C at l=%d = %.5f, spec says about %v", tc.l, r, tc.want)
		}
	}
	c2, _ := kernel.DepthConstant(0.2)
	near(t, "C(a=0.2)", c2, 3*math.Pi*1.04/0.64, 1e-15)
	// rho_1 from orthogonal inputs is kappa_0(pi/2)/kappa_0(0) = 1/pi.
	r1, _ := kernel.DepthCos(math.Pi/2, 0, 1)
	near(t, "rho_1", r1, 1/math.Pi, 1e-15)
}

func ExampleDepthCos() {
	for _, l := range []int{1, 10, 100} {
		rho, _ := kernel.DepthCos(math.Pi/2, 0, l)
		fmt.Printf("l=%d rho=%.4f\n", l, rho)
	}
	// Output:
	// l=1 rho=0.3183
	// l=10 rho=0.8715
	// l=100 rho=0.9964
}
