package props

import (
	simmf "github.com/dlt5/verify/numeric/meanfield"
	"pgregory.net/rapid"
)

// vanillaNet draws a vanilla network of width n where MF-1's mean-field map holds to well inside
// the test's resolution: the ordered phase sw2 in [0.2, 0.8] or the chaotic one sw2 in [1.5, 3],
// with a drive s = sv2 + sb2 of at least 0.05, from a start q_0 in [0.05, 3] (any start: the map
// is a statement about every step). Near sw2 = 1 with a tiny drive q_t converges slowly
// and the finite-width correction is large (8% at N = 2000 for Gaussian W, q* = 0.1, in the
// catalogue): that is where the property would measure N, not the map. Orthogonal W has no such
// correction (the catalogue), so its sw2 is drawn over the whole [0.2, 3], the critical region too.
func vanillaNet(n int) *rapid.Generator[simmf.Vanilla] {
	return rapid.Custom(func(t *rapid.T) simmf.Vanilla {
		orth := rapid.Bool().Draw(t, "orthogonal")
		sw2 := rapid.Float64Range(0.2, 0.8).Draw(t, "ordered sw2")
		switch {
		case orth && rapid.Bool().Draw(t, "critical region"):
			sw2 = rapid.Float64Range(0.8, 1.5).Draw(t, "critical sw2")
		case rapid.Bool().Draw(t, "chaotic"):
			sw2 = rapid.Float64Range(1.5, 3).Draw(t, "chaotic sw2")
		}
		return simmf.Vanilla{N: n, SW2: sw2, SV2: rapid.Float64Range(0.05, 1).Draw(t, "sv2"),
			SB2: rapid.Float64Range(0, 0.5).Draw(t, "sb2"), Orthogonal: orth,
			Start: rapid.Float64Range(0.05, 3).Draw(t, "start")}
	})
}
