package props

import (
	"math"
	"testing"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
	"pgregory.net/rapid"
)

func TestGoldenMeanfield(t *testing.T) {
	entries, err := meanfieldGolden()
	if err != nil {
		t.Fatal(err)
	}
	claim.CheckGolden(t, "../golden/meanfield.json", entries, *update)
	if n := len(entries); n != 2*15+3*4+3*16+5 {
		t.Fatalf("meanfield grid has %d entries, the reference grid has %d", n, 2*15+3*4+3*16+5)
	}
}

// TestMF1 drives the variance map check at width 200 (100 for orthogonal W, whose Haar draw costs
// O(N^3)) with 24 networks over 6 steps (the command runs width 1000, 64 networks, 30 steps): the
// finite-width correction, O(1/N), stays inside the t-test's resolution in the generator's phases.
func TestMF1(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		net := vanillaNet(200).Draw(t, "net")
		if net.Orthogonal {
			net.N = 100
		}
		mustPass(t, MF1(VarianceMapCase{Net: net, Steps: 6, Seeds: 24, Seed: rapid.Uint64().Draw(t, "seed")})...)
	})
}

// TestMF1Control: comparing step 1 with q_2 is rejected: the map moves q by sw2 E[tanh^2(sqrt(s) z)]
// (at least 0.2 x 0.045 here), while the variance-reduced first step, s plus a cross term of SD
// 2 sqrt(sv2 sb2 / N), is resolved to about 1e-3.
func TestMF1Control(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		net := vanillaNet(100).Draw(t, "net")
		mustReject(t, MF1(VarianceMapCase{Net: net, Steps: 1, Seeds: 24, Seed: rapid.Uint64().Draw(t, "seed"), Offset: 1})...)
	})
}

// TestMF8 holds the quadrature to the erf closed form over drawn variances and correlations (in two
// dimensions: a few dozen draws' worth of time), and rejects the closed form without its 2s.
func TestMF8(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		if rapid.IntRange(0, 4).Draw(t, "run") != 0 { // a fifth of the draws: each is a 2-D quadrature
			return
		}
		c := Oracle{S11: math.Pow(10, rapid.Float64Range(-3, 3).Draw(t, "log10 s11")), S22: math.Pow(10, rapid.Float64Range(-3, 3).Draw(t, "log10 s22")),
			Rho: rapid.Float64Range(-1, 1).Draw(t, "rho")}
		mustPass(t, MF8(c))
	})
	mustReject(t, MF8(Oracle{S11: 1, S22: 2, Rho: 0.8, Formula: WrongErfProduct}))
}

// TestMF3Identity: the identity over the catalogue's ranges (mu_b in [-4, 4], sw up to 3).
func TestMF3Identity(t *testing.T) {
	t.Parallel() // deterministic
	rapid.Check(t, func(t *rapid.T) {
		mustPass(t, MF3Identity(meanfield.Minimal{MuB: rapid.Float64Range(-4, 4).Draw(t, "mu_b"), SW: rapid.Float64Range(0, 3).Draw(t, "sw"),
			SV: rapid.Float64Range(0, 2).Draw(t, "sv"), SB: rapid.Float64Range(0, 1).Draw(t, "sb"), R: rapid.Float64Range(0.1, 4).Draw(t, "R")}))
	})
}

// TestMF3Annealed drives the annealed check at width 48 with 48 networks over 4 steps (the command
// runs width 300, 64 networks, 40 steps). Its off-by-one control is TestMF3AnnealedControl.
func TestMF3Annealed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		net := simmf.Minimal{N: 48, MuB: rapid.Float64Range(-2, 2).Draw(t, "mu_b"), SW: rapid.Float64Range(0.5, 3).Draw(t, "sw"),
			SV: rapid.Float64Range(0.5, 1.5).Draw(t, "sv"), SB: rapid.Float64Range(0, 1).Draw(t, "sb"), R: 1, Annealed: true}
		mustPass(t, MF3Annealed(MinimalCase{Net: net, Steps: 4, Seeds: 48, Seed: rapid.Uint64().Draw(t, "seed")})...)
	})
}

// TestMF3AnnealedControl: step 1 compared with Q_2 is rejected at the command's setting (fixed
// seeds). In a drawn property at small widths it is not reliably: at N = 64 with 64 networks and
// mu_b = -1, sw = 1 the step-1 estimate's SE (0.016, from z's per-unit noise) left it at z = 5.6.
func TestMF3AnnealedControl(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		net := simmf.Minimal{N: 300, MuB: 0, SW: 1, SV: 1, SB: 0.5, R: 1, Annealed: true}
		mustReject(t, MF3Annealed(MinimalCase{Net: net, Steps: 1, Seeds: 64, Seed: seed, Offset: 1})...)
	}
}

// TestMF3TiedGap: the finding holds at two widths (fixed seeds): the tied network's stationary Q is
// outside the bound around Q*, by about -27%.
func TestMF3TiedGap(t *testing.T) {
	for _, n := range []int{100, 400} {
		r := MF3Tied(tiedCase(n, 1), 30)
		mustReject(t, r)
		t.Logf("finding: %s", r.Detail)
	}
}
