package dae_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/dae"
)

// FuzzMode covers every function of the package: an error or a finite value, never a panic or NaN.
func FuzzMode(f *testing.F) {
	special := []float64{0, -1, 5e-324, 1e-300, 1e300, math.NaN(), math.Inf(1), 0.5, 3, 1e4}
	for i, v := range special {
		f.Add(v, special[(i+1)%len(special)], special[(i+2)%len(special)], special[(i+3)%len(special)], special[(i+4)%len(special)])
	}
	f.Add(1.0, 0.5, 0.0, 1e-3, 100.0)
	f.Add(1.0, 0.0, 1.0, 1e-3, 1e6)  // a = 0
	f.Add(0.0, 0.0, 1.0, 1.0, 1e300) // b = 0, a < 0
	f.Fuzz(func(t *testing.T, lambda, sigma2, gamma, u0, x float64) {
		m := dae.Mode{Lambda: lambda, Sigma2: sigma2, Gamma: gamma}
		v, err := m.U(u0, x)
		fp.RequireFinite(t, "U", err, v)
		v, err = m.UStar()
		fp.RequireFinite(t, "UStar", err, v)
		v, err = m.TFrac(u0, x)
		fp.RequireFinite(t, "TFrac", err, v)
		v, err = m.RHS(u0)
		fp.RequireFinite(t, "RHS", err, v)
		v, err = dae.MatchedGamma(lambda, sigma2)
		fp.RequireFinite(t, "MatchedGamma", err, v)
		v, err = dae.MatchedTimeRatio(lambda, sigma2)
		fp.RequireFinite(t, "MatchedTimeRatio", err, v)
	})
}
