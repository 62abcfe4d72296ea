package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Moments is a one-pass accumulator of a sample's count, mean and sum of squared deviations M2
// (Welford's algorithm). The zero value is an empty sample.
type Moments struct {
	N    int
	Mean float64
	M2   float64
}

// Add includes one observation.
func (m *Moments) Add(x float64) {
	m.N++
	d := x - m.Mean
	m.Mean += d / float64(m.N)
	m.M2 += d * (x - m.Mean)
}

// Merge returns the moments of the union of two samples (Chan, Golub and LeVeque, 1979).
func (m Moments) Merge(o Moments) Moments {
	if m.N == 0 {
		return o
	}
	if o.N == 0 {
		return m
	}
	n := m.N + o.N
	d := o.Mean - m.Mean
	return Moments{
		N:    n,
		Mean: m.Mean + d*float64(o.N)/float64(n),
		M2:   m.M2 + o.M2 + d*d*float64(m.N)*float64(o.N)/float64(n),
	}
}

// Variance returns the unbiased sample variance M2/(N-1), or NaN for fewer than two observations.
func (m Moments) Variance() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	return m.M2 / float64(m.N-1)
}

// Estimate is a Monte-Carlo estimate of a mean: the sample mean, its standard error
// sqrt(variance/N), the number of samples N, and the means of equal-sized consecutive blocks
// (block sizes differ by at most one; BlockSize is the smallest, the one robust bounds assume).
type Estimate struct {
	Mean      float64
	SE        float64
	N         int
	Blocks    []float64
	BlockSize int
}

// FromMoments returns the Estimate of a whole sample summarised by m and by its block means.
func FromMoments(m Moments, blocks []float64, blockSize int) Estimate {
	return Estimate{Mean: m.Mean, SE: math.Sqrt(m.Variance() / float64(m.N)), N: m.N, Blocks: blocks, BlockSize: blockSize}
}

// FromSample returns the Estimate of a stored sample split into k consecutive blocks (k <= len(xs);
// block sizes differ by at most one).
func FromSample(xs []float64, k int) Estimate {
	k = max(1, min(k, len(xs)))
	var all Moments
	blocks := make([]float64, k)
	start := 0
	for b := range k {
		size := len(xs) / k
		if b < len(xs)%k {
			size++
		}
		var m Moments
		for _, x := range xs[start : start+size] {
			m.Add(x)
		}
		start += size
		blocks[b] = m.Mean
		all = all.Merge(m)
	}
	return FromMoments(all, blocks, len(xs)/k)
}

// Scale returns the estimate of c times the mean (standard error scaled by |c|).
func (e Estimate) Scale(c float64) Estimate {
	out := e
	out.Mean *= c
	out.SE *= math.Abs(c)
	out.Blocks = make([]float64, len(e.Blocks))
	for i, b := range e.Blocks {
		out.Blocks[i] = c * b
	}
	return out
}

// Median returns the median of the block means (the median-of-means estimate).
func (e Estimate) Median() float64 {
	b := append([]float64(nil), e.Blocks...)
	sort.Float64s(b)
	k := len(b)
	if k == 0 {
		return math.NaN()
	}
	if k%2 == 1 {
		return b[k/2]
	}
	return (b[k/2-1] + b[k/2]) / 2
}

// MedianOfMeansRadius returns r such that the median of k block means of size m deviates from the
// true mean by more than r with probability at most delta, for any law with standard deviation at
// most sigma (finite variance is all it assumes):
//
//	r = sigma / sqrt(m p),   where p solves k * KL(1/2 || p) = ln(1/delta).
//
// Each block mean misses by more than r with probability at most p (Chebyshev); the median misses
// only if at least half the blocks do, which has probability at most exp(-k KL(1/2 || p))
// (Chernoff). It returns an error when k blocks cannot reach delta at any p.
func MedianOfMeansRadius(k, m int, sigma, delta float64) (float64, error) {
	if k < 1 || m < 1 || !(sigma >= 0) || !(delta > 0 && delta < 1) {
		return 0, fmt.Errorf("stats: median-of-means needs k, m >= 1, sigma >= 0, 0 < delta < 1; got k=%d m=%d sigma=%v delta=%v", k, m, sigma, delta)
	}
	need := math.Log(1/delta) / float64(k)
	kl := func(p float64) float64 { return 0.5*math.Log(0.5/p) + 0.5*math.Log(0.5/(1-p)) }
	// kl is decreasing on (0, 1/2); bisect for kl(p) = need.
	lo, hi := 1e-300, 0.5
	if kl(lo) < need {
		return 0, errors.New("stats: too few blocks for the requested delta")
	}
	for range 200 {
		mid := (lo + hi) / 2
		if kl(mid) >= need {
			lo = mid
		} else {
			hi = mid
		}
	}
	return sigma / math.Sqrt(float64(m)*lo), nil
}
