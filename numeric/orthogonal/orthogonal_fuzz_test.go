package orthogonal_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/mat"
)

// FuzzHaar covers Haar and FuzzReflections Reflections: no panic, and either an error or a finite
// orthogonal matrix. Sizes up to MaxN are reduced to 0..8 so the corpus stays fast; larger and
// negative ones are kept (they must be errors, without allocating).
func FuzzHaar(f *testing.F) { fuzzSampler(f, orthogonal.Haar) }

func FuzzReflections(f *testing.F) { fuzzSampler(f, orthogonal.Reflections) }

func fuzzSampler(f *testing.F, sample func(*rand.Rand, int) (*mat.Dense, error)) {
	for _, n := range []int{-1, 0, 1, 2, 5, 8, orthogonal.MaxN + 1, math.MaxInt, math.MinInt} {
		f.Add(n, uint64(n), false)
	}
	f.Add(3, uint64(1), true)
	f.Fuzz(func(t *testing.T, n int, seed uint64, nilRng bool) {
		if n > 0 && n <= orthogonal.MaxN {
			n %= 9
		}
		var rng *rand.Rand
		if !nilRng {
			rng = rand.New(rand.NewPCG(seed, 3))
		}
		q, err := sample(rng, n)
		if err != nil {
			return
		}
		if q == nil {
			t.Fatal("nil matrix with a nil error")
		}
		r, c := q.Dims()
		for i := range r {
			for j := range c {
				var dot float64
				for k := range r {
					dot += q.At(k, i) * q.At(k, j)
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.IsNaN(q.At(i, j)) || math.Abs(dot-want) > 1e-12 {
					t.Fatalf("n = %d: not orthogonal at (%d, %d): Q^T Q = %v", n, i, j, dot)
				}
			}
		}
	})
}
