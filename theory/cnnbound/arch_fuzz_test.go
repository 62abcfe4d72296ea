package cnnbound_test

import (
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/theory/cnnbound"
)

// FuzzArch covers every function of the package over fuzzed one- and two-layer architectures: an
// error or finite values, never a panic or NaN.
func FuzzArch(f *testing.F) {
	f.Add(28, 2, 5, 1, 8, 4, 2.0, 3, 1, 16, 8, 2.0, 3.0, 1e4, 0.05, 0.125)
	f.Add(32, 2, 5, 1, 16, 8, 3.0, 5, 1, 32, 16, 3.0, 5.0, 1e7, 0.05, 1.0)
	f.Add(0, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Add(28, 2, 5, 1, 8, 4, math.Inf(1), 3, 1, 16, 8, 1e300, 1e-300, 1e300, 1e-300, math.Inf(1))
	// Issue 17's probe: beta^2 with b = 1e200 and b_out = 1e-200 (NaN from 0 * Inf), B at
	// n = 1e308 (2n overflowed to 0), the output-layer constant NaN and -1.
	f.Add(28, 2, 5, 1, 8, 4, 1e200, 0, 0, 0, 0, 0.0, 1e-200, 1e308, 0.05, math.NaN())
	f.Add(28, 2, 5, 1, 8, 4, 1e200, 3, 1, 16, 8, 1e200, 1e-200, 1e4, 0.05, -1.0)
	f.Add(28, 2, 5, 1, 8, 4, 1.7e308, 3, 1, 64, 8, 1e308, 1e308, 1e308, 0.05, 1e308)
	// The audit's subnormal arguments: B(1, 1e-320) was +Inf (ln(4/eps) of 4/eps = +Inf), B at
	// n = 1e-320 with b = b_out = 1e300 was +Inf (num / n), the Sun et al. term at n = 1e-320,
	// b~ = 1e-300 was NaN (0 x Inf), and zeta = eps = 1e-320 with c_g = 1e-20 (2/zeta = +Inf).
	f.Add(28, 2, 5, 1, 8, 4, 2.0, 0, 0, 0, 0, 0.0, 3.0, 1.0, 1e-320, 0.125)
	f.Add(28, 2, 5, 1, 8, 4, 2.0, 0, 0, 0, 0, 0.0, 3.0, 1e4, 1e-320, 1e-20)
	f.Add(28, 2, 5, 1, 8, 4, 1e300, 0, 0, 0, 0, 0.0, 1e300, 1e-320, 0.05, 0.125)
	f.Add(28, 2, 5, 1, 8, 4, 1e-300, 0, 0, 0, 0, 0.0, 3.0, 1e-320, 0.05, 0.125)
	f.Fuzz(func(t *testing.T, r0, p, k1, s1, d1, a1 int, b1 float64, k2, s2, d2, a2 int, b2, bo, n, eps, c float64) {
		a := cnnbound.Arch{R0: r0, C0: r0, D0: 1, P: p, Layers: []cnnbound.Layer{{K: k1, S: s1, D: d1 % 64, A: a1, B: b1}}, Out: 10, OutA: 5, OutB: bo}
		if k2 > 0 {
			a.Layers = append(a.Layers, cnnbound.Layer{K: k2, S: s2, D: d2 % 64, A: a2, B: b2})
		}
		if r0 > 4096 || r0 < -4096 {
			return
		}
		th, err := a.Theta()
		fp.RequireFinite(t, "Theta", err, th)
		v, err := a.Varrho(n)
		fp.RequireFinite(t, "Varrho", err, v)
		v, err = a.Bound(n, eps)
		fp.RequireFinite(t, "Bound", err, v)
		v, err = a.Beta2()
		fp.RequireFinite(t, "Beta2", err, v)
		v, err = a.GradBound(n, eps, 12)
		fp.RequireFinite(t, "GradBound", err, v)
		v, err = a.StationaryDistance(n, eps, 12, 0.1)
		fp.RequireFinite(t, "StationaryDistance", err, v)
		v, err = a.SunRademacher(n, 1, b1)
		fp.RequireFinite(t, "SunRademacher", err, v)
		v, err = a.OutputGradBound(c)
		fp.RequireFinite(t, "OutputGradBound", err, v)
		v, err = a.StationaryDistance(n, eps, c, eps)
		fp.RequireFinite(t, "StationaryDistance(c_g = c, zeta = eps)", err, v)
	})
}
