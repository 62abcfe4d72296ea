package cnnbound_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// TestA1ByHand writes the catalogue's formulas out for A1 (one layer: 28 x 28 x 1, k 5, s 1,
// d 8, b 2, p 2; output 10, b 3), independently of the package's loops, and compares to 1e-14.
func TestA1ByHand(t *testing.T) {
	a, _ := cnnbound.Reference("A1")
	n, eps := 1e4, 0.05
	// varrho = ln(sqrt(8) 2 (5 - 1 + 1)/(4 * 2)) + ln 3 + ln(n/(128 * 4)).
	varrho := math.Log(math.Sqrt(8)*2*5/8) + math.Log(3) + math.Log(n/512)
	theta := 5.0*(10+12*12*8+1) + 4*(25*1+8+1)
	bound := math.Sqrt((theta*varrho + math.Log(4/eps)) / (2 * n))
	// beta^2 = r_1 c_1 d_1/(8 p^2) + [b_out^2 d_0 r_0 c_0/(8 p^2 b_1^2 d_1)] d_1 b_1^2 (k - s + 1)^2/(16 p^2).
	beta2 := 24.0*24*8/32 + (9.0*1*28*28/(32*4*8))*(8*4*25/64.0)
	d := 12*12*8*10 + 25*8
	v, err1 := a.Varrho(n)
	b, err2 := a.Bound(n, eps)
	b2, err3 := a.Beta2()
	g, err4 := a.GradBound(n, eps, 12)
	dist, err5 := a.StationaryDistance(n, eps, 12, 0.5)
	out, err6 := a.OutputGradBound(cnnbound.CorrectedOutputConst)
	sun, err7 := a.SunRademacher(n, 0.5, 2)
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if err != nil {
			t.Fatal(err)
		}
	}
	gWant := 12 * math.Sqrt(beta2) * math.Sqrt((2*float64(d)+theta*varrho+math.Log(4/eps))/(2*n))
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"varrho", v, varrho}, {"bound", b, bound}, {"beta^2", b2, beta2}, {"G", g, gWant}, {"distance", dist, 2 / 0.5 * gWant},
		{"output bound", out, 128.0 / 729 * 12 * 12 * 8},
		{"Sun et al.", sun, 0.5 * math.Pow(2*2*2, 2) * math.Sqrt(math.Log(784)/n)},
	} {
		if math.Abs(c.got-c.want) > 1e-14*math.Abs(c.want) {
			t.Errorf("%s: %.17g, by hand %.17g", c.name, c.got, c.want)
		}
	}
}

// TestGradBoundIdentity: G^2/(c_g^2 beta^2) - B^2 = d/n exactly (the 2d in G's numerator), and the
// distance is 2 G / zeta, over drawn n, eps, c_g, zeta on A1..A3.
func TestGradBoundIdentity(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, _ := cnnbound.Reference(rapid.SampledFrom([]string{"A1", "A2", "A3"}).Draw(t, "arch"))
		n := rapid.Float64Range(1e4, 1e9).Draw(t, "n")
		eps := rapid.Float64Range(1e-6, 0.9).Draw(t, "eps")
		cg := rapid.Float64Range(0.1, 100).Draw(t, "c_g")
		zeta := rapid.Float64Range(1e-3, 10).Draw(t, "zeta")
		b, err1 := a.Bound(n, eps)
		g, err2 := a.GradBound(n, eps, cg)
		b2, err3 := a.Beta2()
		d, err4 := a.Params()
		dist, err5 := a.StationaryDistance(n, eps, cg, zeta)
		for _, err := range []error{err1, err2, err3, err4, err5} {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := g*g/(cg*cg*b2) - b*b
		if want := float64(d) / n; math.Abs(got-want) > 1e-9*(want+b*b) {
			t.Fatalf("G^2/(c_g^2 beta^2) - B^2 = %v, d/n = %v", got, want)
		}
		if math.Abs(dist-2*g/zeta) > 1e-14*dist {
			t.Fatalf("distance %v, 2G/zeta %v", dist, 2*g/zeta)
		}
	})
}

// TestSunScaling: the Sun et al. term is linear in bx, goes as b~^{l+1} and as n^{-1/2}, over
// drawn values (1e-12 relative).
func TestSunScaling(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, _ := cnnbound.Reference(rapid.SampledFrom([]string{"A1", "A2", "A3"}).Draw(t, "arch"))
		n := rapid.Float64Range(1, 1e8).Draw(t, "n")
		bx := rapid.Float64Range(0.1, 10).Draw(t, "bx")
		bt := rapid.Float64Range(0.1, 10).Draw(t, "b~")
		c := rapid.Float64Range(1.1, 5).Draw(t, "c")
		r0, _ := a.SunRademacher(n, bx, bt)
		r1, _ := a.SunRademacher(n, c*bx, bt)
		r2, _ := a.SunRademacher(n, bx, c*bt)
		r3, _ := a.SunRademacher(c*c*n, bx, bt)
		l := float64(len(a.Layers))
		for _, q := range []struct{ got, want float64 }{{r1 / r0, c}, {r2 / r0, math.Pow(c, l+1)}, {r3 / r0, 1 / c}} {
			if math.Abs(q.got-q.want) > 1e-12*q.want {
				t.Fatalf("Sun et al. scaling %v, want %v", q.got, q.want)
			}
		}
	})
}
