package orthogonal

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// TestProductIsReflections: from the same seed, NewProduct's Q_n^T applied to the identity's
// columns is Reflections' matrix to 4 n eps (the two round differently: a product of n
// reflections either way), for every size 1..80 and k = n vectors at once (groups of four and the
// rest), and the two leave rng in the same state. A wrong order of the factors, a lost sign or a
// reflection left out moves entries by order 1.
func TestProductIsReflections(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 80).Draw(t, "n")
		seed := rapid.Uint64().Draw(t, "seed")
		r1, r2 := rand.New(rand.NewPCG(seed, 0)), rand.New(rand.NewPCG(seed, 0))
		q := must(Reflections(r1, n))
		p := must(NewProduct(r2, n))
		if a, b := r1.Uint64(), r2.Uint64(); a != b {
			t.Fatalf("n = %d: the two leave rng in different states", n)
		}
		x := make([]float64, n*n) // vector j: e_j
		for j := range n {
			x[j*n+j] = 1
		}
		if err := p.Mul(x, n); err != nil {
			t.Fatal(err)
		}
		for j := range n {
			for i := range n {
				if d := math.Abs(x[j*n+i] - q.At(i, j)); !(d <= 4*float64(n)*0x1p-52) {
					t.Fatalf("n = %d: entry (%d, %d): product %.17g, Reflections %.17g", n, i, j, x[j*n+i], q.At(i, j))
				}
			}
		}
	})
}

// TestProductErrors: the sizes NewProduct refuses, a nil rng, and Mul on a nil or hand-made
// Product, with no vectors or a block of the wrong length (k = 2^62 + 1 with n = 4: k n wraps to 4).
func TestProductErrors(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, -1, MaxN + 1} {
		if _, err := NewProduct(rng, n); err == nil {
			t.Errorf("n = %d accepted", n)
		}
	}
	if _, err := NewProduct(nil, 3); err == nil {
		t.Error("a nil rng accepted")
	}
	p := must(NewProduct(rng, 3))
	if p.N() != 3 {
		t.Errorf("N() = %d, want 3", p.N())
	}
	for _, c := range []struct {
		x []float64
		k int
	}{{make([]float64, 3), 0}, {make([]float64, 5), 2}, {make([]float64, 7), 2}, {nil, 1}} {
		if err := p.Mul(c.x, c.k); err == nil {
			t.Errorf("Mul of %d floats as %d vectors of 3 accepted", len(c.x), c.k)
		}
	}
	if err := must(NewProduct(rng, 4)).Mul(make([]float64, 4), 1<<62+1); err == nil {
		t.Error("Mul of 2^62 + 1 vectors from 4 floats accepted (k n wraps to 4)")
	}
	var none *Product
	if err := none.Mul(make([]float64, 3), 1); err == nil {
		t.Error("Mul on a nil Product accepted")
	}
	if err := (&Product{n: 3}).Mul(make([]float64, 3), 1); err == nil {
		t.Error("Mul on a hand-made Product accepted")
	}
	if err := (&Product{n: 3, v: make([]float64, 5)}).Mul(make([]float64, 3), 1); err == nil {
		t.Error("Mul on a hand-made Product without signs accepted") // it indexed s and panicked
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkProduct is Mul at n = 1000 with four vectors (a vanilla network's step), against
// vec.MulRows's 0.23 ms for the formed matrix (internal/vec BenchmarkMulRows) and Reflections' 0.1 s
// to form it; and NewProduct's draw.
func BenchmarkProduct(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := must(NewProduct(rng, 1000))
	x := make([]float64, 4000)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	b.Run("mul/k=4", func(b *testing.B) {
		for b.Loop() {
			_ = p.Mul(x, 4)
		}
	})
	b.Run("draw", func(b *testing.B) {
		for b.Loop() {
			_ = must(NewProduct(rng, 1000))
		}
	})
}
