package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
)

// Blocks is the number of independent streams a Monte-Carlo estimate is split into. Block b draws
// from PCG(seed, b), so an estimate depends on its seed only, never on scheduling or GOMAXPROCS.
const Blocks = 64

// Leaky returns f_a(u) = max(u, a u) for 0 <= a <= 1. It has no error result: it is finite for
// finite u and a in [0, 1], and NaN for a NaN u (callers validate their inputs).
func Leaky(u, a float64) float64 {
	if u > 0 {
		return u
	}
	return a * u
}

func checkInputs(x, y []float64, a float64, n int) error {
	if len(x) != len(y) || len(x) == 0 {
		return fmt.Errorf("kernel: inputs must have the same non-zero length, got %d and %d", len(x), len(y))
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return fmt.Errorf("kernel: non-finite input at index %d", i)
		}
	}
	if !(a >= 0 && a <= 1) {
		return fmt.Errorf("kernel: slope a = %v outside [0, 1]", a)
	}
	if n < 2 {
		return fmt.Errorf("kernel: need at least 2 samples, got %d", n)
	}
	return nil
}

// KernelMC estimates k(x, y) = E_w[f_a(w.x) f_a(w.y)] from n weight vectors drawn whole from law,
// in Blocks parallel streams seeded by seed. The estimate carries its standard error and block
// means (its Skewness is NaN, "unknown", for n = 2). Units: those of (w.x)(w.y).
//
// Since f_a is positively homogeneous, the estimate is computed for x and y scaled by powers of
// two to a largest entry in [0.5, 1) (fp.Normalised: exact except for entries more than 2^1021
// below the largest) and scaled back, so inputs as large as 1e200 give the finite estimate
// whenever it is representable. Errors: a nil or invalid law (weights.Check),
// mismatched, empty or non-finite inputs, a outside [0, 1], n < 2, a sample f(w.x) f(w.y) that
// overflows float64 (the law's scale is too large), and an estimate that overflows float64 once
// scaled back.
func KernelMC(law weights.Law, a float64, x, y []float64, n int, seed uint64) (stats.Estimate, error) {
	return KernelEstimate(law, a, x, y, n, seed, Plain)
}

// scaleEstimate multiplies an estimate's mean, standard error and block means by 2^e (exactly,
// barring overflow and underflow).
func scaleEstimate(est stats.Estimate, e int) stats.Estimate {
	if e == 0 {
		return est
	}
	est.Mean = math.Ldexp(est.Mean, e)
	est.SE = math.Ldexp(est.SE, e)
	for i, b := range est.Blocks {
		est.Blocks[i] = math.Ldexp(b, e)
	}
	return est
}

// estimateFinite reports whether an estimate's mean, standard error and block means are finite
// (its skewness may be NaN, "unknown", for fewer than three samples).
func estimateFinite(est stats.Estimate) bool {
	ok := isFinite(est.Mean) && isFinite(est.SE) && (isFinite(est.Skewness) || est.N < 3 && math.IsNaN(est.Skewness))
	for _, b := range est.Blocks {
		ok = ok && isFinite(b)
	}
	return ok
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// parallel runs f(0), ..., f(n-1) on GOMAXPROCS workers and waits for all of them; each f(i)
// must write only its own results.
func parallel(n int, f func(i int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	wg.Wait()
}

// parallelBlocks splits n samples over min(Blocks, n) blocks (sizes differing by at most one),
// runs block on each with its own PCG(seed, b) stream on GOMAXPROCS workers, and merges in block
// order.
func parallelBlocks(n int, seed uint64, block func(rng *rand.Rand, count int) stats.Moments) stats.Estimate {
	nb := min(Blocks, n)
	res := make([]stats.Moments, nb)
	parallel(nb, func(b int) {
		count := n / nb
		if b < n%nb {
			count++
		}
		res[b] = block(rand.New(rand.NewPCG(seed, uint64(b))), count)
	})
	var all stats.Moments
	means := make([]float64, nb)
	for b, m := range res {
		all = all.Merge(m)
		means[b] = m.Mean()
	}
	return stats.FromMoments(all, means, n/nb)
}
