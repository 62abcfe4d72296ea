package cnnbound_test

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/cnnbound"
)

// TestZeroArgumentErrors: an argument of exactly 0 is rejected by its own range check, with an
// error naming the argument, not by a later under- or overflow error (0 is the boundary of each
// "> 0" check; eps = 0 would otherwise reach ln(4/0) = +Inf).
func TestZeroArgumentErrors(t *testing.T) {
	a := fp.Must(cnnbound.Reference("A1"))
	check := func(what string, v float64, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s = %v (%v), want an error containing %q", what, v, err, want)
		}
	}
	b, err := a.Bound(1e4, 0)
	check("Bound(1e4, eps = 0)", b, err, "eps = 0 must be in (0, 1)")
	g, err := a.GradBound(1e4, 0.05, 0)
	check("GradBound(c_g = 0)", g, err, "constant c_g = 0 must be finite and > 0")
	o, err := a.OutputGradBound(0)
	check("OutputGradBound(0)", o, err, "output-layer constant c = 0 must be finite and > 0")
	for _, c := range [][3]float64{{0, 1, 1}, {1, 0, 1}, {1, 1, 0}} {
		r, err := a.SunRademacher(c[0], c[1], c[2])
		check("SunRademacher(n, bx, b~ with a 0)", r, err, "must be finite and > 0")
	}
}

// reportedNumerator returns the value of theta varrho + ln(4/eps) that the undefined-bound
// error reports.
func reportedNumerator(t *testing.T, err error) float64 {
	t.Helper()
	if err == nil {
		t.Fatal("no error, want the undefined-bound error")
	}
	_, rest, ok1 := strings.Cut(err.Error(), "ln(4/eps) = ")
	s, _, ok2 := strings.Cut(rest, " <= 0")
	v, perr := strconv.ParseFloat(s, 64)
	if !ok1 || !ok2 || perr != nil {
		t.Fatalf("error %q does not report the numerator", err)
	}
	return v
}

// TestUndefinedNumeratorReported: where theta varrho + ln(4/eps) <= 0 the error reports that
// value, for GradBound too, whose numerator carries the extra 2d (A1: d = 12*12*8*10 + 25*8 =
// 11720). At n = 1e-300 by hand: varrho = ln(sqrt 8 * 2 * 5 / 8) + ln 3 + ln 1e-300 - ln 512,
// theta = 5951, ln(4/0.05) = ln 80; about -4.1e6.
func TestUndefinedNumeratorReported(t *testing.T) {
	a := fp.Must(cnnbound.Reference("A1"))
	want := 5951*(math.Log(math.Sqrt(8)*2*5/8)+math.Log(3)+math.Log(1e-300)-math.Log(512)) + math.Log(80)
	_, err := a.Bound(1e-300, 0.05)
	if got := reportedNumerator(t, err); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("Bound(1e-300): reported numerator %v, want %v", got, want)
	}
	_, err = a.GradBound(1e-300, 0.05, 12)
	if got := reportedNumerator(t, err); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("GradBound(1e-300): reported theta varrho + ln(4/eps) %v, want %v (without the 2d = 23440)", got, want)
	}
}

// TestBoundNumeratorZero: the bound is undefined at theta varrho + ln(4/eps) <= 0, 0 included
// (sqrt(0) = 0 is no bound). On A1 at n = 48, theta varrho is about -33.605, and at
// eps = 1.0173172027856798e-14 (found by stepping eps an ulp at a time) the numerator evaluates
// to exactly 0; 45 ulp lower in eps it is 2^-47 > 0 and the bound is a tiny positive value, one
// ulp higher it is -2^-47.
func TestBoundNumeratorZero(t *testing.T) {
	a := fp.Must(cnnbound.Reference("A1"))
	const n, eps0, epsPos = 48, 1.0173172027856798e-14, 1.0173172027856727e-14
	theta := fp.Must(a.Theta())
	v := fp.Must(a.Varrho(n))
	if num := theta*v + (math.Log(4) - math.Log(eps0)); num != 0 {
		t.Skipf("the numerator at eps = %v is %v here, not exactly 0 (another math.Log)", eps0, num)
	}
	for _, eps := range []float64{eps0, math.Nextafter(eps0, 1)} {
		if b, err := a.Bound(n, eps); err == nil || !strings.Contains(err.Error(), "the bound is undefined") {
			t.Errorf("Bound(%v, %v) = %v (%v), want the undefined error", n, eps, b, err)
		}
	}
	// 2 n B^2 is the numerator, within a few ulp of 33.6 (its cancellation).
	if b, err := a.Bound(n, epsPos); err != nil || !(b > 0) || 2*n*b*b > 4e-14 {
		t.Errorf("Bound(%v, %v) = %v (%v), want a positive bound with 2 n B^2 about 7e-15", n, epsPos, b, err)
	}
}

// TestOutputGradBoundSmallestNormal: the bound is accepted down to the smallest normal float
// 2^-1022 inclusive. The 1x1 architecture's rt_l ct_l d_l is 4 * 4 * 1 = 16, so c = 2^-1026 gives
// exactly 2^-1022, and the next smaller c a subnormal bound (an underflow error).
func TestOutputGradBoundSmallestNormal(t *testing.T) {
	a := base1x1()
	if v, err := a.OutputGradBound(0x1p-1026); err != nil || v != 0x1p-1022 {
		t.Errorf("OutputGradBound(2^-1026) = %v (%v), want 2^-1022", v, err)
	}
	c := math.Nextafter(0x1p-1026, 0)
	if v, err := a.OutputGradBound(c); err == nil || !strings.Contains(err.Error(), "underflows") {
		t.Errorf("OutputGradBound(%v) = %v (%v), want an underflow error", c, v, err)
	}
}

// ln2 is ln 2 to 60 digits.
const ln2 = "0.693147180559945309417232121458176568075500134360255254120680"

// ulpDiff returns |got - want| in units of want's last place.
func ulpDiff(got, want float64) float64 {
	return math.Abs(got-want) / (math.Nextafter(want, math.Inf(1)) - want)
}

// TestSunRademacherDirect: where every factor of bx (2 p b~)^{l+1} sqrt(ln(r0 c0) / n) is a
// normal float, including factors exactly 2^-1022 or the largest float, the product is taken
// directly and is within an ulp or two (exp of the logarithm would be off by about |ln R| ulp:
// 90 to 290 ulp here, or +Inf). A 2 x 1 input (ln(r0 c0) = ln 2), p = 1, one layer (l + 1 = 2);
// R = bx (2 b~)^2 sqrt(ln 2 / n) at 300 bits.
func TestSunRademacherDirect(t *testing.T) {
	a := cnnbound.Arch{Name: "2x1", R0: 2, C0: 1, D0: 1, P: 1, Layers: []cnnbound.Layer{{K: 1, S: 1, D: 1, A: 1, B: 1}}, Out: 1, OutA: 1, OutB: 1}
	for _, c := range []struct {
		why       string
		n, bx, bt float64
	}{
		{"ln 2 / n = ln 2 * 2^1022, ln 2 * n subnormal", 0x1p-1022, 1, 0.5},
		{"(2 b~)^2 = 2^-1022 exactly", 1, 3, 0x1p-512},
		{"bx (2 b~)^2 = the largest float", 1, math.MaxFloat64, 0.5},
	} {
		x, ok := new(big.Float).SetPrec(300).SetString(ln2)
		if !ok {
			t.Fatalf("ln 2's digits %q do not parse", ln2)
		}
		x.Quo(x, new(big.Float).SetFloat64(c.n)).Sqrt(x)
		f := new(big.Float).SetFloat64(2 * c.bt)
		x.Mul(x, f).Mul(x, f).Mul(x, new(big.Float).SetFloat64(c.bx))
		want, _ := x.Float64()
		if r, err := a.SunRademacher(c.n, c.bx, c.bt); err != nil || ulpDiff(r, want) > 2 {
			t.Errorf("SunRademacher(%v, %v, %v) (%s) = %v (%v), want %v within 2 ulp", c.n, c.bx, c.bt, c.why, r, err, want)
		}
	}
}
