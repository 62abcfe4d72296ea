package cnnbound_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/dlt5/verify/theory/cnnbound"
)

// TestZeroArgumentErrors: an argument of exactly 0 is rejected by its own range check, with an
// error naming the argument, not by a later under- or overflow error (0 is the boundary of each
// "> 0" check; eps = 0 would otherwise reach ln(4/0) = +Inf).
func TestZeroArgumentErrors(t *testing.T) {
	a, _ := cnnbound.Reference("A1")
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
	a, _ := cnnbound.Reference("A1")
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
	a, _ := cnnbound.Reference("A1")
	const n, eps0, epsPos = 48, 1.0173172027856798e-14, 1.0173172027856727e-14
	theta, _ := a.Theta()
	v, _ := a.Varrho(n)
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
