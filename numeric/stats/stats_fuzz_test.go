package stats_test

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/numeric/stats"
)

// The fuzz targets below call the package's estimators on arbitrary arguments and assert the
// contract: no panic (a panic fails the run by itself), and either an error or finite numbers
// (an Estimate's Skewness may be NaN, documented as "unknown", when N < 3).

var special = []float64{0.5, 0, 1, -1, 3, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, -1e200, 1e308, -1e308, 1e-300, 5e-324}

func requireEstimate(t *testing.T, what string, err error, e stats.Estimate) {
	t.Helper()
	if err != nil {
		return
	}
	fp.RequireFinite(t, what, nil, append([]float64{e.Mean, e.SE, e.Median()}, e.Blocks...)...)
	if !(e.N < 3 && math.IsNaN(e.Skewness)) {
		fp.RequireFinite(t, what+" skewness", nil, e.Skewness)
	}
}

// FuzzFromSample covers FromSample, FromMoments (through the Moments accumulator: Add, Merge) and
// the Estimate's Median, on samples of 0..6 values.
func FuzzFromSample(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+3)%len(special)], 1.0, -2.0, 6, i-2)
	}
	f.Add(1e308, -1e308, 1e308, -1e308, 4, 2)
	f.Add(1e-300, 5e-324, -1e-300, 0.0, 4, 1)
	f.Add(1.0, 2.0, 3.0, 4.0, 2, 1)
	f.Add(1.0, 2.0, 3.0, 4.0, 6, math.MaxInt)
	f.Fuzz(func(t *testing.T, x0, x1, x2, x3 float64, n, k int) {
		n %= 7
		if n < 0 {
			n = -n
		}
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = []float64{x0, x1, x2, x3}[i%4]
		}
		e, err := stats.FromSample(xs, k)
		requireEstimate(t, "FromSample", err, e)
		if err != nil || n < 2 {
			return
		}
		// The same sample through the streaming accumulator, in two merged halves.
		var a, b stats.Moments
		for i, x := range xs {
			if i < n/2 {
				a.Add(x)
			} else {
				b.Add(x)
			}
		}
		m := a.Merge(b)
		requireEstimate(t, "FromMoments", nil, stats.FromMoments(m, e.Blocks, e.BlockSize))
	})
}

// FuzzMedianOfMeansRadius covers MedianOfMeansRadius (no loop depends on the arguments).
func FuzzMedianOfMeansRadius(f *testing.F) {
	for i, v := range special {
		f.Add(64, 100, v, special[(i+4)%len(special)])
		f.Add(i-2, 3*i-5, 1.0, 1e-10)
	}
	f.Add(1, 1, 1e308, 0.5)
	f.Add(64, 1, 1e200, 1e-300)
	f.Add(math.MaxInt, math.MaxInt, 1.0, 1e-10)
	f.Fuzz(func(t *testing.T, k, m int, sigma, delta float64) {
		r, err := stats.MedianOfMeansRadius(k, m, sigma, delta)
		fp.RequireFinite(t, "MedianOfMeansRadius", err, r)
	})
}

func TestFromSampleRejectsInf(t *testing.T) {
	for _, bad := range [][]float64{{1, math.Inf(1)}, {math.Inf(-1), 2, 3}} {
		if e, err := stats.FromSample(bad, 2); err == nil {
			t.Errorf("FromSample(%v) = %+v with a nil error", bad, e)
		}
	}
	if r, err := stats.MedianOfMeansRadius(64, 10, math.Inf(1), 1e-6); err == nil {
		t.Errorf("MedianOfMeansRadius with sigma = +Inf = %v with a nil error", r)
	}
}
