package meanfield

import (
	"math"
	"testing"
)

// BenchmarkCovarianceMap is one two-dimensional quadrature of the covariance map at the MF-2
// scale (q = 0.7, c = 0.6): the theory's unit of cost in MF-2's root searches and figures.
func BenchmarkCovarianceMap(b *testing.B) {
	for b.Loop() {
		if _, err := CovarianceMap(0.7, 0.7, 0.42, 1.5, 0.1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpect2 is the general rule on the same integrand, for comparison with the product
// path CovarianceMap takes.
func BenchmarkExpect2(b *testing.B) {
	f := func(a, b float64) float64 { return math.Tanh(a) * math.Tanh(b) }
	for b.Loop() {
		if _, err := Expect2(f, 0, 0, 0.7, 0.7, 0.42); err != nil {
			b.Fatal(err)
		}
	}
}
