package props

import (
	"slices"
	"testing"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

func refArch(t interface{ Fatal(...any) }, name string) cnnbound.Arch {
	a, err := cnnbound.Reference(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestCNN2: the dependence on n over drawn n (1e3 .. 1e8, where the bound is defined) and eps, on
// A1..A3; the slope theta/2 (a dropped factor) is rejected.
func TestCNN2(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := refArch(t, rapid.SampledFrom([]string{"A1", "A2", "A3"}).Draw(t, "arch"))
		c := BoundCase{Arch: a, N: rapid.Float64Range(1e3, 1e8).Draw(t, "n"), Eps: rapid.Float64Range(1e-4, 0.5).Draw(t, "eps")}
		mustPass(t, CNN2(c)...)
	})
	// Where B still rises with n (A1, 48 < n < 130).
	for _, n := range []float64{60, 100} {
		mustPass(t, CNN2(BoundCase{Arch: refArch(t, "A1"), N: n, Eps: 0.05})...)
	}
	a := refArch(t, "A1")
	theta, err := a.Theta()
	if err != nil {
		t.Fatal(err)
	}
	mustReject(t, claim.Select(CNN2(BoundCase{Arch: a, N: 1e4, Eps: 0.05, Slope: theta / 2}), "d(2n B^2)/d ln n = theta")...)
}

// TestCNN3: the logarithmic dependence on every magnitude over drawn n and eps on A1..A3; the
// slope (l + 1) theta (the scaling law's constant put in the single-b derivative) is rejected.
func TestCNN3(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := refArch(t, rapid.SampledFrom([]string{"A1", "A2", "A3"}).Draw(t, "arch"))
		c := BoundCase{Arch: a, N: rapid.Float64Range(1e4, 1e8).Draw(t, "n"), Eps: rapid.Float64Range(1e-4, 0.5).Draw(t, "eps")}
		mustPass(t, CNN3(c, []float64{1.5, 10, 100})...)
		mustPass(t, CNN3Depth([]int{1, 2, 3, 4}, rapid.Float64Range(1, 10).Draw(t, "b"), c.N, c.Eps))
	})
	a := refArch(t, "A2")
	theta, err := a.Theta()
	if err != nil {
		t.Fatal(err)
	}
	mustReject(t, claim.Select(CNN3(BoundCase{Arch: a, N: 1e5, Eps: 0.05, Slope: 3 * theta}, []float64{10}), "d ln b_1 = theta")...)
}

// TestCNN4: kernel, stride, pooling, channels, eps and theta on A1 and A2 over drawn n and eps;
// the pooling slopes -(l+1), -(2l+1) and -3l times theta are rejected on A2.
func TestCNN4(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := refArch(t, rapid.SampledFrom([]string{"A1", "A2"}).Draw(t, "arch"))
		c := BoundCase{Arch: a, N: rapid.Float64Range(1e4, 1e8).Draw(t, "n"), Eps: rapid.Float64Range(1e-4, 0.5).Draw(t, "eps")}
		mustPass(t, CNN4(c, 0)...)
	})
	for _, wrong := range []float64{3, 5, 6} { // -(l+1), -(2l+1), -3l on A2 (l = 2)
		rows := CNN4(BoundCase{Arch: refArch(t, "A2"), N: 1e5, Eps: 0.05}, wrong)
		mustReject(t, claim.Select(rows, "doubling p")...)
	}
}

// TestCNN5: depth moves B both ways (A1 -> A2 down; a wide third layer up), and varrho is affine in
// the number of identical layers; a pair that does not move the claimed way is rejected.
func TestCNN5(t *testing.T) {
	t.Parallel()
	down, up := depthPairs()
	mustPass(t, CNN5(down, up, 1e5, 0.05, nil)...)
	mustReject(t, claim.Select(CNN5(up, up, 1e5, 0.05, nil), "B falls from")...)
}

func TestGoldenCNNBound(t *testing.T) {
	t.Parallel()
	entries, err := cnnboundGolden()
	if err != nil {
		t.Fatal(err)
	}
	claim.CheckGolden(t, "../golden/cnnbound.json", entries, *update)
	if n := len(entries); n != 3*3+3*4*2 {
		t.Fatalf("cnnbound grid has %d entries, the reference grid has %d", n, 3*3+3*4*2)
	}
}

// TestCNN1: the built layers match the recursion and count d weights on A1..A3 and on drawn valid
// one-layer architectures; the recursion without its + 1 is rejected.
func TestCNN1(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"A1", "A2", "A3"} {
		mustPass(t, CNN1(refArch(t, name), nil)...)
	}
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 5).Draw(t, "k")
		s := rapid.IntRange(1, k).Draw(t, "s")
		p := rapid.IntRange(1, 3).Draw(t, "p")
		o := p * rapid.IntRange(1, 4).Draw(t, "pooled rows")
		oc := p * rapid.IntRange(1, 4).Draw(t, "pooled cols")
		r0, c0 := k+s*(o-1), k+s*(oc-1)
		a := cnnbound.Arch{Name: "drawn", R0: r0, C0: c0, D0: rapid.IntRange(1, 3).Draw(t, "d0"), P: p,
			Layers: []cnnbound.Layer{{K: k, S: s, D: rapid.IntRange(1, 4).Draw(t, "d"), A: rapid.IntRange(1, 4).Draw(t, "a"), B: 1}}, Out: 3, OutA: 1, OutB: 1}
		mustPass(t, CNN1(a, nil)...)
	})
	mustReject(t, claim.Select(CNN1(refArch(t, "A2"), func(r, k, s int) int { return (r - k) / s }), "built conv sizes")...)
}

// TestCNN1Formulas: theory's theta, d, varrho, B and beta^2 equal their recomputation from the
// built network on A1..A3 and on drawn architectures of one to three layers (every layer's k, s,
// channels, rank and bound drawn; non-square inputs); also CNN-1 .. CNN-5's built-theta rows on
// the drawn architectures.
func TestCNN1Formulas(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"A1", "A2", "A3"} {
		mustPass(t, CNN1Formulas(refArch(t, name), nil)...)
	}
	rapid.Check(t, func(t *rapid.T) {
		a := drawCNNArch(t)
		mustPass(t, CNN1(a, nil)...)
		mustPass(t, CNN1Formulas(a, nil)...)
		c := BoundCase{Arch: a, N: rapid.Float64Range(1e6, 1e9).Draw(t, "n"), Eps: rapid.Float64Range(1e-4, 0.5).Draw(t, "eps")}
		if _, err := a.Bound(c.N, c.Eps); err == nil {
			mustPass(t, CNN2(c)...)
		}
	})
}

// TestCNNPerturbedFormulas: each deliberately perturbed closed form (theta without the output
// block's + 1, varrho with 2p for 4p, beta^2 with 8 p^2 for 16 p^2) is rejected by the same
// comparisons the claims make with theory's: CNN-1's row against the built network on A1..A3 and
// on drawn architectures; for the theta error also CNN-2's d(2n B^2)/d ln n = theta and B(n)
// rows and CNN-3's d(2n B^2)/d ln b_1 row; for the varrho error also CNN-2's B(n) row, CNN-4's
// slope in theta and CNN-5's per-layer term. Theory's own forms pass all of them (the other
// tests).
func TestCNNPerturbedFormulas(t *testing.T) {
	t.Parallel()
	for _, w := range wrongFormNames {
		for _, name := range []string{"A1", "A2", "A3"} {
			mustReject(t, claim.One(CNN1Formulas(refArch(t, name), wrongForms(w)), wrongFormRow[w]))
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a := drawCNNArch(t)
		w := rapid.SampledFrom(wrongFormNames).Draw(t, "wrong")
		mustReject(t, claim.One(CNN1Formulas(a, wrongForms(w)), wrongFormRow[w]))
	})
	a2 := refArch(t, "A2")
	theta := BoundCase{Arch: a2, N: 1e5, Eps: 0.05, Forms: wrongForms("theta-dropped-1")}
	rows := CNN2(theta)
	mustReject(t, claim.One(rows, "d(2n B^2)/d ln n = theta"), claim.One(rows, "B(n) = the built network's"))
	mustReject(t, claim.One(CNN3(theta, []float64{10}), "d ln b_1 = theta"))
	varrho := BoundCase{Arch: a2, N: 1e5, Eps: 0.05, Forms: wrongForms("varrho-2p")}
	mustReject(t, claim.One(CNN2(varrho), "B(n) = the built network's"))
	mustReject(t, claim.One(CNN4(varrho, 0), "affine in theta"))
	down, up := depthPairs()
	mustReject(t, claim.One(CNN5(down, up, 1e5, 0.05, wrongForms("varrho-2p")), "adds the built layer's log term"))
}

// TestCNN6: on A1 (8 nets x 8 inputs) the loss is in [0, 1], the corrected output-layer bound and
// the beta bound hold, also at the adversarial weights (q = 1/3); the paper's 1/8 fails there
// (the finding's property).
func TestCNN6(t *testing.T) {
	t.Parallel()
	c := ProofCase{Arch: refArch(t, "A1"), Nets: 8, Inputs: 8, Seed: 1, OutConst: cnnbound.CorrectedOutputConst, AdversarialQs: []float64{1.0 / 3}}
	rows, adv := CNN6(c)
	mustPass(t, rows...)
	c.OutConst = cnnbound.PaperOutputConst
	rows, _ = CNN6(c)
	mustReject(t, claim.Select(rows, "adversarial q=0.3333: |grad_out|^2")...)
	if !(adv[0] > 0.99*cnnbound.CorrectedOutputConst) {
		t.Fatalf("the adversarial weights reach %v of rt ct d_l, want about 128/729", adv[0])
	}
	for _, name := range []string{"A2", "A3"} {
		mustPass(t, CNN6Flat(refArch(t, name), 1.0/3)...)
	}
	flat := CNN6Flat(refArch(t, "A1"), 1.0/3)
	mustPass(t, claim.Select(flat, "|grad_out|^2")...)
	mustReject(t, claim.Select(flat, "|grad|^2 / beta^2")...) // the beta-bound finding
}

// TestCNN7: the sup-over-weights gradient deviation's slope on S1 at go test's settings (2048
// replicates; a simulation of seconds: a table, not a rapid property; CNN-1 .. CNN-5 carry the
// paper's rapid properties) passes and detects a 10% error of the slope; the near-miss slope -0.4
// and the power control are rejected; the figures' shapes.
func TestCNN7(t *testing.T) {
	t.Parallel() // a simulation of seconds, independent of the other tests: overlaps them on 2 cores
	skipHeavy(t)
	c := mcCase(1, claim.Quick) // TestControls' seed: one simulation serves both (mcRuns)
	r, res := CNN7(c)
	mustPass(t, r)
	if !(r.MDE <= 0.1) {
		t.Fatalf("CNN-7 detects %.3g of the slope, the target is 10%%: %s", r.MDE, r)
	}
	mustReject(t, cnn7Controls(1, claim.Quick)...)
	figs, err := deviationFigures(c, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, build := range []func() (claim.Figure, error){boundFigure, magnitudeFigure} {
		f, err := build()
		if err != nil {
			t.Fatal(err)
		}
		figs = append(figs, f)
	}
	for _, f := range figs {
		checkFigure(t, f)
	}
	if n, ratio, _, _ := res.looseness(); n != 10000 || !(ratio > 1) {
		t.Fatalf("looseness B(%d) / sup gap = %v", n, ratio)
	}
}

// TestCNN7Long (-long) fits the slope over n = 1e2 .. 1e5 (population 1e4, 2048 replicates).
func TestCNN7Long(t *testing.T) {
	t.Parallel()
	if !*long {
		t.Skip("heavy (n to 1e5): run with -long")
	}
	c := MCCase{Arch: mcArch(), M: 10000, Ns: []int{100, 316, 1000, 3162, 10000, 31623, 100000}, Reps: 2048, Weights: 8, Seed: 7}
	r, _ := CNN7(c)
	t.Logf("%s", r)
	mustPass(t, r)
}

// TestCNN7PowerSameProblem: the power control's fresh run keeps the weight vectors and the
// population (the problem) and draws new samples. With a fresh seed for everything its SE was up
// to 30 times the base row's, and the control failed to reject at 7 of 12 seeds.
func TestCNN7PowerSameProblem(t *testing.T) {
	t.Parallel()
	c := mcCase(5, claim.Quick)
	fc := c
	fc.Fresh = 5 + freshSeed
	u, err1 := c.uniform()
	fu, err2 := fc.uniform()
	if err := claim.FirstErr(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.TraceCov, fu.TraceCov) || !slices.Equal(u.PopLoss, fu.PopLoss) {
		t.Fatalf("the fresh run changed the problem: tr Cov %v, %v", u.TraceCov, fu.TraceCov)
	}
	c.Reps, fc.Reps = 3, 3
	a, err1 := c.run()
	b, err2 := fc.run()
	if err := claim.FirstErr(err1, err2); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.sup[0], b.sup[0]) {
		t.Fatal("the fresh run drew the same samples")
	}
}
