package cnnbound_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/cnnbound"
)

// TestBadInputIssue17 holds the inputs issue 17's probe found: each is a clear error or a correct
// finite value, never NaN with a nil error.
func TestBadInputIssue17(t *testing.T) {
	a, _ := cnnbound.Reference("A1")
	// beta^2 with b_1 = 1e200, b_out = 1e-200: A1's layer term is b_out^2 d_0 r_0 c_0 (k - s + 1)^2
	// / (128 p^4) (b_1 cancels), 1e-400 times a moderate number: it underflows to 0, leaving the
	// first term r_1 c_1 d_1 / (8 p^2) = 24 * 24 * 8 / 32 = 144.
	a.Layers[0].B, a.OutB = 1e200, 1e-200
	if b2, err := a.Beta2(); err != nil || b2 != 144 {
		t.Errorf("Beta2 at b = 1e200, b_out = 1e-200: %v (%v), want 144", b2, err)
	}
	// With b_out = 1e150 the layer term is 1e300 * 784 * 25 / 2048 ~ 9.6e300: finite, by hand. The
	// term is exp of its logarithm (about 693), so its relative rounding is about 693 ulp.
	a.OutB = 1e150
	want := 144 + 1e300*784*25/2048
	if b2, err := a.Beta2(); err != nil || math.Abs(b2-want) > 1e-12*want {
		t.Errorf("Beta2 at b_out = 1e150: %v (%v), want %v", b2, err, want)
	}
	a.OutB = 1e160
	if b2, err := a.Beta2(); err == nil {
		t.Errorf("Beta2 above the largest float accepted: %v", b2)
	}
	a, _ = cnnbound.Reference("A1")
	for _, c := range []float64{math.NaN(), -1, 0, math.Inf(1)} {
		if v, err := a.OutputGradBound(c); err == nil {
			t.Errorf("OutputGradBound(%v) = %v accepted", c, v)
		}
	}
	// B(1e308): sqrt((theta varrho + ln 80) / (2n)), positive; 2 n B^2 by hand.
	b, err := a.Bound(1e308, 0.05)
	num := 5951*(math.Log(math.Sqrt(8)*2*5/8)+math.Log(3)+math.Log(1e308/512)) + math.Log(80)
	if err != nil || !(b > 0) || math.Abs(b*b*1e308*2-num) > 1e-12*num {
		t.Errorf("Bound(1e308, 0.05) = %v (%v): 2 n B^2 = %v, want %v", b, err, b*b*1e308*2, num)
	}
	if g, err := a.GradBound(1e308, 0.05, 12); err != nil || !(g > 0) {
		t.Errorf("GradBound(1e308) = %v (%v)", g, err)
	}
	// varrho with b near the largest float: sqrt(d) b (k - s + 1) overflowed before its logarithm.
	a.Layers[0].B = 1.7e308
	if v, err := a.Varrho(1e4); err != nil || math.IsInf(v, 0) {
		t.Errorf("Varrho at b = 1.7e308: %v (%v)", v, err)
	}
	if d, err := a.StationaryDistance(1e4, 0.05, 1e300, 1e-300); err == nil {
		t.Errorf("an overflowing stationary distance accepted: %v", d)
	}
}

// lnScaled returns ln x for a positive x that may be subnormal, computed independently of
// math.Log(x) on the subnormal: x is scaled by 2^100 (exact) into the normal range first.
func lnScaled(x float64) float64 { return math.Log(math.Ldexp(x, 100)) - 100*math.Ln2 }

// TestBadInputSubnormal holds the audit's inputs: subnormal eps, n, zeta and b~, where 4/eps,
// ln(r0 c0)/n and 2/zeta overflow, and the products whose intermediate factors overflow. Each is a
// clear error or the correct finite value, never +Inf or NaN with a nil error.
func TestBadInputSubnormal(t *testing.T) {
	a, _ := cnnbound.Reference("A1")
	const theta = 5951.0
	varrho := func(b, bOut, n float64) float64 {
		return math.Log(math.Sqrt(8)*b*5/8) + math.Log(bOut) + lnScaled(n) - math.Log(512)
	}
	// varrho at a subnormal n: Go's amd64 math.Log misreads subnormals (golang/go#56600:
	// math.Log(1e-320) = -709.09, not -736.83).
	if v, err := a.Varrho(1e-320); err != nil || math.Abs(v-varrho(2, 3, 1e-320)) > 1e-13*math.Abs(v) {
		t.Errorf("Varrho(1e-320) = %v (%v), want %v", v, err, varrho(2, 3, 1e-320))
	}
	// B(1, 1e-320) was +Inf (ln(4/eps) = ln(+Inf)). ln 4 - ln eps is about 738, and theta varrho
	// at n = 1 about -23000: the bound is undefined there.
	if b, err := a.Bound(1, 1e-320); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Errorf("Bound(1, 1e-320) = %v (%v), want the undefined error", b, err)
	}
	// At n = 1e4 it is finite: ln(4/eps) by hand through eps 2^100.
	eps := 1e-320
	lnInv := math.Log(4/math.Ldexp(eps, 100)) + 100*math.Ln2
	want := math.Sqrt((theta*varrho(2, 3, 1e4) + lnInv) / 2e4)
	if b, err := a.Bound(1e4, eps); err != nil || math.Abs(b-want) > 1e-14*want {
		t.Errorf("Bound(1e4, 1e-320) = %v (%v), want %v", b, err, want)
	}
	// B at n = 1e-320 with b = b_out = 1e300: num / n overflowed to +Inf, but B itself is about
	// 1e163. By hand: 2 (B sqrt(n 2^100))^2 2^-100 = theta varrho + ln 80.
	big := a
	big.Layers = []cnnbound.Layer{{K: 5, S: 1, D: 8, A: 4, B: 1e300}}
	big.OutB = 1e300
	num := theta*varrho(1e300, 1e300, 1e-320) + math.Log(80)
	b, err := big.Bound(1e-320, 0.05)
	if got := 2 * math.Ldexp(math.Pow(b*math.Sqrt(math.Ldexp(1e-320, 100)), 2), -100); err != nil || math.Abs(got-num) > 1e-12*num {
		t.Errorf("Bound(1e-320) at b = 1e300: %v (%v): 2 n B^2 = %v, want %v", b, err, got, num)
	}

	// Sun et al. at n = 1e-320, b~ = 1e-300 was NaN (0 x Inf). R_m = (4e-300)^2 sqrt(ln 784 / n),
	// about 4e-439: below every float, an underflow error naming n.
	if r, err := a.SunRademacher(1e-320, 1, 1e-300); err == nil || !strings.Contains(err.Error(), "n = 1e-320") || !strings.Contains(err.Error(), "underflows") {
		t.Errorf("SunRademacher(1e-320, 1, 1e-300) = %v (%v), want an underflow error naming n", r, err)
	}
	// Finite values whose direct product over- or underflowed: ln(784)/n = +Inf at n = 1e-320,
	// and bx (4 b~)^2 = 1e200 x 1.6e201 at n = 1e300. Exp of the logarithm: a few dozen ulp.
	sqrtN := math.Sqrt(math.Ldexp(1e-320, 100)) * 0x1p-50
	for _, c := range []struct{ n, bx, bt, want float64 }{
		{1e-320, 1, 1, 16 * math.Sqrt(math.Log(784)) / sqrtN},
		{1e-320, 1, 1e-100, 16e-200 * math.Sqrt(math.Log(784)) / sqrtN},
		{1e300, 1e200, 1e100, 1e200 * 16e100 * (1e100 * math.Sqrt(math.Log(784)/1e300))},
	} {
		if r, err := a.SunRademacher(c.n, c.bx, c.bt); err != nil || math.Abs(r-c.want) > 1e-12*c.want {
			t.Errorf("SunRademacher(%v, %v, %v) = %v (%v), want %v", c.n, c.bx, c.bt, r, err, c.want)
		}
	}
	if r, err := a.SunRademacher(1e-320, 1, 1e100); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("SunRademacher(1e-320, 1, 1e100) (about 4e361) = %v (%v), want an overflow error", r, err)
	}
	one := base1x1()
	one.R0, one.C0 = 1, 1
	if r, err := one.SunRademacher(1e-320, 1, 1e-300); err != nil || r != 0 {
		t.Errorf("SunRademacher at r0 c0 = 1 (ln 1 = 0): %v (%v), want exactly 0", r, err)
	}

	// (2/zeta) G at zeta = 1e-320: 2/zeta overflowed, the distance is about 4e300.
	g, err1 := a.GradBound(1e4, 0.05, 1e-20)
	d, err2 := a.StationaryDistance(1e4, 0.05, 1e-20, 1e-320)
	if want := 2 * g / math.Ldexp(1e-320, 100) * 0x1p100; err1 != nil || err2 != nil || math.Abs(d-want) > 1e-15*want {
		t.Errorf("StationaryDistance at zeta = 1e-320: %v (%v %v), want %v", d, err1, err2, want)
	}
	// G with c_g = 1e308: c_g beta overflowed, G is about 3.6e307 at n = 1e8.
	g1, err1 := a.GradBound(1e8, 0.05, 1)
	g, err2 = a.GradBound(1e8, 0.05, 1e308)
	if err1 != nil || err2 != nil || math.Abs(g-1e308*g1) > 1e-15*g {
		t.Errorf("GradBound(c_g = 1e308) = %v (%v %v), want %v", g, err1, err2, 1e308*g1)
	}
	for _, c := range []float64{1e-320, 1e308} {
		if v, err := a.OutputGradBound(c); err == nil {
			t.Errorf("OutputGradBound(%v) = %v accepted (under- or overflow)", c, v)
		}
	}
}

// TestExtremesFinite calls every exported function over a grid of extreme arguments (subnormal,
// 1e-300, 1, 1e300, the largest float) on A1 and A2 with extreme norm bounds: an error or a
// finite value, never NaN or an infinity with a nil error.
func TestExtremesFinite(t *testing.T) {
	ext := []float64{5e-324, 1e-320, 1e-300, 1e-10, 1, 1e10, 1e300, math.MaxFloat64}
	epss := []float64{5e-324, 1e-320, 1e-300, 0.05, 0.999}
	norms := []float64{1e-320, 1e-300, 1, 1e300}
	for _, name := range []string{"A1", "A2"} {
		for _, b := range norms {
			for _, bOut := range norms {
				a, _ := cnnbound.Reference(name)
				for i := range a.Layers {
					a.Layers[i].B = b
				}
				a.OutB = bOut
				v, err := a.Beta2()
				fp.RequireFinite(t, "Beta2", err, v)
				for _, n := range ext {
					v, err = a.Varrho(n)
					fp.RequireFinite(t, "Varrho", err, v)
					for _, x := range ext {
						v, err = a.SunRademacher(n, x, b)
						fp.RequireFinite(t, "SunRademacher", err, v)
						v, err = a.OutputGradBound(x)
						fp.RequireFinite(t, "OutputGradBound", err, v)
					}
					for _, eps := range epss {
						v, err = a.Bound(n, eps)
						fp.RequireFinite(t, "Bound", err, v)
						for _, cg := range ext {
							v, err = a.GradBound(n, eps, cg)
							fp.RequireFinite(t, "GradBound", err, v)
							v, err = a.StationaryDistance(n, eps, cg, cg)
							fp.RequireFinite(t, "StationaryDistance", err, v)
							v, err = a.StationaryDistance(n, eps, cg, 1/cg)
							fp.RequireFinite(t, "StationaryDistance", err, v)
						}
					}
				}
			}
		}
	}
}
