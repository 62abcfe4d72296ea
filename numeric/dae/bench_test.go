package dae

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchProblem is the numpy anchor's covariance (mf_dae_numpy.py): 2000 Gaussian data scaled by
// linspace(2, 0.1, D), sigma2 = 0.5, gamma = 0.
func benchProblem(d int) Problem {
	rng := rand.New(rand.NewPCG(1, 1))
	x := mat.NewDense(2000, d, nil)
	for i := range 2000 {
		for j := range d {
			x.Set(i, j, rng.NormFloat64()*(2-1.9*float64(j)/float64(d-1)))
		}
	}
	s := mat.NewSymDense(d, nil)
	s.SymRankK(s, 1.0/2000, x.T())
	return Problem{Sigma: s, Sigma2: 0.5}
}

// BenchmarkGD: full-batch gradient-descent steps at the DAE-9 setting (D = 196, H = 50) and at
// D = H = 196, in pixel space (the numpy user's problem) with the evaluation NewGD picks and with
// the other one, and in Sigma's eigenbasis. Reports steps/s.
func BenchmarkGD(b *testing.B) {
	for _, h := range []int{50, 196} {
		p := benchProblem(196)
		var es mat.EigenSym
		es.Factorize(p.Sigma, false)
		eig := Problem{Lambda: es.Values(nil), Sigma2: p.Sigma2}
		for _, c := range []struct {
			name  string
			p     Problem
			force int // 0: NewGD's choice, 1: factored, 2: product
		}{{"pixel", p, 0}, {"pixel-factored", p, 1}, {"pixel-product", p, 2}, {"eigenbasis", eig, 0}} {
			b.Run(fmt.Sprintf("D=196/H=%d/%s", h, c.name), func(b *testing.B) {
				g, err := NewGD(c.p, h, 0.01)
				if err != nil {
					b.Fatal(err)
				}
				if c.force != 0 {
					g.SetFactored(c.force == 1)
				}
				n, _ := RandomStart(196, h, 1e-3, 1)
				b.ResetTimer()
				for b.Loop() {
					g.step(n)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
