package orthogonal_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/floats"
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

// FuzzProduct covers NewProduct and Mul: no panic; an error, or a Product whose Mul keeps each of
// k vectors' norms (to 1e-12 relative: Q is orthogonal) and refuses a block of the wrong length.
// Sizes are reduced to 0..8 as in FuzzHaar, k to 1..5.
func FuzzProduct(f *testing.F) {
	for _, n := range []int{-1, 0, 1, 2, 5, 8, orthogonal.MaxN + 1, math.MaxInt} {
		f.Add(n, uint64(n), 3, false)
	}
	f.Add(3, uint64(1), 1, true)
	f.Add(4, uint64(2), 0, false)
	f.Add(4, uint64(2), 1<<62+1, false) // 4 (2^62 + 1) wraps to 4
	f.Fuzz(func(t *testing.T, n int, seed uint64, k int, nilRng bool) {
		if n > 0 && n <= orthogonal.MaxN {
			n %= 9
		}
		var rng *rand.Rand
		if !nilRng {
			rng = rand.New(rand.NewPCG(seed, 3))
		}
		p, err := orthogonal.NewProduct(rng, n)
		if err != nil {
			return
		}
		if p == nil || p.N() != n {
			t.Fatal("no Product, or the wrong size, with a nil error")
		}
		if k < 1 || k > 5 { // including k n beyond int, which wraps
			if err := p.Mul(make([]float64, n), k); err == nil {
				t.Fatalf("Mul of %d vectors from %d floats accepted", k, n)
			}
			return
		}
		x := make([]float64, k*n)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		before := make([]float64, k)
		for j := range k {
			before[j] = floats.Norm(x[j*n:(j+1)*n], 2)
		}
		if err := p.Mul(x, k); err != nil {
			t.Fatal(err)
		}
		for j := range k {
			if after := floats.Norm(x[j*n:(j+1)*n], 2); !(math.Abs(after-before[j]) <= 1e-12*before[j]) {
				t.Fatalf("vector %d: norm %v before, %v after", j, before[j], after)
			}
		}
		if err := p.Mul(x[:len(x)-1], k); err == nil {
			t.Fatal("a block one float short accepted")
		}
	})
}
