// Package orthogonal samples Haar-distributed (uniformly random) orthogonal matrices, needed to
// check rotational invariance (kernel paper, KER-3) and for orthogonal initialisations.
package orthogonal

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Haar returns an n x n orthogonal matrix drawn from the Haar measure: the Q factor of the QR
// decomposition of a standard Gaussian matrix, with the signs of R's diagonal moved into Q
// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007).
func Haar(rng *rand.Rand, n int) (*mat.Dense, error) {
	if n < 1 {
		return nil, fmt.Errorf("orthogonal: size n = %d must be >= 1", n)
	}
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range n {
		if r.At(j, j) < 0 {
			for i := range n {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q, nil
}
