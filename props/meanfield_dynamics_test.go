package props

import (
	"testing"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
	"pgregory.net/rapid"
)

// The default settings of MF-2 and MF-4 .. MF-7 are small (widths 100-300, 8-24 networks, a few
// steps): the command runs the registered settings. Draws that cost two-dimensional quadrature
// (the covariance map, about 35 ms a step) run on a sixth of rapid's draws (16%, simulates).

// TestMF2 drives the covariance map check over both phases and both input kinds at width 200, 4
// pairs per network (its q_ab rows; the c* row holds only where c* < 1). A smoke property over the
// parameter space, not a power test: at width 200 and 16 networks its rows detect 10-40% (the
// critical value at 15 degrees of freedom is 15.7); TestMF2Rate holds fixed settings to <= 10%.
func TestMF2(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		sv2, sb2 := rapid.Float64Range(0.05, 0.5).Draw(t, "sv2"), rapid.Float64Range(0.01, 0.3).Draw(t, "sb2")
		ident := rapid.Bool().Draw(t, "identical")
		shared := sb2
		if ident {
			shared = sv2 + sb2
		}
		net := simmf.Vanilla{N: 200, SW2: rapid.Float64Range(0.3, 3).Draw(t, "sw2"), SV2: sv2, SB2: sb2, Start: 1, DirectInput: rapid.Bool().Draw(t, "direct"), Seqs: 4}
		c := CorrelationCase{Net: net, Steps: 3, Seeds: 16, Seed: rapid.Uint64().Draw(t, "seed"), Identical: ident, Shared: shared}
		if !simulates(t, 10) { // the map's gradient costs quadrature
			return
		}
		rows := MF2Map(c)
		mustPass(t, claim.Select(rows, "q_ab,")...)
	})
}

// TestMF2Rate holds MF-2's fixed settings at go test's sizes to their power target (<= 10%) and
// rejects the near misses. It checks the very networks TestControls/MF-2 simulates (seed 1, half
// the command's networks; the shared simulations run once per process): the rate of 1 - c_t at
// width 1000 (16 networks) against chi_1 with tanh' for tanh'^2 (17% off in the rate); the
// approach rate at width 500 (32 networks) against chi_1 for chi_c* (20% off) and chi_c* 2% high;
// the chaotic map's first four steps at width 1000 (32 networks); the independent-input map (16
// networks, 4 pairs, 2 steps) with the shared bias dropped; the c* rows (64 networks) against the
// ordered answer c* = 1.
func TestMF2Rate(t *testing.T) {
	t.Parallel()
	skipHeavy(t)
	c0 := mf2Rate(16, 1)
	r := MF2Rate(c0)
	mustPass(t, r)
	mustDetect(t, 0.10, r)
	c0.Chi = WrongChi1
	mustReject(t, MF2Rate(c0))
	a := mf2Approach(32, 1)
	rows := MF2Approach(a)
	mustPass(t, rows...)
	mustDetect(t, 0.10, rows...)
	a.Rate = identicalRate
	mustReject(t, chiCRow(MF2Approach(a)))
	a.Rate = func(sw2, s, shared float64) (float64, error) { // chi_c* 2% high: the deterministic row sees it
		c, err := vanillaCorrelation(sw2, s, shared)
		return 1.02 * c.ChiC, err
	}
	mustReject(t, chiCRow(MF2Approach(a)))
	m := mf2Maps(32, 1)[1] // four steps: its own run (the control's power row reads two)
	m.Steps = 4
	rows = MF2Map(m)
	mustPass(t, rows...)
	mustDetect(t, 0.10, rows...)
	mustReject(t, rowEnding(MF2Map(mf2Dropped(1)), "q_ab,2"))
	for _, c := range mf2CStar(64, 1) {
		r := MF2CStar(c)
		mustPass(t, r)
		mustDetect(t, 0.10, r)
		c.CStar = 1 // the ordered answer: independent inputs taken as identical, the chaotic phase as ordered
		mustReject(t, MF2CStar(c))
	}
}

// TestMF4 drives the one-step Jacobian check: vanilla networks at width 200 (orthogonal 100) and
// annealed minimalRNNs at width 64, and the control with tanh' for tanh'^2. A smoke property over
// the parameter space, not a power test: at 12 networks its rows detect 32% median, 111% at worst
// (the critical value at 11 degrees of freedom), and 48 or 96 networks still leave rows at 10-14%
// (measured: the per-network noise of a small gate's chi_1, not the width, dominates). go test's
// power on MF-4 is the command's minimalRNN row, whose power control TestControls runs at the
// command's size (32 networks, width 300; the command's rows detect at most 4.6%).
func TestMF4(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		if rapid.Bool().Draw(t, "vanilla") {
			net := vanillaNet(200).Draw(t, "net")
			if net.Orthogonal {
				net.N = 100
			}
			mustPass(t, MF4(JacobianCase{Vanilla: &net, Steps: 2, Tail: 2, Seeds: 12, Seed: seed}))
			return
		}
		m := simmf.Minimal{N: 64, MuB: rapid.Float64Range(-2, 4).Draw(t, "mu_b"), SW: rapid.Float64Range(0.5, 3).Draw(t, "sw"),
			SV: rapid.Float64Range(0.5, 1.5).Draw(t, "sv"), SB: rapid.Float64Range(0, 1).Draw(t, "sb"), R: rapid.Float64Range(0.25, 4).Draw(t, "R"), Annealed: true}
		mustPass(t, MF4(JacobianCase{Minimal: &m, Steps: 3, Tail: 3, Seeds: 12, Seed: seed}))
	})
	c := mf4Cases(16, 5)[0]
	c.Vanilla.N, c.Chi = 300, WrongChi1
	mustReject(t, MF4(c))
	m := mf4Cases(32, 6)[2] // annealed, width 300, mu_b = 0, sw = 1: chi_1 with Q* for Q* + R (12% low)
	th := meanfield.Minimal{MuB: m.Minimal.MuB, SW: m.Minimal.SW, SV: m.Minimal.SV, SB: m.Minimal.SB, R: m.Minimal.R}
	Q, _, _, eu2, eup2, err := th.Stationary()
	if err != nil {
		t.Fatal(err)
	}
	m.Seeds, m.Target = 32, eu2+th.SW*th.SW*eup2*Q
	mustReject(t, MF4(m))
}

// TestMF4Tied: the tied minimalRNN within tiedJacobianTol of chi_1 at the catalogue's two gate
// settings, width 200.
func TestMF4Tied(t *testing.T) {
	t.Parallel()
	for _, c := range mf4Cases(16, 9)[2:] {
		if c.Tol == 0 {
			continue
		}
		c.Minimal.N = 200
		r := MF4(c)
		mustPass(t, r)
		t.Logf("%s: %s", r.Case, r.Detail)
	}
}

// TestMF5 holds the annealed two-copy check at width 2000 at mu_b = 0 (256 networks), 2 and 4 (96)
// to its power target (<= 10%), and checks the closed-form xi rows on a small grid (and their
// control without input noise). The near misses (the recursion one step ahead; chi_ab with the
// shared bias's covariance sb^2 dropped, 10% low at mu_b = 0) are TestControls/MF-5's.
func TestMF5(t *testing.T) {
	t.Parallel()
	skipHeavy(t)
	for i, mu := range []float64{0, 2, 4} {
		c := mf5Case(mu, 96, uint64(11+i))
		switch mu {
		case 0:
			c.Seeds = 256
		case 2: // the networks of TestControls/MF-5's power control (seed 1, 96 at Quick): simulated once
			c.Seed = 1
		}
		rows := MF5(c)
		mustPass(t, rows...)
		mustDetect(t, 0.10, rows...)
	}
	g := xiGrid(1)
	g.MuBs, g.SW2s, g.SB2s = []float64{-2, 0, 2, 4, 6, 8, 10}, []float64{1, 10, 30, 100}, []float64{0}
	mustPass(t, MF5Xi(g)...)
	g.SV2 = 1e-6
	mustReject(t, claim.Only(claim.Select(MF5Xi(g), "max vanilla xi")))
}

// TestMF6 holds the control-variate moments to the formulas at width 300, T = 4 (Gaussian and
// orthogonal, 64 networks, 16 probes, 32 control trajectories; tolerances scaled by 500/300) and
// logs each row's MDE (at most 10%). The near misses (m_1 = chi_1^(T-1), the orthogonal s_1 for
// Gaussian W) are TestControls/MF-6's, at width 300.
func TestMF6(t *testing.T) {
	t.Parallel()
	skipHeavy(t)
	for _, c := range spectrumCases(64, 21, []int{4}) {
		c.Net.N, c.Probes, c.Controls = 300, 16, 32 // at T = 4 probes and control trajectories are cheap
		rows, _ := MF6(c)
		mustPass(t, rows...)
		logMDE(t, 0.10, rows...)
	}
}

// logMDE logs each row's minimum detectable relative error and fails a row above most.
func logMDE(t *testing.T, most float64, rows ...claim.Result) {
	t.Helper()
	for _, r := range rows {
		t.Logf("%s: MDE %.3g", r.Case, r.MDE)
		if !(r.MDE <= most) {
			t.Errorf("%s detects %.3g, above %.3g", r.Case, r.MDE, most)
		}
	}
}

// TestMF7 checks the critical schemes at small settings: the vanilla one (orthogonal, width 300,
// T = 4, 32 networks, MDE at most 10%; its controls, sw2 = 1 and sw2 2% above critical, are
// TestControls/MF-7's at width 300) and the minimalRNN's at mu_b = 0 and 2 (annealed, width 200,
// 32 networks), with sw^2 1.5 times the critical value rejected.
func TestMF7(t *testing.T) {
	t.Parallel()
	skipHeavy(t)
	cs, err := criticalCases(32, 31, []int{4})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		c.Net.N, c.Probes = 300, 16
		rows, _ := MF6(c)
		mustPass(t, rows...)
		logMDE(t, 0.10, rows...)
	}
	for i, mu := range []float64{0, 2} {
		net := simmf.Minimal{N: 200, MuB: mu, SV: 1, R: 1}
		mustPass(t, MF7Minimal(net, 4, 4, 32, uint64(40+i), 1, 1))
		mustReject(t, MF7Minimal(net, 4, 4, 32, uint64(40+i), 1.5, 1))
	}
	mustPass(t, driveIncreasing([]float64{0.001, 0.01, 0.1, 0.5, 1}))
}

// TestCriticalDriveIncreasing: the allowed drive increases with q* over drawn pairs (0.001 .. 2).
func TestCriticalDriveIncreasing(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Float64Range(0.001, 2).Draw(t, "q1")
		b := a * rapid.Float64Range(1.01, 3).Draw(t, "ratio")
		da, err1 := meanfield.VanillaCriticalDrive(a)
		db, err2 := meanfield.VanillaCriticalDrive(b)
		if err1 != nil || err2 != nil || !(db > da) {
			t.Fatalf("drive(%v) = %v, drive(%v) = %v (%v %v)", a, da, b, db, err1, err2)
		}
	})
}

// TestMFFigures builds the spread, xi and q_t figures at small settings and checks their shape.
func TestMFFigures(t *testing.T) {
	t.Parallel()
	skipHeavy(t)
	ts := []int{2, 4}
	cs := spectrumCases(8, 51, ts)
	var spreads [][]stats.Estimate
	for i := range cs {
		cs[i].Net.N = 100
		_, sp := MF6(cs[i])
		spreads = append(spreads, sp)
	}
	f, err := spreadFigure(cs, ts, spreads)
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	g := xiGrid(1)
	g.MuBs, g.SW2s, g.SB2s = []float64{-1, 1, 3}, []float64{1, 30}, []float64{0}
	sims := xiSims(16, 52)[1:3]
	for i := range sims {
		sims[i].Net.N = 100
	}
	if f, err = xiFigure(g, sims); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
	v, a, tied := qtCases(53)
	v.Net.N, v.Steps, v.Seeds = 200, 6, 16
	a.Net.N, a.Steps, a.Seeds = 60, 6, 16
	for i := range tied {
		tied[i].Net.N, tied[i].Steps, tied[i].Seeds = 60, 6, 4
	}
	if f, err = qtFigure(v, a, tied); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, f)
}

// TestMF6Long (-long) holds the rows at widths 1000 and 2000 (32 networks, 8 probes, T = 4, 8, 16)
// to the width-500 tolerances scaled by 500/N, the O(1/N) shrinkage of a finite-width bias, and
// logs each bias with its MDE. It is consistent with that shrinkage (Gaussian spread bias at T = 16:
// +9.4% at 500, +5.2% at 1000, +1.1% at 2000) but cannot prove it: at 2000 the spread's MDE is
// 6-11% against a 3% tolerance, and the m_1 biases at 500 change sign with T (noise, not a
// bias model).
func TestMF6Long(t *testing.T) {
	t.Parallel()
	if !*long {
		t.Skip("heavy (widths 1000 and 2000): run with -long")
	}
	for _, n := range []int{1000, 2000} {
		for _, c := range spectrumCases(32, uint64(60+n), []int{4, 8, 16}) {
			c.Net.N = n // finiteWidthTol scales the width-500 tolerances by 500/N
			rows, _ := MF6(c)
			for _, r := range rows {
				t.Logf("%s: z %.2f, MDE %.3g, %s", r.Case, r.Measured, r.MDE, r.Detail)
			}
			mustPass(t, rows...)
		}
	}
}

// TestMF5TiedLong (-long) asserts the tied-timescale finding's "not one rate": over 384 networks
// of width 1000 (mu_b = 2, sw = 3, sb = 0, from the tied state after 60 steps, common random
// numbers), the ln-rate of the network-mean Q^ab over steps 7..12 differs from that over 1..6
// beyond the budget's critical value (measured over 32 networks: 0.72 against 0.77, a difference
// of 0.070 in ln-rate with SE 0.027; 384 networks bring the SE near 0.008).
func TestMF5TiedLong(t *testing.T) {
	t.Parallel()
	if !*long {
		t.Skip("heavy (384 tied networks of width 1000, about 50 CPU-seconds): run with -long (make long)")
	}
	c := TimescaleCase{Net: simmf.Minimal{N: 1000, MuB: 2, SW: 3, SV: 1, SB: 0, R: 1}, Burn: 60, Steps: 12, Seeds: 384, Seed: 70, Apart: true}
	r, notOne, slower := MF5Tied(c)
	t.Logf("%s: %s", r.Case, r.Detail)
	t.Logf("%s: %s", notOne.Case, notOne.Detail)
	mustReject(t, r)
	mustPass(t, notOne)
	if !slower {
		t.Fatal("the tied network does not decay more slowly than the recursion")
	}
}
