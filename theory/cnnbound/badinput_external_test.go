package cnnbound_test

import (
	"math"
	"testing"

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
