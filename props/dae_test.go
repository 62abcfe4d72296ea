package props

import (
	"os"
	"slices"
	"testing"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// TestDAE1: the noise average over drawn W, x, sigma2 (D 2..6), each sample sized for a
// detectable error of 8% (at most 1e5 pairs, 1e6 single draws), and its control (the noise term
// off by 10%) rejected at D = 4, sigma2 = 1. Single draws keep the cross term -2 (x - W x)^T W e,
// whose variance relative to the noise term is about 8 / (D sigma2) (more when x - W x is large):
// they are drawn at sigma2 >= 1, where 1e6 draws reach the target (4e5 did not on soak seed
// 11000050: D = 2, sigma2 = 1 detected 11.3%; sigma2 = 0.01, D = 2 needs 7e6); the antithetic rows
// cover sigma2 down to 0.01.
func TestDAE1(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		single := rapid.Bool().Draw(t, "single draws")
		lo, most := 0.01, 100000
		if single {
			lo, most = 1, 1000000
		}
		c := NoiseCase{D: rapid.IntRange(2, 6).Draw(t, "D"), Sigma2: rapid.Float64Range(lo, 2).Draw(t, "sigma2"),
			Seed: rapid.Uint64().Draw(t, "seed"), Factor: 1, Single: single, Target: 0.08, MaxPairs: most}
		rs := DAE1(c)
		mustPass(t, rs...)
		mustDetect(t, 0.1, rs...)
	})
	// A random seed's case, sized by the pilot's skewness to 12,315 pairs, failed NormalApproxOK
	// (sample skewness 2.65 against 2.46): samples are sized, and gated, by the bound sqrt(8) now
	// (maxSkew).
	mustPass(t, DAE1(NoiseCase{D: 6, Sigma2: 1, Seed: 0x1a1, Factor: 1, Target: 0.08, MaxPairs: 100000})...)
	rows := DAE1(NoiseCase{D: 4, Sigma2: 1, Seed: 3, Factor: 0.9, Target: 0.08, MaxPairs: 100000})
	mustReject(t, rows...)
}

// TestDAE2: gradient descent's error against the closed form is O(alpha) over drawn cases; the
// closed form with its time scale off by 1% is rejected, and so is seed 12506's case run at the
// old step alpha lambda_1 = 0.04 (a horizon ending in exponential growth, where the ratio's
// second-order part reaches 5%), while at orderStep it passes.
func TestDAE2(t *testing.T) {
	t.Parallel() // a simulation of seconds, independent of the other tests: overlaps them on 2 cores
	rapid.Check(t, func(t *rapid.T) {
		c := flowCase(t)
		if !simulates(t, 4) {
			return
		}
		r, _ := DAE2(c)
		mustPass(t, r)
	})
	c := FlowCase{Lambda: []float64{2, 1, 0.5}, H: 2, Sigma2: 0.5, U0: 0.01, T: 8, Alpha: 0.02, Seed: 1, Formula: SlowRate}
	r, _ := DAE2(c)
	mustReject(t, r)
	growth := FlowCase{Lambda: []float64{0.265625, 0.25}, H: 1, Sigma2: 0.125, U0: 0.001, T: 8, Alpha: 0.04 / 0.265625}
	r, _ = DAE2(growth)
	mustReject(t, r)
	growth.Alpha = orderStep / 0.265625
	r, _ = DAE2(growth)
	mustPass(t, r)
}

// TestDAE3: gradient descent from a perturbed decoupled start reaches u* at step fractions 0.1,
// 0.5 and 0.95 of 1/lambda_1 over drawn cases (rotated or not, H <= D, with and without weight
// decay up to 0.8 lambda_H), not at 1.1 without it; the
// Hessian's largest eigenvalue is 2 lambda_1 - 2 gamma at gamma = 0 and at most 2 lambda_1 always;
// from a small random start W2 W1 reaches the top-H projector, not the bottom-H one.
func TestDAE3(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		c := flowCase(t)
		c.SumN = 0
		if c.Gamma > 0 { // every trained mode grows, at a rate of at least 0.2 lambda_H
			c.Gamma = rapid.Float64Range(0, 0.8*c.Lambda[c.H-1]).Draw(t, "gamma below lambda_H")
		}
		mustPass(t, DAE3Converge(c, rapid.SampledFrom([]float64{0.1, 0.5, 0.95}).Draw(t, "alpha fraction"), 1/c.Lambda[0]))
		rows := DAE3Hessian(c)
		if c.Gamma == 0 {
			mustPass(t, rows...)
		} else {
			mustPass(t, claim.Select(rows, "<= 2 lambda_1")...)
		}
	})
	c := FlowCase{Lambda: []float64{2, 1, 0.5}, H: 3, Sigma2: 0.5, U0: 0.01, Seed: 1, Rotated: true}
	mustReject(t, DAE3Converge(c, 1.1, 1/c.Lambda[0]))
	sc := SubspaceCase{Lambda: []float64{3, 2, 1.5, 0.3, 0.2, 0.1}, H: 3, Sigma2: 0.5, S: 0.01, Alpha: 0.05, T: 60, Seed: 2}
	mustPass(t, DAE3Subspace(sc))
	sc.Bottom = true
	mustReject(t, DAE3Subspace(sc))
}

// TestDAE3StableRangeFinding: with weight decay the catalogue's stable range alpha < 1/(lambda_1 -
// gamma) is too wide: at D = 2, H = 1, lambda = (0.25, 0.2), sigma2 = 1, gamma = 0.05 the
// Hessian's largest eigenvalue exceeds 2 (lambda_1 - gamma) and descent at 0.95/(lambda_1 - gamma)
// diverges.
func TestDAE3StableRangeFinding(t *testing.T) {
	t.Parallel()
	c := stableRangeCase()
	mustReject(t, claim.Select(DAE3Hessian(c), "= 2 (lambda_1 - gamma)")...)
	mustReject(t, DAE3Converge(c, 0.95, 1/(c.Lambda[0]-c.Gamma)))
}

// TestDAE4: the identities over drawn lambda, sigma2, u0, f, t, against quadrature and RK4 (a
// time ratio off by 1e-6 rejected); in simulation the time ratio to
// O(alpha) and u_DAE >= u_WD, with the swapped ratio rejected.
func TestDAE4(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		lam := rapid.Float64Range(0.05, 10).Draw(t, "lambda")
		s2 := rapid.Float64Range(0.01, 5).Draw(t, "sigma2")
		us := lam / (lam + s2)
		f := rapid.Float64Range(0.05, 0.95).Draw(t, "f")
		u0 := f * us * rapid.Float64Range(1e-4, 0.99).Draw(t, "u0/(f u*)")
		// t as a multiple of the time the DAE takes to reach f u*, so that the rows see the
		// transition and not only the saturated tail.
		th, err := dae.Mode{Lambda: lam, Sigma2: s2}.TFrac(u0, f)
		if err != nil {
			t.Fatal(err)
		}
		mustPass(t, DAE4Identities(lam, s2, u0, f, th*rapid.Float64Range(0, 4).Draw(t, "t/t_f"), nil)...)
	})
	mustReject(t, claim.Select(DAE4Identities(2.5, 0.5, 0.001, 0.9, 5, NearRatio), "t_f ratio")...)
	c := MatchedCase{Lambda: 1, Sigma2: 0.5, U0: 0.01, T: 12, Alpha: 0.02, Seed: 3}
	mustPass(t, DAE4Sim(c)...)
	c.Ratio = SwappedRatio
	mustReject(t, claim.Select(DAE4Sim(c), "error ratio")...)
}

// TestDAE5: the low-variance statements over drawn modes; the condition without 2 gamma is rejected
// on a mode with gamma > 0 where it matters.
func TestDAE5(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := dae.Mode{Lambda: rapid.Float64Range(0, 5).Draw(t, "lambda"), Sigma2: rapid.Float64Range(0, 5).Draw(t, "sigma2")}
		if rapid.Bool().Draw(t, "decay") {
			m.Gamma = rapid.Float64Range(0, 3).Draw(t, "gamma")
		}
		u0 := rapid.Float64Range(1e-4, 1).Draw(t, "u0")
		mustPass(t, DAE5(m, u0, []float64{0, 0.5, 2, 10, 100}, nil)...)
	})
	wrong := func(m dae.Mode) bool { return m.Lambda <= m.Sigma2 }
	mustReject(t, claim.Select(DAE5(dae.Mode{Lambda: 1, Sigma2: 0.5, Gamma: 0.3}, 0.01, nil, wrong), "iff the condition")...)
}

// TestDAE6: monotonicity from u0 <= 0.1 f u* over drawn modes; from u0 = 0.9 f u* t_f grows with
// lambda (the control).
func TestDAE6(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m := dae.Mode{Lambda: rapid.Float64Range(0.1, 5).Draw(t, "lambda"), Sigma2: rapid.Float64Range(0, 5).Draw(t, "sigma2")}
		m.Gamma = m.Lambda * rapid.Float64Range(0, 0.5).Draw(t, "gamma/lambda")
		f := rapid.Float64Range(0.05, 0.95).Draw(t, "f")
		mustPass(t, DAE6(m, f, rapid.Float64Range(1e-6, 0.1).Draw(t, "u0/(f u*)"), 1e-3)...)
	})
	mustReject(t, claim.Select(DAE6(dae.Mode{Lambda: 1, Sigma2: 1}, 0.5, 0.9, 1e-3), "t_f decreases in lambda")...)
}

// TestDAE7: the invariant's one-step identity, its deviation within the O(alpha) bound and the
// bound's order, with and without weight decay over drawn cases; the decay e^{-gamma t} (the 2
// dropped) and the identity's shrink without its square are rejected.
func TestDAE7(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(2, 5).Draw(t, "D")
		lam := daeLambdas(t, d)
		big := 0.0
		for _, l := range lam {
			big = max(big, l)
		}
		c := InvariantCase{Lambda: lam, H: rapid.IntRange(1, d).Draw(t, "H"), Sigma2: rapid.Float64Range(0, 1).Draw(t, "sigma2"),
			S: 0.3, Alpha: 0.01 / big, T: 1, Seed: rapid.Uint64().Draw(t, "seed")}
		if rapid.Bool().Draw(t, "decay") {
			c.Gamma = rapid.Float64Range(0.01, 0.3).Draw(t, "gamma")
		}
		mustPass(t, DAE7(c)...)
	})
	// A soak's case: |Q| is 1e-3 of the terms it is the difference of (H = 1, nearly balanced), so
	// the identity's residual is measured against the terms' size, not |Q| (7.4e-10 against |Q|).
	mustPass(t, DAE7(InvariantCase{Lambda: []float64{3, 1, 1, 1}, H: 1, Sigma2: 0.5, S: 0.3, Alpha: 0.01 / 3, T: 1, Seed: 0x782d})...)
	c := InvariantCase{Lambda: []float64{2, 1, 0.5}, H: 2, Sigma2: 0.5, Gamma: 0.2, S: 0.3, Alpha: 0.005, T: 1, Seed: 4, Decay: 0.2}
	mustReject(t, claim.Select(DAE7(c), "within the O(alpha) bound")...)
	c.Decay, c.Linear = 0, true
	mustReject(t, claim.Select(DAE7(c), "one-step identity")...)
	c.Linear, c.Raw = false, true
	mustReject(t, claim.Select(DAE7(c), "one-step identity")...)
	// The soak case with weight decay: the decay term left in the gradients is 6e-11 of the
	// terms' size, which the old bound 1e-10 let through.
	soak := InvariantCase{Lambda: []float64{3, 1, 1, 1}, H: 1, Sigma2: 0.5, Gamma: 0.1, S: 0.3, Alpha: 0.01 / 3, T: 1, Seed: 0x782d}
	mustPass(t, claim.Select(DAE7(soak), "one-step identity")...)
	soak.Raw = true
	mustReject(t, claim.Select(DAE7(soak), "one-step identity")...)
}

// TestDAE8: the sampled-noise SGD tracks u(t) over drawn cases (D 2..4, 32 data, 24 streams, alpha
// lambda_1 = 0.02, times 1, 2, 4, with or without weight decay); the noise-free closed form is
// rejected.
func TestDAE8(t *testing.T) {
	t.Parallel() // a simulation of seconds, independent of the other tests: overlaps them on 2 cores
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(2, 4).Draw(t, "D")
		lam := daeLambdas(t, d)
		c := SGDCase{Lambda: lam, H: rapid.IntRange(1, d).Draw(t, "H"), N: 32, Runs: 24, Sigma2: rapid.Float64Range(0.1, 1).Draw(t, "sigma2"),
			U0: rapid.Float64Range(0.01, 0.1).Draw(t, "u0"), Alpha: 0.02 / lam[0], Times: []float64{1, 2, 4}, Seed: rapid.Uint64().Draw(t, "seed")}
		if rapid.Bool().Draw(t, "decay") {
			c.Gamma = rapid.Float64Range(0, 0.5*lam[len(lam)-1]).Draw(t, "gamma")
		}
		if !simulates(t, 4) {
			return
		}
		rs := DAE8(c)
		mustPass(t, rs...)
		// Antithetic pairs (the mean of e and -e halves the median MDE: 3.9% -> 1.75%); the
		// Student-t critical value falls from 15.7 at 15 degrees of freedom (16 pairs: the worst rows,
		// t = 4 on a weak mode at sigma2 near 1, detected up to 14%) to 11.1 at 23, so 24 pairs cut
		// the MDE by 1.73 for 1.5 times the cost. The command's rows (64 pairs) detect at most 1.7%.
		mustDetect(t, 0.1, rs...)
	})
	c := SGDCase{Lambda: []float64{2, 1}, H: 2, N: 32, Runs: 16, Sigma2: 1, U0: 0.05, Alpha: 0.01, Times: []float64{4}, Seed: 5, Formula: NoiseFree}
	mustReject(t, DAE8(c)...)
}

// TestDAE9 runs the real-data claim at the command's setting (5000 images, H = 50: about 5 s),
// its control (the authors' u0), and the figure. Without the data set it skips, saying why, unless
// the environment requires the data (.ci/run sets DLT5_REQUIRE_DATA=1), where it fails.
func TestDAE9(t *testing.T) {
	t.Parallel() // a simulation of seconds, independent of the other tests: overlaps them on 2 cores
	skipHeavy(t)
	rows, res := realOutcome(realCase(1))
	if r := claim.Only(rows); r.Skipped() {
		t.Skip(r.Skip)
	}
	mustPass(t, rows...)
	f, err := realFigure(realCase(1), *res)
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	for _, r := range rows {
		t.Logf("%s", r)
	}
	wrong := *res
	wrong.HalfClosed = nil
	for i := range res.Half {
		tf, err := dae.Mode{Lambda: res.Lambda[i], Sigma2: 0.5}.TFrac(res.U0Authors, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		wrong.HalfClosed = append(wrong.HalfClosed, tf)
	}
	mustReject(t, authorsControl(realCase(1), wrong)...)
	forgot := *res
	forgot.UStar = []float64{1, 1, 1, 1, 1}
	forgot.RatioTh = 1
	rows = DAE9(realCase(1), forgot)
	mustReject(t, claim.One(rows, "mode 5 final u"), claim.One(rows, "weight decay matched"))
}

// TestDAE9Long (-long; use -rapid.checks=24, about 6 s a run) is DAE-9's rapid-driven property at
// the catalogue's setting: the start's seed is drawn. (At a smaller setting the effective u0 is
// less accurate: with 1000 images pooled 4 x 4 to D = 49 and H = 10, mode 1's half-time was 18% off
// at the 15th drawn seed; the per-mode balanced part fluctuates like sqrt(2/H).)
func TestDAE9Long(t *testing.T) {
	t.Parallel()
	if !*long {
		t.Skip("about 6 s a run: run with -long -rapid.checks=24")
	}
	c := realCase(1)
	if _, err := os.Stat(c.Path); err != nil && !dataRequired() {
		t.Skipf("Fashion-MNIST not installed (%v)", err)
	}
	rapid.Check(t, func(t *rapid.T) {
		c.Seed = rapid.Uint64().Draw(t, "start seed")
		res, err := c.RunReal()
		if err != nil {
			t.Fatal(err)
		}
		mustPass(t, DAE9(c, res)...)
	})
}

// TestDAE9MissingData: a missing file is a SKIP with its reason, or a failure when the data are
// required.
func TestDAE9MissingData(t *testing.T) {
	t.Parallel()
	c := realCase(1)
	c.Path = t.TempDir() + "/absent.gz"
	rows, _ := realOutcome(c)
	if dataRequired() {
		if r := claim.Only(rows); len(rows) != 1 || r.Pass || r.Skipped() {
			t.Fatalf("data required, yet a missing file gave %v", rows)
		}
		return
	}
	if r := claim.Only(rows); len(rows) != 1 || !r.Skipped() || r.Pass {
		t.Fatalf("a missing file gave %v, want one SKIP row", rows)
	}
}

func TestGoldenDAE(t *testing.T) {
	t.Parallel()
	entries, err := daeGolden()
	if err != nil {
		t.Fatal(err)
	}
	claim.CheckGolden(t, "../golden/dae.json", entries, *update)
	if n := len(entries); n != 24+24*8+24*2 {
		t.Fatalf("dae grid has %d entries, the reference grid has %d", n, 24+24*8+24*2)
	}
}

// TestDAEFigures builds the synthetic figures and checks their shape.
func TestDAEFigures(t *testing.T) {
	t.Parallel()
	c := daeFlowCases(1)[1]
	c.T = 4
	for _, build := range []func() (claim.Figure, error){func() (claim.Figure, error) { return curvesFigure(c) }, tfFigure} {
		f, err := build()
		if err != nil {
			t.Fatal(err)
		}
		checkFigure(t, f)
	}
}

// TestDAE1PowerSameProblem: the power control's fresh run keeps W and x and draws new noise.
func TestDAE1PowerSameProblem(t *testing.T) {
	t.Parallel()
	c := NoiseCase{D: 4, Sigma2: 1, Seed: 7, Factor: 1, Pairs: 64}
	fc := c
	fc.Fresh = 7 + freshSeed
	w, dir, x := c.setup()
	fw, fdir, fx := fc.setup()
	if !mat.Equal(w, fw) || !mat.Equal(dir, fdir) || !slices.Equal(x, fx) {
		t.Fatal("the fresh run changed W, x or the direction")
	}
	_, a := dae1(c)
	_, same := dae1(c)
	_, b := dae1(fc)
	if len(a) != 2 || len(same) != 2 || len(b) != 2 || a[0].Mean != same[0].Mean || a[1].Mean != same[1].Mean || a[0].Mean == b[0].Mean || a[1].Mean == b[1].Mean {
		t.Fatalf("the same seed must draw the same noise and a fresh one new noise: %v, %v, %v", a, same, b)
	}
}
