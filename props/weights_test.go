package props

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"pgregory.net/rapid"
)

// TestLawSecondMoments checks every law's stated E|w|^2 against its samples (z-test; |w|^2 has
// skewness at most sqrt(8/d) times the law's radial spread, inside NormalApproxOK at this n).
func TestLawSecondMoments(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 12).Draw(t, "d")
		var law weights.Law
		if rapid.Bool().Draw(t, "iid") {
			law = iidLaw().Draw(t, "law")
		} else {
			law = moderateRotLaw().Draw(t, "law")
		}
		w := make([]float64, d)
		if !law.RotationallyInvariant() {
			// w_i^2 has skewness up to ~10 (centred exponential; Laplace 7); a sum of d of them
			// 10/sqrt(d): d >= 4 keeps the mean of 1e5 inside NormalApproxOK.
			d = rapid.IntRange(4, 12).Draw(t, "d for an i.i.d. law")
			w = make([]float64, d)
		}
		seed := rapid.Uint64().Draw(t, "seed")
		rng := rand.New(rand.NewPCG(seed, 2))
		var m stats.Moments
		for range 100000 {
			law.Fill(rng, w)
			m.Add(dot(w, w))
		}
		est := stats.FromMoments(m, nil, 0)
		if _, sphere := law.(weights.Sphere); sphere {
			// |w|^2 = R^2 exactly: its spread is rounding, and has no meaningful skewness.
			mustPass(t, RelCheck("E|w|^2 on a sphere", est.Mean, law.SecondMoment(d), law.SecondMoment(d), 1e-14))
			return
		}
		if !NormalApproxOK(est) {
			t.Fatalf("%s: |w|^2 too skewed for the z-test (g1 = %.3g)", law.Name(), est.Skewness)
		}
		// |w|^2 is a sum of d rounded squares: good to ~1e-15 relative (exactly constant on a sphere).
		mustPass(t, MeanCheckWithin(fmt.Sprintf("E|w|^2 of %s, d=%d", law.Name(), d), est, law.SecondMoment(d), 1e-14*law.SecondMoment(d), seed))
	})
}

// TestKER4DiagonalSymmetric: for every symmetric i.i.d. law the diagonal k(x, x) is exact at
// every d (KER-4).
func TestKER4DiagonalSymmetric(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		law := iidLaw().Filter(func(l weights.Law) bool { return l.Symmetric() }).Draw(t, "law")
		mustPass(t, KER4Diagonal(law, rapid.Float64Range(0, 1).Draw(t, "a"), CLTInputs, rapid.IntRange(1, 8).Draw(t, "d"),
			propN/2, rapid.Uint64().Draw(t, "seed")))
	})
}
