// Package orthogonal samples Haar-distributed (uniformly random) orthogonal matrices, needed to
// check rotational invariance (kernel paper, KER-3) and for orthogonal initialisations.
package orthogonal

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// MaxN is the largest size Haar accepts: an n x n matrix is n^2 float64s (128 MiB at MaxN) and
// its QR decomposition O(n^3) work.
const MaxN = 4096

// Haar returns an n x n orthogonal matrix drawn from the Haar measure: the Q factor of the QR
// decomposition of a standard Gaussian matrix, with the signs of R's diagonal moved into Q
// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007).
// Errors: a nil rng, n < 1, n > MaxN.
func Haar(rng *rand.Rand, n int) (*mat.Dense, error) {
	if rng == nil {
		return nil, errors.New("orthogonal: the random source rng is nil")
	}
	if n < 1 || n > MaxN {
		return nil, fmt.Errorf("orthogonal: size n = %d must be in [1, MaxN = %d]", n, MaxN)
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
