package meanfield

import (
	"fmt"
	"math"
)

// ErfProduct returns E[erf(A) erf(B)] for (A, B) zero-mean bivariate normal with variances s11,
// s22 and covariance s12, in closed form (catalogue MF-8, the oracle for the quadrature):
//
//	(2/pi) arcsin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22))).
//
// Dimensionless. Errors: negative or non-finite variances, |s12| > sqrt(s11 s22).
func ErfProduct(s11, s22, s12 float64) (float64, error) {
	if err := checkParams([]string{"s11", "s22"}, s11, s22); err != nil {
		return 0, err
	}
	// sqrt(s11) sqrt(s22), not sqrt(s11 s22): the product overflows for variances near 1e308.
	if bound := math.Sqrt(s11) * math.Sqrt(s22); math.IsNaN(s12) || math.Abs(s12) > bound*(1+1e-12) {
		return 0, fmt.Errorf("meanfield: covariance %v exceeds sqrt(s11 s22) = %v", s12, bound)
	}
	// 2 s12 / sqrt((1 + 2 s11)(1 + 2 s22)) written so that no factor overflows.
	arg := s12 / (math.Sqrt(0.5+s11) * math.Sqrt(0.5+s22))
	return 2 / math.Pi * math.Asin(math.Max(-1, math.Min(1, arg))), nil
}
