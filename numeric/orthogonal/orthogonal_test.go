package orthogonal

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

func TestHaarIsOrthogonal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "n")
		q, err := Haar(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0)), n)
		if err != nil {
			t.Fatal(err)
		}
		var qtq mat.Dense
		qtq.Mul(q.T(), q)
		for i := range n {
			for j := range n {
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(qtq.At(i, j)-want) > 1e-13 {
					t.Fatalf("Q^T Q [%d,%d] = %v", i, j, qtq.At(i, j))
				}
			}
		}
	})
	if _, err := Haar(rand.New(rand.NewPCG(1, 1)), 0); err == nil {
		t.Fatal("n = 0 accepted")
	}
}
