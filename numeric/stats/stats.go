package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Moments is a one-pass accumulator of a sample's count, mean, and sums of squared and cubed
// deviations (Welford's algorithm with Pebay's third-moment update, 2008). The zero value is an empty sample. Values are accumulated multiplied by
// an exact power of two that keeps the largest magnitude seen in [0.5, 1), so samples of
// magnitude 1e-160 (whose squared deviations would underflow to 0 and report a zero variance)
// keep their spread, and mixed magnitudes never overflow.
type Moments struct {
	N     int
	mean  float64 // of the scaled values
	m2    float64 // of the scaled values
	m3    float64 // of the scaled values
	scale float64 // a power of two; 0 until the first non-zero value
}

// Add includes one observation.
func (m *Moments) Add(x float64) {
	if x != 0 && (m.scale == 0 || math.Abs(x*m.scale) >= 1) {
		_, e := math.Frexp(x)
		*m = m.rescaled(math.Ldexp(1, min(-e, 1000))) // capped: 2^-e overflows for subnormal x
	}
	if m.scale != 0 {
		x *= m.scale
	}
	m.N++
	n := float64(m.N)
	d := x - m.mean
	dn := d / n
	term := d * dn * (n - 1)
	m.mean += dn
	m.m3 += term*dn*(n-2) - 3*dn*m.m2
	m.m2 += term
}

// Mean returns the sample mean (NaN for an empty sample).
func (m Moments) Mean() float64 {
	if m.N == 0 {
		return math.NaN()
	}
	if m.scale == 0 {
		return 0
	}
	return m.mean / m.scale
}

// rescaled returns m expressed at the given scale (exact: scales are powers of two).
func (m Moments) rescaled(scale float64) Moments {
	if m.scale == 0 || scale == m.scale {
		m.scale = scale
		return m
	}
	r := scale / m.scale
	return Moments{N: m.N, mean: m.mean * r, m2: m.m2 * r * r, m3: m.m3 * r * r * r, scale: scale}
}

// Merge returns the moments of the union of two samples (Chan, Golub and LeVeque, 1979).
func (m Moments) Merge(o Moments) Moments {
	if m.N == 0 {
		return o
	}
	if o.N == 0 {
		return m
	}
	scale := m.scale // the smaller non-zero scale: the one of the larger magnitudes
	if scale == 0 || (o.scale != 0 && o.scale < scale) {
		scale = o.scale
	}
	m, o = m.rescaled(scale), o.rescaled(scale)
	na, nb := float64(m.N), float64(o.N)
	n := na + nb
	d := o.mean - m.mean
	return Moments{
		N:     m.N + o.N,
		mean:  m.mean + d*nb/n,
		m2:    m.m2 + o.m2 + d*d*na*nb/n,
		m3:    m.m3 + o.m3 + d*d*d*na*nb*(na-nb)/(n*n) + 3*d*(na*o.m2-nb*m.m2)/n,
		scale: scale,
	}
}

// Variance returns the unbiased sample variance, or NaN for fewer than two observations.
func (m Moments) Variance() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	if m.scale == 0 {
		return 0
	}
	return m.m2 / float64(m.N-1) / m.scale / m.scale // scale^2 may overflow
}

// Skewness returns the sample skewness g1 = sqrt(N) M3 / M2^(3/2) (0 for a constant sample,
// NaN for fewer than three observations).
func (m Moments) Skewness() float64 {
	if m.N < 3 {
		return math.NaN()
	}
	if m.m2 == 0 {
		return 0
	}
	return math.Sqrt(float64(m.N)) * m.m3 / math.Pow(m.m2, 1.5)
}

// SE returns the standard error of the mean, sqrt(variance / N).
func (m Moments) SE() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	if m.scale == 0 {
		return 0
	}
	return math.Sqrt(m.m2/float64(m.N-1)/float64(m.N)) / m.scale
}

// Estimate is a Monte-Carlo estimate of a mean: the sample mean, its standard error
// sqrt(variance/N), the number of samples N, and the means of equal-sized consecutive blocks
// (block sizes differ by at most one; BlockSize is the smallest, the one robust bounds assume).
type Estimate struct {
	Mean      float64
	SE        float64
	Skewness  float64 // of the individual samples (NaN when unknown)
	N         int
	Blocks    []float64
	BlockSize int
}

// FromMoments returns the Estimate of a whole sample summarised by m and by its block means.
func FromMoments(m Moments, blocks []float64, blockSize int) Estimate {
	return Estimate{Mean: m.Mean(), SE: m.SE(), Skewness: m.Skewness(), N: m.N, Blocks: blocks, BlockSize: blockSize}
}

// FromSample returns the Estimate of a stored sample split into min(k, len(xs)) consecutive
// blocks (sizes differing by at most one). Its Skewness is NaN ("unknown") for two values.
// Errors: fewer than two values, k < 1, or a NaN or infinite value.
func FromSample(xs []float64, k int) (Estimate, error) {
	if len(xs) < 2 || k < 1 {
		return Estimate{}, fmt.Errorf("stats: need at least two values and k >= 1, got %d values and k = %d", len(xs), k)
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Estimate{}, fmt.Errorf("stats: value %d is %v, not finite", i, x)
		}
	}
	k = min(k, len(xs))
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
		blocks[b] = m.Mean()
		all = all.Merge(m)
	}
	return FromMoments(all, blocks, len(xs)/k), nil
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
// (Chernoff). Errors: k or m < 1, sigma negative or not finite, delta outside (0, 1), k blocks
// that cannot reach delta at any p, and a radius that overflows float64.
func MedianOfMeansRadius(k, m int, sigma, delta float64) (float64, error) {
	if k < 1 || m < 1 || !(sigma >= 0) || math.IsInf(sigma, 0) || !(delta > 0 && delta < 1) {
		return 0, fmt.Errorf("stats: median-of-means needs k, m >= 1, finite sigma >= 0, 0 < delta < 1; got k=%d m=%d sigma=%v delta=%v", k, m, sigma, delta)
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
	r := sigma / math.Sqrt(float64(m)*lo)
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return 0, fmt.Errorf("stats: the median-of-means radius for sigma = %v overflows float64", sigma)
	}
	return r, nil
}
