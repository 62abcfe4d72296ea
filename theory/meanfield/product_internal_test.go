package meanfield

import (
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestExpect2Product: the product path agrees with Expect2 on f(a) g(b) to rounding (1e-13 of
// E|f(A) g(B)|), for the package's factors and two without symmetry (x and e^x / 10, so a factor
// applied to the wrong variable, or a swap forgotten, moves the value), means in [-3, 3],
// variances 1e-3 .. 100 on either side of each other (the swap) and correlations to +-1. The bound
// is 1e-13 sqrt(E f(A)^2 E g(B)^2), Cauchy-Schwarz's bound on E|f(A) g(B)|.
func TestExpect2Product(t *testing.T) {
	t.Parallel()
	fs := []func(float64) float64{math.Tanh, sech2, sigmoid, func(x float64) float64 { return x },
		func(x float64) float64 { return math.Exp(x) / 10 }}
	rapid.Check(t, func(t *rapid.T) {
		fa := fs[rapid.IntRange(0, len(fs)-1).Draw(t, "fa")]
		fb := fs[rapid.IntRange(0, len(fs)-1).Draw(t, "fb")]
		mA, mB := rapid.Float64Range(-3, 3).Draw(t, "meanA"), rapid.Float64Range(-3, 3).Draw(t, "meanB")
		vA := math.Pow(10, rapid.Float64Range(-3, 2).Draw(t, "log10 varA"))
		vB := math.Pow(10, rapid.Float64Range(-3, 2).Draw(t, "log10 varB"))
		if rapid.Bool().Draw(t, "only x and e^x") { // the factors that tell a and b apart
			fa, fb, vA, vB = fs[3], fs[4], math.Min(vA, 4), math.Min(vB, 4)
		}
		cov := rapid.Float64Range(-1, 1).Draw(t, "rho") * math.Sqrt(vA) * math.Sqrt(vB)
		if rapid.IntRange(0, 3).Draw(t, "gate") != 0 { // a quarter of the draws integrate (30 ms each)
			return
		}
		got, err := Expect2Product(fa, fb, mA, mB, vA, vB, cov)
		want, err2 := Expect2(func(a, b float64) float64 { return fa(a) * fb(b) }, mA, mB, vA, vB, cov)
		sq := func(f func(float64) float64) func(float64) float64 {
			return func(x float64) float64 { return f(x) * f(x) }
		}
		faa, err3 := Expect(sq(fa), mA, vA)
		fbb, err4 := Expect(sq(fb), mB, vB)
		scale := math.Sqrt(faa) * math.Sqrt(fbb) // >= E|f(A) g(B)| (Cauchy-Schwarz)
		if err != nil || err2 != nil || err3 != nil || err4 != nil || math.Abs(got-want) > 1e-13*scale {
			t.Fatalf("product %.17g (%v), Expect2 %.17g (%v), sqrt(E f^2 E g^2) %v (%v, %v)", got, err, want, err2, scale, err3, err4)
		}
	})
}

// TestExpect2ProductEdges: the product path validates as Expect2 does, and a sum that overflows
// although every node is finite (1.5e308 times 1: the weights sum to sqrt(2 pi)) is integrated
// again, rescaled, by Expect2 (1.5e308 to 1e-14); a factor that is infinite at a node is named.
// Variances of 0.01 (sd 0.1: the knots are 10 sigma apart, few pieces) keep it cheap.
func TestExpect2ProductEdges(t *testing.T) {
	t.Parallel()
	one := func(float64) float64 { return 1 }
	big := func(float64) float64 { return 1.5e308 }
	if v, err := Expect2Product(big, one, 0, 1, 0.01, 0.02, 0.005); err != nil || math.Abs(v/1.5e308-1) > 1e-14 {
		t.Errorf("E[1.5e308 * 1] = %v (%v), want 1.5e308", v, err)
	}
	if v, err := Expect2Product(one, big, 0, 1, 0.01, 0.02, 0.005); err != nil || math.Abs(v/1.5e308-1) > 1e-14 {
		t.Errorf("E[1 * 1.5e308] = %v (%v), want 1.5e308", v, err)
	}
	inf := func(x float64) float64 { return 1 / (x - x) } // +Inf at every node
	if _, err := Expect2Product(one, inf, 0, 0, 0.01, 0.01, 0); err == nil || !strings.Contains(err.Error(), "at (a, b)") {
		t.Errorf("an infinite factor: error %v, want the node named", err)
	}
	if _, err := Expect2Product(nil, one, 0, 0, 1, 1, 0); err == nil {
		t.Error("a nil fa accepted")
	}
	if _, err := Expect2Product(one, nil, 0, 0, 1, 1, 0); err == nil {
		t.Error("a nil fb accepted")
	}
	for _, c := range [][5]float64{{math.NaN(), 0, 1, 1, 0}, {0, 0, -1, 1, 0}, {0, 0, 1, 1, 1.5}, {0, 0, 1, math.Inf(1), 0}} {
		if _, err := Expect2Product(one, one, c[0], c[1], c[2], c[3], c[4]); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
}

// TestExpect2ProductGrid: the fixed inner grid and its limits. Near-perfect correlation at
// variances 1e6, 1e4 and 0.1 (conditional sd 0.045, 0.0045, 0.00045: pieces of width 2 sd over the
// conditional means' range would outnumber the moving rule's evaluations, so it runs); the grid at
// variance 100 and correlation 0.99 (sd 1.4 over +-120) and on either side of the sd = maxGridSD
// edge; each equal to Expect2 to 1e-13 (tanh tanh, and x e^x / 10 where the factors differ).
func TestExpect2ProductGrid(t *testing.T) {
	t.Parallel()
	ex := func(x float64) float64 { return math.Exp(x) / 10 }
	id := func(x float64) float64 { return x }
	for _, c := range []struct {
		v, rho float64
		grid   bool
	}{{1e6, 1 - 1e-9, false}, {1e4, 1 - 1e-9, false}, {0.1, 1 - 1e-6, false}, {100, 0.99, true}, {4, 0, true}, {4.0001, 0, false}, {4, 0.9, true}} {
		p, err := newPair(0.3, -0.2, c.v, c.v, c.rho*c.v)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.grid(math.Tanh); ok != c.grid {
			t.Errorf("variance %v, rho %v (conditional sd %.3g): grid %v, want %v", c.v, c.rho, math.Sqrt(p.condVar), ok, c.grid)
		}
		fs := [][2]func(float64) float64{{math.Tanh, math.Tanh}}
		if c.v < 1000 { // e^x at variance 1e4 is beyond float64 at 12 sigma (e^1200)
			fs = append(fs, [2]func(float64) float64{id, ex})
		}
		for _, f := range fs {
			got, err := Expect2Product(f[0], f[1], 0.3, -0.2, c.v, c.v, c.rho*c.v)
			want, err2 := Expect2(func(a, b float64) float64 { return f[0](a) * f[1](b) }, 0.3, -0.2, c.v, c.v, c.rho*c.v)
			if err != nil || err2 != nil || math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
				t.Errorf("variance %v, rho %v: product %.17g (%v), Expect2 %.17g (%v)", c.v, c.rho, got, err, want, err2)
			}
		}
	}
}

// TestExpect2ProductMarginal: with fa = 1 the product rule is E[fb(B)] over B's marginal whatever
// A is, an identity that holds at any means: the grid keeps its nodes as offsets from meanB, so
// means of 1e8 .. 1e300 against standard deviations of 1e-160 .. 1 lose no digits (an absolute grid
// rounded its nodes, or came out empty and returned 0). Drawn: means in [-3, 3] each, or one mean
// for both with |log10| up to 300; variances 1e-320 .. 1e2 each, correlations to +-0.9, fb in
// tanh, sigmoid, sech^2; within 1e-13 of Expect (the factors are bounded by 1). With means far
// apart and a strong correlation the outer rule's knots (at |a| <= 16) need not sit where the
// inner factor changes, and Expect2 itself is off by more: 1.4e-13 at meanA 75000, meanB 1,
// variances 10, rho 0.9, 4e-13 at meanA 31.6, meanB 10, rho 1 (a limit of the nested rule, shared
// by both paths; the package's uses have equal means). The audit's cases are listed first, against
// Expect2.
func TestExpect2ProductMarginal(t *testing.T) {
	t.Parallel()
	one := func(float64) float64 { return 1 }
	for _, c := range []struct {
		fa, fb              func(float64) float64
		mA, mB, vA, vB, cov float64
	}{
		{math.Tanh, math.Tanh, 1, 1, 1, 1e-300, 0}, {math.Tanh, math.Tanh, 0.5, 0.5, 1e-320, 1e-320, 0},
		{one, math.Tanh, 0, 1e20, 1, 1, 0}, {one, math.Tanh, 0, 1e16, 1, 1, 0}, {one, one, 0, 1e8, 1, 1e-12, 0},
		{one, math.Tanh, 0, 10, 1, 1e-20, 0}, {sigmoid, sigmoid, 4, 4, 1e-8, 1e-8, 0.9999e-8},
		{math.Tanh, math.Tanh, 1, 1, 3e-34, 3e-34, 2.9997e-34}, // outer nodes rounded past 12 sigma
		{math.Tanh, math.Tanh, 1e8, 1e8, 1.4e-18, 1.4e-18, 1.39986e-18}, {one, math.Tanh, 1, 1, 3e-34, 3e-34, 2.9997e-34},
	} {
		got, err := Expect2Product(c.fa, c.fb, c.mA, c.mB, c.vA, c.vB, c.cov)
		want, err2 := Expect2(func(a, b float64) float64 { return c.fa(a) * c.fb(b) }, c.mA, c.mB, c.vA, c.vB, c.cov)
		if err != nil || err2 != nil || math.Abs(got-want) > 1e-13 {
			t.Errorf("means %v, %v, variances %v, %v, cov %v: product %.17g (%v), Expect2 %.17g (%v)", c.mA, c.mB, c.vA, c.vB, c.cov, got, err, want, err2)
		}
	}
	fs := []func(float64) float64{math.Tanh, sigmoid, sech2}
	rapid.Check(t, func(t *rapid.T) {
		fb := fs[rapid.IntRange(0, len(fs)-1).Draw(t, "fb")]
		mA, mB := rapid.Float64Range(-3, 3).Draw(t, "meanA"), rapid.Float64Range(-3, 3).Draw(t, "meanB")
		if rapid.Bool().Draw(t, "one far mean") { // both at it, as the package's uses are
			mB = math.Copysign(math.Pow(10, rapid.Float64Range(0, 300).Draw(t, "log10 |mean|")), mB)
			mA = mB
		}
		vA := math.Pow(10, rapid.Float64Range(-320, 2).Draw(t, "log10 varA"))
		vB := math.Pow(10, rapid.Float64Range(-320, 2).Draw(t, "log10 varB"))
		cov := rapid.Float64Range(-0.9, 0.9).Draw(t, "rho") * math.Sqrt(vA) * math.Sqrt(vB)
		if rapid.IntRange(0, 3).Draw(t, "gate") != 0 { // a quarter of the draws integrate
			return
		}
		got, err := Expect2Product(one, fb, mA, mB, vA, vB, cov)
		want, err2 := Expect(fb, mB, vB)
		if err != nil || err2 != nil || math.Abs(got-want) > 1e-13 {
			t.Fatalf("product %.17g (%v), E[fb(B)] %.17g (%v)", got, err, want, err2)
		}
	})
}
