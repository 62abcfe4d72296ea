package meanfield

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// TestSech2Tail: sech2 keeps its digits out to |x| = 350, the last point before its cut to 0:
// 1/cosh^2 x = 4 e^-2|x| / (1 + e^-2|x|)^2 to 1e-14 relative, 3.9e-304 at |x| = 350.
func TestSech2Tail(t *testing.T) {
	t.Parallel()
	for _, x := range []float64{-350, -349.5, -200, -20, -1, 0, 0.5, 3, 40, 300, 350} {
		e := math.Exp(-2 * math.Abs(x))
		if got, want := sech2(x), 4*e/((1+e)*(1+e)); !(got > 0) || math.Abs(got/want-1) > 1e-14 {
			t.Errorf("sech2(%v) = %v, want %v", x, got, want)
		}
	}
}

// TestFirstErr: firstErr returns the first non-nil error, and nil only when all are nil.
func TestFirstErr(t *testing.T) {
	t.Parallel()
	a, b := errors.New("a"), errors.New("b")
	for _, c := range []struct {
		in   []error
		want error
	}{{nil, nil}, {[]error{nil, nil}, nil}, {[]error{a}, a}, {[]error{nil, b}, b}, {[]error{a, b}, a}, {[]error{nil, b, a}, b}} {
		if got := firstErr(c.in...); got != c.want {
			t.Errorf("firstErr(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestBisect: the root finder's contract. A root at an end of the bracket is returned as it is;
// roots are found to 1e-15 relative; the Illinois steps need about 10 evaluations where plain
// bisection needs 50 (cos x = x on [0, 1]: at most 15), also where one end's value is retained
// for many steps (1 - x^10 on [0, 1.5], 10 - e^x on [0, 4]: at most 25 and 30, where halving the
// other end's value instead takes 197 and 79); false position is exact on a linear g, one step (3
// evaluations) from lo = 0 and from hi = 4 lo exactly (the geometric step is for hi/lo > 4 and lo
// > 0 only); a bracket spanning 300 decades is first cut geometrically (9 halvings of its
// logarithm down to a ratio of 4, then about 10 steps: at most 25 for ln(r/x) with r = 1e-100 on
// [1e-300, 1]); false position that rounds onto the end of the bracket (g(lo) = 1, g(hi) =
// -2e-22) falls back to the midpoint instead of returning the end; a bracket that cannot shrink
// (one subnormal wide at 0) is returned at once; and a bracket below 0 converges as one above it
// (x^3 = -2 on [-3, -1]).
func TestBisect(t *testing.T) {
	t.Parallel()
	run := func(g func(float64) float64, lo, hi float64) (float64, int) {
		n := 0
		r, err := bisect(func(x float64) (float64, error) { n++; return g(x), nil }, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		return r, n
	}
	if r, _ := run(func(x float64) float64 { return 1 - x }, 1, 3); r != 1 {
		t.Errorf("root at lo: %v", r)
	}
	if r, _ := run(func(x float64) float64 { return 1 - x }, 0.5, 1); r != 1 {
		t.Errorf("root at hi: %v", r)
	}
	for _, c := range []struct {
		name     string
		g        func(float64) float64
		lo, hi   float64
		root     float64
		maxEvals int
	}{
		{"cos x - x", func(x float64) float64 { return math.Cos(x) - x }, 0, 1, 0.7390851332151607, 15},
		{"ln(1e-100/x)", func(x float64) float64 { return math.Log(1e-100 / x) }, 1e-300, 1, 1e-100, 25},
		{"1/x - 1/3", func(x float64) float64 { return 1/x - 1.0/3 }, 1, 3.5, 3, 15},
		{"e^-x - e^-50", func(x float64) float64 { return math.Exp(-x) - math.Exp(-50) }, 0, 60, 50, 2000},
		{"1 - 4x", func(x float64) float64 { return 1 - 4*x }, 0, 1, 0.25, 3},
		{"1.75 - x", func(x float64) float64 { return 1.75 - x }, 1, 4, 1.75, 3},
		{"1 - x^10", func(x float64) float64 { return 1 - math.Pow(x, 10) }, 0, 1.5, 1, 25},
		{"10 - e^x", func(x float64) float64 { return 10 - math.Exp(x) }, 0, 4, math.Log(10), 30},
	} {
		r, n := run(c.g, c.lo, c.hi)
		if math.Abs(r/c.root-1) > 1e-15 || n > c.maxEvals {
			t.Errorf("%s on [%v, %v]: root %.17g after %d evaluations, want %.17g within %d", c.name, c.lo, c.hi, r, n, c.root, c.maxEvals)
		}
	}
	if r, n := run(func(x float64) float64 { return 0.5 - x/5e-324 }, 0, 5e-324); r != 0 || n > 3 {
		t.Errorf("bracket [0, 5e-324]: %v after %d evaluations", r, n)
	}
	// A bracket below 0 (the tolerance is relative to |mid|): x^3 = -2 on [-3, -1].
	if r, n := run(func(x float64) float64 { return -2 - x*x*x }, -3, -1); math.Abs(r/-math.Cbrt(2)-1) > 1e-15 || n > 25 {
		t.Errorf("x^3 = -2 on [-3, -1]: root %.17g after %d evaluations, want %.17g", r, n, -math.Cbrt(2))
	}
}

// TestDriveCoeffsRecurrence: the series coefficients of the critical drive, computed here by a
// second route in exact rationals: tanh's Taylor coefficients from its ODE t' = 1 - t^2
// ((2m+1) a_m = -sum_{i+j=m-1} a_i a_j, a_0 = 1) instead of Bernoulli numbers, sech^4 as (t')^2
// instead of (1 - t^2)^2; then the Gaussian moments (2j-1)!! and (q D - N)/D. Every one of the
// driveOrder + 1 (or more) float64 coefficients must be the same float.
func TestDriveCoeffsRecurrence(t *testing.T) {
	t.Parallel()
	n := len(driveCoeffs)
	if n < driveOrder+1 {
		t.Fatalf("%d coefficients, want at least driveOrder + 1 = %d", n, driveOrder+1)
	}
	terms := n + 2
	a := make([]*big.Rat, terms) // tanh: coefficient of x^(2m+1)
	for m := range a {
		s := new(big.Rat)
		if m == 0 {
			s.SetInt64(1)
		}
		for i := 0; i <= m-1; i++ {
			s.Sub(s, new(big.Rat).Mul(a[i], a[m-1-i]))
		}
		a[m] = s.Quo(s, big.NewRat(int64(2*m+1), 1))
	}
	sq := func(c []*big.Rat) []*big.Rat { // the square of a series in x^2, truncated to n terms
		out := make([]*big.Rat, n)
		for j := range out {
			out[j] = new(big.Rat)
			for i := 0; i <= j; i++ {
				out[j].Add(out[j], new(big.Rat).Mul(c[i], c[j-i]))
			}
		}
		return out
	}
	d1 := make([]*big.Rat, terms) // t' = sech^2: coefficient of x^(2m)
	for m := range d1 {
		d1[m] = new(big.Rat).Mul(a[m], big.NewRat(int64(2*m+1), 1))
	}
	s4 := sq(d1)
	t2 := append([]*big.Rat{new(big.Rat)}, sq(a)[:n-1]...) // t^2 = x^2 (sum a_m x^(2m))^2
	N, D := make([]*big.Rat, n), make([]*big.Rat, n)
	dfact := big.NewRat(1, 1)
	for j := range n {
		if j > 0 {
			dfact.Mul(dfact, big.NewRat(int64(2*j-1), 1))
		}
		N[j] = new(big.Rat).Mul(t2[j], dfact)
		D[j] = new(big.Rat).Mul(s4[j], dfact)
	}
	c := make([]*big.Rat, n)
	for j := range n {
		p := new(big.Rat).Neg(N[j])
		if j > 0 {
			p.Add(p, D[j-1])
		}
		for i := 1; i <= j; i++ {
			p.Sub(p, new(big.Rat).Mul(D[i], c[j-i]))
		}
		c[j] = p.Quo(p, D[0])
		if want, _ := c[j].Float64(); driveCoeffs[j] != want {
			t.Errorf("c_%d = %v, recurrence %v", j, driveCoeffs[j], want)
		}
	}
}

// TestDriveSeriesSwitch: up to q* = seriesLimit inclusive the drive is the series itself; just
// above, the quadrature agrees with it to 1e-9 relative.
func TestDriveSeriesSwitch(t *testing.T) {
	t.Parallel()
	if got, err := VanillaCriticalDrive(seriesLimit); err != nil || got != driveSeries(seriesLimit) {
		t.Errorf("q* = seriesLimit: %v (%v), series %v", got, err, driveSeries(seriesLimit))
	}
	q := math.Nextafter(seriesLimit, 1)
	if got, err := VanillaCriticalDrive(q); err != nil || math.Abs(got/driveSeries(q)-1) > 1e-9 {
		t.Errorf("q* just above seriesLimit: %v (%v), series %v", got, err, driveSeries(q))
	}
}

// TestBelow: below's contract on step functions, where the answer is known by hand. The points
// are q (1 - 2^-k) for k = 1 .. 50 in turn, so with q = 1 and g negative from x = 1 - 2^-50 on,
// the answer is 1 - 2^-50 (the last point); negative only from 1 - 2^-51 on, no point is found
// (false, no error). g = 0 is not under the diagonal: with g zero at 1/2 and negative from 3/4 the
// answer is 3/4. An error from g is returned.
func TestBelow(t *testing.T) {
	t.Parallel()
	step := func(from float64) func(float64) (float64, error) {
		return func(x float64) (float64, error) {
			if x >= from {
				return -1, nil
			}
			return 1, nil
		}
	}
	if x, ok, err := below(step(1-math.Ldexp(1, -50)), 1); x != 1-math.Ldexp(1, -50) || !ok || err != nil {
		t.Errorf("g < 0 from 1 - 2^-50: %v %v %v, want 1 - 2^-50", x, ok, err)
	}
	if x, ok, err := below(step(1-math.Ldexp(1, -51)), 1); ok || err != nil {
		t.Errorf("g < 0 from 1 - 2^-51: %v %v %v, want none found", x, ok, err)
	}
	zero := func(x float64) (float64, error) {
		switch {
		case x == 0.5:
			return 0, nil
		case x >= 0.75:
			return -1, nil
		}
		return 1, nil
	}
	if x, ok, err := below(zero, 1); x != 0.75 || !ok || err != nil {
		t.Errorf("g = 0 at 1/2, < 0 from 3/4: %v %v %v, want 3/4", x, ok, err)
	}
	bad := errors.New("g failed")
	if _, _, err := below(func(float64) (float64, error) { return 0, bad }, 1); err != bad {
		t.Errorf("g's error: %v", err)
	}
}
