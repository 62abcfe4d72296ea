package kernel

import (
	"math"
	"testing"
)

// TestSeriesMatchesDirect checks the series of sin t - t cos t where both forms are accurate.
func TestSeriesMatchesDirect(t *testing.T) {
	for _, x := range []float64{0.05, 0.2, 0.35, 0.5} {
		s, c := math.Sincos(x)
		direct := s - x*c
		got := sinMinusThetaCos(x)
		if math.Abs(got-direct) > 1e-15*direct*1e3 {
			t.Errorf("series(%v) = %.17g, direct %.17g", x, got, direct)
		}
	}
	for _, x := range []float64{1e-8, 1e-4} {
		if got, want := sinMinusThetaCos(x), x*x*x/3-math.Pow(x, 5)/30; math.Abs(got-want) > 1e-15*want {
			t.Errorf("series(%v) = %.17g, leading terms %.17g", x, got, want)
		}
	}
}
