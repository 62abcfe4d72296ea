package stats

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
	"pgregory.net/rapid"
)

// TestMomentsMatchGonum: streaming and merged moments equal gonum's two-pass ones, at any
// magnitude, including samples whose squares underflow or mix tiny and huge values.
func TestMomentsMatchGonum(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		exp := rapid.IntRange(-300, 300).Draw(t, "exponent")
		xs := rapid.SliceOfN(rapid.Float64Range(-1, 1), 2, 200).Draw(t, "xs")
		for i := range xs {
			xs[i] = math.Ldexp(xs[i], exp)
		}
		switch rapid.IntRange(0, 2).Draw(t, "mix magnitudes") {
		case 1:
			xs = append([]float64{1e-200}, xs...)
		case 2:
			xs = append([]float64{5e-324, 1e-310}, xs...) // subnormal first values
		}
		split := rapid.IntRange(0, len(xs)).Draw(t, "split")
		var a, b, all Moments
		for i, x := range xs {
			all.Add(x)
			if i < split {
				a.Add(x)
			} else {
				b.Add(x)
			}
		}
		// gonum's two-pass formulas, at the sample's own scale so that they do not underflow.
		scale := math.Ldexp(1, -exp)
		scaled := make([]float64, len(xs))
		for i, x := range xs {
			scaled[i] = x * scale
		}
		mean, variance := stat.MeanVariance(scaled, nil)
		skew := stat.Skew(scaled, nil) // gonum's is the adjusted one: g1 sqrt(n(n-1))/(n-2)
		nf := float64(len(xs))
		for _, m := range []Moments{all, a.Merge(b)} {
			if got := m.Mean() * scale; math.Abs(got-mean) > 1e-12*(1+math.Abs(mean)) {
				t.Fatalf("mean %v, gonum %v", got, mean)
			}
			if variance/scale/scale < 1e-290 {
				continue // the true variance is subnormal: no float64 holds it to 1e-10
			}
			if got := m.Variance() * scale * scale; math.Abs(got-variance) > 1e-10*variance+1e-300 {
				t.Fatalf("variance %v, gonum %v", got, variance)
			}
			if len(xs) >= 3 && variance > 1e-20 {
				got := m.Skewness() * math.Sqrt(nf*(nf-1)) / (nf - 2)
				if math.Abs(got-skew) > 1e-8*(1+math.Abs(skew)) {
					t.Fatalf("skewness %v, gonum %v", got, skew)
				}
			}
		}
	})
}

func TestFromSampleBlocks(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7}
	e, err := FromSample(xs, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{(1 + 2 + 3) / 3.0, (4 + 5) / 2.0, (6 + 7) / 2.0}
	for i := range want {
		if e.Blocks[i] != want[i] {
			t.Fatalf("blocks %v, want %v", e.Blocks, want)
		}
	}
	if e.Mean != 4 || e.N != 7 || e.BlockSize != 2 || e.Median() != 4.5 {
		t.Fatalf("estimate %+v, median %v", e, e.Median())
	}
	if s := e.Scale(-2); s.Mean != -8 || s.SE != 2*e.SE || s.Blocks[0] != -4 {
		t.Fatalf("scaled estimate %+v", s)
	}
	for _, bad := range [][]float64{nil, {1}, {1, math.NaN()}} {
		if _, err := FromSample(bad, 2); err == nil {
			t.Errorf("FromSample(%v) gave no error", bad)
		}
	}
}

// TestMedianOfMeansRadius: the radius is sigma / sqrt(m p) with k KL(1/2||p) = ln(1/delta), so
// it shrinks as 1/sqrt(m), grows with sigma, and more blocks allow a larger p.
func TestMedianOfMeansRadius(t *testing.T) {
	r1, err := MedianOfMeansRadius(64, 100, 1, 1e-10)
	if err != nil {
		t.Fatal(err)
	}
	p := 1 / (100 * r1 * r1)
	kl := 0.5*math.Log(0.5/p) + 0.5*math.Log(0.5/(1-p))
	if math.Abs(64*kl-math.Log(1e10)) > 1e-9 {
		t.Fatalf("p = %v gives k KL = %v, want ln(1/delta) = %v", p, 64*kl, math.Log(1e10))
	}
	r4, _ := MedianOfMeansRadius(64, 400, 2, 1e-10)
	if math.Abs(r4-r1) > 1e-12 {
		t.Fatalf("radius not sigma/sqrt(m): %v vs %v", r4, r1)
	}
	// One block: the Chernoff bound 2 sqrt(p) is weaker than Chebyshev's p, so the radius is
	// valid and wider than Chebyshev's sigma/sqrt(m delta).
	if r, err := MedianOfMeansRadius(1, 10, 1, 1e-4); err != nil || r < 1/math.Sqrt(10*1e-4) {
		t.Fatalf("one-block radius %v (%v), below Chebyshev's %v", r, err, 1/math.Sqrt(10*1e-4))
	}
	for _, bad := range [][4]float64{{0, 1, 1, 0.1}, {1, 0, 1, 0.1}, {1, 1, -1, 0.1}, {1, 1, 1, 0}, {1, 1, 1, 1}, {1, 1, math.NaN(), 0.1}} {
		if _, err := MedianOfMeansRadius(int(bad[0]), int(bad[1]), bad[2], bad[3]); err == nil {
			t.Errorf("arguments %v accepted", bad)
		}
	}
}

// TestMomentsByHand: on fixed samples, Moments agrees with the two-pass textbook formulas (mean,
// unbiased variance, SE = sqrt(variance / N), g1 = sqrt(N) M3 / M2^(3/2)) at 1e-13, gives NaN
// below two (three for the skewness) observations and 0 for a sample of zeros; FromSample accepts
// its smallest valid inputs; Median averages the middle pair of an even number of block means;
// MedianOfMeansRadius refuses delta = 1 and accepts k = m = 1.
func TestMomentsByHand(t *testing.T) {
	for _, xs := range [][]float64{{1, 2, 4, 8, 16}, {-3, 0.5, 0.25, 7, 1e-3, 2}, {5, 5, 6}} {
		var m Moments
		n := float64(len(xs))
		var mean, m2, m3 float64
		for _, x := range xs {
			m.Add(x)
			mean += x / n
		}
		for _, x := range xs {
			m2 += (x - mean) * (x - mean)
			m3 += (x - mean) * (x - mean) * (x - mean)
		}
		want := map[string][2]float64{
			"mean":     {m.Mean(), mean},
			"variance": {m.Variance(), m2 / (n - 1)},
			"SE":       {m.SE(), math.Sqrt(m2 / (n - 1) / n)},
			"skewness": {m.Skewness(), math.Sqrt(n) * m3 / math.Pow(m2, 1.5)},
		}
		for name, gw := range want {
			if math.Abs(gw[0]-gw[1]) > 1e-13*(math.Abs(gw[1])+1) {
				t.Errorf("%v: %s %v, by hand %v", xs, name, gw[0], gw[1])
			}
		}
	}
	var one, zeros Moments
	one.Add(3)
	for range 3 {
		zeros.Add(0)
	}
	if !math.IsNaN(one.Variance()) || !math.IsNaN(one.SE()) || zeros.Variance() != 0 || zeros.SE() != 0 || zeros.Mean() != 0 {
		t.Errorf("one value: variance %v SE %v; zeros: variance %v SE %v mean %v", one.Variance(), one.SE(), zeros.Variance(), zeros.SE(), zeros.Mean())
	}
	e, err := FromSample([]float64{1, 3}, 1)
	if err != nil || e.Mean != 2 || e.N != 2 {
		t.Errorf("two values, one block: %+v, %v", e, err)
	}
	e, err = FromSample([]float64{1, 2, 10, 20}, 4)
	if err != nil || e.Median() != 6 {
		t.Errorf("four blocks 1, 2, 10, 20: median %v, %v; want 6", e.Median(), err)
	}
	if _, err := MedianOfMeansRadius(10, 10, 1, 1); err == nil {
		t.Error("delta = 1: no error")
	}
	if r, err := MedianOfMeansRadius(1, 1, 1, 0.9); err != nil || !(r > 0) {
		t.Errorf("k = m = 1, delta = 0.9: %v, %v", r, err)
	}
	if r, err := MedianOfMeansRadius(5, 3, 0, 0.1); err != nil || r != 0 {
		t.Errorf("sigma = 0: %v, %v; want radius 0", r, err)
	}
}
