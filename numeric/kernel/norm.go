package kernel

import (
	"fmt"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
)

// SquaredNormMean returns the mean of |w|^2 over the n weight vectors in R^d that KernelMC draws
// with the same law and seed (the same streams, the same order): the scale of those samples'
// rounding errors. Units: those of w squared.
func SquaredNormMean(law weights.Law, d, n int, seed uint64) (float64, error) {
	if law == nil {
		return 0, fmt.Errorf("kernel: nil weight law")
	}
	if d < 1 || d > 1<<20 || n < 2 || n > 1<<34 {
		return 0, fmt.Errorf("kernel: dimension %d must be in [1, 2^20] and samples %d in [2, 2^34]", d, n)
	}
	if err := law.Validate(); err != nil {
		return 0, err
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
	return est.Mean, nil
}
