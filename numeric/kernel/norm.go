package kernel

import (
	"fmt"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
)

// SquaredNormMean returns the mean of |w|^2 over the n weight vectors in R^d that KernelMC draws
// with the same law and seed (the same streams, the same order): the scale of those samples'
// rounding errors. Units: those of w squared. Errors: a nil or invalid law (weights.Check), d
// outside [1, 2^20], n outside [2, 2^34], and a |w|^2 that overflows float64.
func SquaredNormMean(law weights.Law, d, n int, seed uint64) (float64, error) {
	if err := weights.Check(law); err != nil { // nil, typed-nil and invalid laws
		return 0, err
	}
	if d < 1 || d > 1<<20 || n < 2 || n > 1<<34 {
		return 0, fmt.Errorf("kernel: dimension %d must be in [1, 2^20] and samples %d in [2, 2^34]", d, n)
	}
	est := parallelBlocks(n, seed, func(rng *rand.Rand, count int) stats.Moments {
		w := make([]float64, d)
		var m stats.Moments
		for range count {
			law.Fill(rng, w)
			s := 0.0
			for _, v := range w {
				s += v * v
			}
			m.Add(s)
		}
		return m
	})
	if !isFinite(est.Mean) {
		return 0, fmt.Errorf("kernel: |w|^2 overflows float64 for %s at d = %d", law.Name(), d)
	}
	return est.Mean, nil
}
