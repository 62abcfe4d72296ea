package props

import (
	"fmt"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// The mean-field paper's registrations for MF-2 and MF-4 .. MF-7: the command's settings, their
// negative and power controls, and the tied-timescale finding.

// tiedTimescaleFinding is MF-5's finding: the tied minimalRNN's two copies decorrelate more
// slowly than the annealed recursion, and not at one rate.
const tiedTimescaleFinding = "tied-timescale"

// mf2Rate is MF-2's rate case: identical inputs in the ordered phase (chi_1 = 0.689), copy b from
// Start = 1, 60 steps (1 - c_t falls from about 0.3 through the fit window 1e-2 .. 1e-11).
func mf2Rate(seeds int, seed uint64) RateCase {
	return RateCase{Corr: CorrelationCase{Net: simmf.Vanilla{N: 1000, SW2: 1, SV2: 0.05, SB2: 0.05, Start: 1, DirectInput: true},
		Steps: 60, Seeds: seeds, Seed: seed, Identical: true}}
}

// mf2Maps are MF-2's map cases: independent inputs (shared drive sb2 = 0.2 of s = 0.5; c* = 0.37)
// and identical inputs in the chaotic phase (sw2 = 2.5, chi_1 = 1.10, c* = 0.66), 6 steps, width
// 1000, 16 and 8 pairs through each network (the independent case's sequence noise is the larger).
func mf2Maps(seeds int, seed uint64) []CorrelationCase {
	return []CorrelationCase{
		{Net: simmf.Vanilla{N: 1000, SW2: 1.5, SV2: 0.3, SB2: 0.2, DirectInput: true, Seqs: 16}, Steps: 6, Seeds: seeds, Seed: seed, Shared: 0.2},
		{Net: simmf.Vanilla{N: 1000, SW2: 2.5, SV2: 0.05, SB2: 0.05, Start: 1, DirectInput: true, Seqs: 8}, Steps: 6, Seeds: seeds, Seed: seed + 1, Identical: true, Shared: 0.1},
	}
}

// mf2Dropped is MF-2's dropped-bias control: mf2Maps' independent-input case (16 networks, 4
// pairs each) with the bias left out of the shared drive (c* = 0 instead of 0.37), run for the two
// steps its q_ab,2 row needs.
func mf2Dropped(seed uint64) CorrelationCase {
	c := mf2Maps(16, seed)[0]
	c.Net.Seqs, c.Shared, c.Steps = 4, 0, 2
	return c
}

// mf2CStar are MF-2's fixed-point cases, run until the mean-field trajectory has settled (its last
// step moves 1 - c by less than 1e-4 of itself): independent inputs as in mf2Maps (c* = 0.369,
// chi_c* = 0.53, 12 steps) and identical inputs deep in the chaotic phase (sw2 = 6, s = 0.6,
// chi_1 = 1.45, c* = 0.521, chi_c* = 0.80, 25 steps; mf2Maps' chaotic case approaches at 0.93 and
// needs over 60), width 500, 8 pairs through each network.
func mf2CStar(seeds int, seed uint64) []CorrelationCase {
	return []CorrelationCase{
		{Net: simmf.Vanilla{N: 500, SW2: 1.5, SV2: 0.3, SB2: 0.2, DirectInput: true, Seqs: 8}, Steps: 12, Seeds: seeds, Seed: seed + 2, Shared: 0.2},
		{Net: simmf.Vanilla{N: 500, SW2: 6, SV2: 0.3, SB2: 0.3, Start: 1, DirectInput: true, Seqs: 8}, Steps: 25, Seeds: seeds, Seed: seed + 3, Identical: true, Shared: 0.6},
	}
}

// mf2Approach is MF-2's approach-rate case: independent inputs at sw2 = 2, sv2 = 0.1, sb2 = 0.3
// (c* = 0.67, chi_c* = 0.70, chi_1 = 0.84), width 500 (a quarter of width 1000's cost for twice
// its variance per network), 8 pairs per network, 7 steps.
func mf2Approach(seeds int, seed uint64) ApproachCase {
	return ApproachCase{Net: simmf.Vanilla{N: 500, SW2: 2, SV2: 0.1, SB2: 0.3, DirectInput: true, Seqs: 8}, Steps: 7, Seeds: seeds, Seed: seed}
}

// identicalRate is the approach-rate control: chi_1 = sw2 E[tanh'^2] at q*, the identical-input
// rate, where independent inputs approach c* at chi_c* (the covariance q* c* taken as q*).
func identicalRate(sw2, s, _ float64) (float64, error) {
	q, err := meanfield.VanillaFixedPoint(sw2, s)
	if err != nil {
		return 0, err
	}
	return meanfield.VanillaChi1(sw2, q)
}

// mf4Cases are MF-4's cases: the vanilla network (Gaussian and orthogonal W) and the minimalRNN,
// annealed (exact) and tied (within tiedJacobianTol), at two gate settings.
func mf4Cases(seeds int, seed uint64) []JacobianCase {
	var out []JacobianCase
	for i, orth := range []bool{false, true} {
		v := simmf.Vanilla{N: 1000, SW2: 1.5, SV2: 0.1, SB2: 0.1, Orthogonal: orth, DirectInput: true}
		out = append(out, JacobianCase{Vanilla: &v, Steps: 3, Tail: 3, Seeds: seeds, Seed: seed + uint64(i)})
	}
	for i, p := range [][3]float64{{0, 1, 0.5}, {2, 3, 0}} {
		for j, ann := range []bool{true, false} {
			m := simmf.Minimal{N: 300, MuB: p[0], SW: p[1], SV: 1, SB: p[2], R: 1, Annealed: ann}
			c := JacobianCase{Minimal: &m, Steps: 10, Tail: 10, Seeds: seeds, Seed: seed + uint64(10+2*i+j)}
			if !ann { // half as many networks again: the tied rows' spread is the widest (5.2% MDE at 32)
				c.Steps, c.Tail, c.Tol, c.Seeds = 60, 20, tiedJacobianTol, seeds*3/2
			}
			out = append(out, c)
		}
	}
	return out
}

// tiedJacobianTol is the catalogue's "few per cent" for the tied minimalRNN's one-step Jacobian
// (measured: -0.5% at mu_b = 0, sw = 1, sb = 0.5 and +0.8% at mu_b = 2, sw = 3, sb = 0, width 300).
const tiedJacobianTol = 0.03

// mf5Case is MF-5's annealed case at gate mean mu: width 2000 (annealed pairs cost O(N) a step:
// the fields are drawn, not the weights), from one state at Q*, 12 steps (4 at mu_b = 0).
func mf5Case(mu float64, seeds int, seed uint64) TimescaleCase {
	c := TimescaleCase{Net: simmf.Minimal{N: 2000, MuB: mu, SW: 1, SV: 1, SB: 1, R: 1, Annealed: true}, Steps: 12, Seeds: seeds, Seed: seed}
	if mu == 0 {
		c.Steps = 4 // Q^ab_4 is Q*/250: past both windows
	}
	return c
}

// mf5Seeds is the number of networks at gate mean mu: 512 at mu_b = 0, where the decay is fast
// (chi_ab = 0.28) and Q^ab_2 is a twelfth of Q*; 192 at mu_b = 2 (Q^ab_5 detects 4.6%); 96 at
// mu_b = 4, whose slow decay (chi_ab = 0.92) stays far above the noise (192 gave 1.3%-2.6%).
func mf5Seeds(mu float64) int {
	switch {
	case mu == 0:
		return 512
	case mu >= 4:
		return 96
	}
	return 192
}

// xiSims are the annealed simulations of the xi figure: width 300 at mu_b = 0 .. 3 (below 0 the
// decay is done within two steps, under the noise floor).
func xiSims(seeds int, seed uint64) []TimescaleCase {
	var out []TimescaleCase
	for i, mu := range []float64{0, 1, 2, 3} {
		c := mf5Case(mu, seeds, seed+uint64(20+i))
		c.Net.N, c.Net.SB, c.Steps = 300, 0.5, 30 // the closed-form line's sb
		out = append(out, c)
	}
	return out
}

// xiGrid is MF-5's closed-form grid: mu_b = -2 .. 10 for the minimalRNN (sw = 1, sv = 1, sb = 0.5,
// R = 1), and the vanilla network at the same input variance sv2 R = 1 over sw2 = 0.1 .. 300 and
// sb2 in {0, 0.1, 1}.
func xiGrid(sv2 float64) XiGrid {
	return XiGrid{Base: meanfield.Minimal{SW: 1, SV: 1, SB: 0.5, R: 1}, MuBs: []float64{-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		SW2s: []float64{0.1, 0.3, 1, 3, 10, 30, 100, 300}, SB2s: []float64{0, 0.1, 1}, SV2: sv2}
}

// mf6Tol holds MF-6's finite-width tolerances at width 500 (relative, per cent, beyond the
// statistical bound), per W and T: {m_1, spread}. Each is the bias measured with the
// control-variate estimator on 240 networks (seed 777, 8 probes, 32 control trajectories) plus
// three of its standard errors, rounded up to a multiple of 0.5% (orthogonal T = 4's m_1: 0.03 +
// 3 x 0.16 = 0.51, so 1%). Measured bias (SE), m_1 then spread:
// Gaussian T = 4 +0.00 (0.35), +1.33 (0.32); T = 8 +0.26 (0.53), +2.69 (0.48); T = 16 +1.71
// (0.98), +9.33 (1.03); orthogonal T = 4 +0.03 (0.16), +0.27 (0.19); T = 8 +0.31 (0.25), +1.08
// (0.22); T = 16 +1.35 (0.48), +3.06 (0.33). The earlier single 3% for orthogonal W came from 32
// networks with 4 probes and was too small for the spread at T = 16; 6% and 12% for Gaussian W
// were mostly that run's noise except the spread at T = 16.
var mf6Tol = map[bool]map[int][2]float64{
	false: {4: {1.5, 2.5}, 8: {2, 4.5}, 16: {5, 12.5}},
	true:  {4: {1, 1}, 8: {1.5, 2}, 16: {3, 4.5}},
}

// finiteWidthTol returns MF-6's tolerances {m_1, spread} (fractions) for W orthogonal or not at
// horizon T and width n: mf6Tol at the smallest tabled T >= T (the bias grows with T; beyond 16,
// 16's times T/16), times 500/n (a finite-width bias is O(1/N)).
func finiteWidthTol(orth bool, T, n int) (m1, sp float64) {
	row, scale := mf6Tol[orth][16], float64(max(T, 16))/16
	for _, t := range []int{16, 8, 4} {
		if T <= t {
			row, scale = mf6Tol[orth][t], 1
		}
	}
	f := scale * 500 / float64(n) / 100
	return row[0] * f, row[1] * f
}

// spectrumCases are MF-6's cases at width 500, sw2 = 1.5, s = 0.1 (chi_1 = 0.877), T = 4, 8, 16.
func spectrumCases(seeds int, seed uint64, ts []int) []SpectrumCase {
	var out []SpectrumCase
	for i, orth := range []bool{false, true} {
		c := SpectrumCase{Net: simmf.Vanilla{N: 500, SW2: 1.5, SV2: 0.05, SB2: 0.05, Orthogonal: orth, DirectInput: true},
			Ts: ts, Probes: 8, Controls: 16, Seeds: seeds, Seed: seed + uint64(100*i), FiniteWidth: true}
		out = append(out, c)
	}
	return out
}

// criticalCases are MF-7's vanilla cases: the critical scheme with orthogonal W of width 500 at
// q* = 0.1 and 0.5, held to m_1 = 1 and the spread T (mu_2/mu_1^2 - 1) within the statistical
// bound alone, no finite-width tolerance: the formulas are the N -> infinity limit, and at width 500
// no bias was resolved at these rows' power (1-8%; MF-6's non-critical orthogonal network shows
// +1.4% in m_1 and +3.1% in the spread at T = 16).
func criticalCases(seeds int, seed uint64, ts []int) ([]SpectrumCase, error) {
	var out []SpectrumCase
	for i, q := range []float64{0.1, 0.5} {
		net, err := criticalNet(q, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, SpectrumCase{Net: net, Ts: ts, Probes: 8, Controls: 16, Seeds: seeds, Seed: seed + uint64(i), Critical: q, ID: "MF-7 critical"})
	}
	return out, nil
}

func init() {
	claim.Register(claim.Claim{ID: "MF-2", Paper: "meanfield", Seconds: 12,
		Statement:  "Two sequences through one vanilla tanh network: with identical inputs 1 - c_t decays like chi_1^t in the ordered phase (the fitted rate within its statistical bound of chi_1, which must detect 10%) and chi_1 > 1 gives c* < 1; with independent inputs c* < 1 whenever sv2 R > 0, approached at the rate chi_c* = sw2 E[tanh'(A) tanh'(B)] at (q*, q* c*). The covariance follows the mean-field map q_ab' = sw2 E[tanh(A) tanh(B)] + shared at every step.",
		Source:     "Section 3 (correlation map and phases of the vanilla RNN), with the input term split into the shared and the independent drive (derived by the suite).",
		Conditions: "Tied weights, width 1000 (the approach rate and c*: 500), sequence a from h_0 = 0 and b from a random start, 16 or 8 pairs per network; each map row tests one step (control variates: the bias's b.b/N and the previous step's moments less the trajectory, through the map's gradient); c* is held where the mean-field trajectory has settled (12 steps for independent inputs, 25 for identical inputs at sw2 = 6, chi_1 = 1.45), 128 networks, 1 - c_T to 1 - c* with no allowance and above 0 beyond its bound; the rate of 1 - c_t is fitted where 1e-11 < 1 - c_t < 1e-2; the approach from the difference of runs from c_0 = 1 and c_0 = 0 with common random numbers, its fitted rate held to the recursion's over the same window (where D stays above e^-2 of its start), and chi_c* held to the covariance map's slope at the fixed point (a central difference, 1e-5).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range mf2Maps(64, seed) {
				o.Add(MF2Map(c)...)
			}
			for _, c := range mf2CStar(128, seed) {
				o.Add(MF2CStar(c))
			}
			o.Add(MF2Rate(mf2Rate(32, seed)))
			o.Add(MF2Approach(mf2Approach(64, seed))...)
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			n := func(full int) int { // go test's TestControls runs at half the networks
				if size == claim.Quick {
					return full / 2
				}
				return full
			}
			wrong := mf2Rate(16, seed)
			wrong.Chi = WrongChi1
			// A real bug's near misses: the bias dropped from the shared drive (c* = 0), independent
			// inputs taken as identical (c* = 1 in this ordered network), the chaotic phase's c*
			// taken as the ordered answer 1, the identical-input rate chi_1 for chi_c*.
			cs := mf2CStar(n(128), seed)
			same, ordered := cs[0], cs[1]
			same.CStar, ordered.CStar = 1, 1
			chi1 := mf2Approach(32, seed)
			chi1.Rate = identicalRate
			power := claim.Power(MF2Rate(mf2Rate(n(32), seed)), func(f float64) claim.Result {
				fresh := mf2Rate(n(32), seed+freshSeed)
				fresh.Chi = func(sw2, q float64) (float64, error) {
					chi, err := meanfield.VanillaChi1(sw2, q)
					return f * chi, err
				}
				return MF2Rate(fresh)
			})
			// The map's power on its chaotic case's q_ab,2 (a two-step run draws what the claim's
			// first two steps draw, at a third of the cost).
			two := func(seed uint64) CorrelationCase { c := mf2Maps(n(64), seed)[1]; c.Steps = 2; return c }
			mapPower := claim.Power(rowEnding(MF2Map(two(seed)), "q_ab,2"), func(f float64) claim.Result {
				fresh := two(seed + freshSeed)
				fresh.Factor = f
				return rowEnding(MF2Map(fresh), "q_ab,2")
			})
			approachPower := claim.Power(approachRow(MF2Approach(mf2Approach(n(64), seed))), func(f float64) claim.Result {
				fresh := mf2Approach(n(64), seed+freshSeed)
				fresh.Factor = f
				return approachRow(MF2Approach(fresh))
			})
			return []claim.Result{MF2Rate(wrong), rowEnding(MF2Map(mf2Dropped(seed)), "q_ab,2"), MF2CStar(same), MF2CStar(ordered),
				chiCRow(MF2Approach(chi1)), power, mapPower, approachPower}
		},
	})
	claim.Register(claim.Claim{ID: "MF-4", Paper: "meanfield", Seconds: 4,
		Statement:  "At stationarity the one-step Jacobian's (1/N)|J|_F^2 equals chi_1 within the statistical bound: exactly for the vanilla network (sw2 mu_1(q*)) and the annealed minimalRNN (E[u^2] + sw^2 E[u'^2] (Q* + R)); the tied minimalRNN is within a few per cent (3% here, with the measured gap printed).",
		Source:     "Sections 3 and 4 (chi_1 as the mean squared singular value of the state-to-state Jacobian), derived by the suite for the minimalRNN.",
		Conditions: "Width 1000 (vanilla) or 300 (minimalRNN), networks started at stationarity; tied minimalRNNs averaged over the last 20 of 60 steps.",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range mf4Cases(32, seed) {
				o.Add(MF4(c))
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c := mf4Cases(32, seed)[0]
			c.Chi = WrongChi1
			row := MF4(mf4Cases(32, seed)[2])
			power := claim.Power(row, func(f float64) claim.Result {
				fc := mf4Cases(32, seed+freshSeed)[2]
				chi, err := meanfield.Minimal{MuB: fc.Minimal.MuB, SW: fc.Minimal.SW, SV: fc.Minimal.SV, SB: fc.Minimal.SB, R: fc.Minimal.R}.Chi1()
				if err != nil {
					return claim.Failed(row.Case, err)
				}
				fc.Target = f * chi
				return MF4(fc)
			})
			// The minimalRNN's chi_1 with Q* where the formula has Q* + R (the h - z factor's
			// second moment taken as h's alone).
			m := mf4Cases(32, seed)[2]
			th := meanfield.Minimal{MuB: m.Minimal.MuB, SW: m.Minimal.SW, SV: m.Minimal.SV, SB: m.Minimal.SB, R: m.Minimal.R}
			Q, _, _, eu2, eup2, err := th.Stationary()
			if err != nil {
				return []claim.Result{claim.Failed("MF-4 control", err)}
			}
			m.Target = eu2 + th.SW*th.SW*eup2*Q
			return []claim.Result{MF4(c), MF4(m), power}
		},
	})
	claim.Register(claim.Claim{ID: "MF-5", Paper: "meanfield", Seconds: 13,
		Statement:  "Two copies of a minimalRNN sharing every weight (redrawn together each step) and receiving independent inputs decorrelate as the mean-field recursion Q^ab_t = E[u^a u^b] Q^ab_{t-1} says, at every step and in the fitted rate over the same window, which tends to chi_ab; xi = -1/ln chi_ab increases with mu_b without bound, while the vanilla network's xi = -1/ln chi_c* stays bounded at the same input noise.",
		Source:     "Section 4 (timescales of the minimalRNN; gating enables signal propagation), the recursion derived by the suite.",
		Conditions: "Annealed weights, width 2000, mu_b in {0, 2, 4}, copies started as one state at Q*, less a run from independent states with common random numbers (mean-field 0) and the start's fluctuation (a control variate of exact mean); per-step rows where the recursion stays above Q* e^-2, the rate (exp of the fitted ln-slope) where it stays above Q* e^-4. Tied weights: see the tied-timescale finding, whose not-one-rate part is a row.",
		Findings: []claim.Finding{{Name: tiedTimescaleFinding,
			Says: "With tied weights the two copies decorrelate more slowly than the annealed recursion and not at one rate: at mu_b = 2, sw = 3, sb = 0 (from the tied state after 60 steps; the command checks widths 250 and 1000 for the slower rate) the fitted rate over the recursion's window is about 0.70 per step against 0.61 for the recursion started from the tied network's own level (chi_ab = 0.60), and the rate rises along the decay: 0.72 over steps 1-6, 0.77 over 7-12 at width 1000 (384 networks, common random numbers: the ln-rates differ by 0.068, z 8.9 against the budget's 6.65, asserted by TestMF5TiedLong under -long; the command's networks (64 at width 250, 48 at 1000) print it but cannot reach the bound, z 1-3.5)"}},
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for i, mu := range []float64{0, 2, 4} {
				o.Add(MF5(mf5Case(mu, mf5Seeds(mu), seed+uint64(i)))...)
			}
			o.Add(MF5Xi(xiGrid(1))...)
			o.AddFigure(xiFigure(xiGrid(1), xiSims(32, seed)))
			// The finding at two widths: a finite-width effect would shrink between them.
			ev := claim.Evidence{Finding: tiedTimescaleFinding, Confirmed: true}
			for _, n := range []int{250, 1000} {
				seeds := 64
				if n > 500 {
					seeds = 48 // the cost of the command's MF-5: its rate row stood at z 17.5 over 64
				}
				tied := TimescaleCase{Net: simmf.Minimal{N: n, MuB: 2, SW: 3, SV: 1, SB: 0, R: 1}, Burn: 60, Steps: 12, Seeds: seeds, Seed: seed + 7 + uint64(n)}
				r, notOne, slower := MF5Tied(tied)
				ev.Confirmed = ev.Confirmed && r.Rejected() && slower
				if ev.Detail != "" {
					ev.Detail += " | "
				}
				// Not one rate: measured here, asserted by TestMF5TiedLong (-long), which has the
				// power the budget's critical value needs (384 networks of width 1000, common
				// random numbers).
				ev.Detail += r.Case + ": " + r.Detail + "; " + notOne.Case + " (not asserted here): " + notOne.Detail
			}
			o.Evidence = append(o.Evidence, ev)
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			n := func(full int) int { // go test's TestControls runs at half the networks
				if size == claim.Quick {
					return full / 2
				}
				return full
			}
			// Near misses: the recursion one step ahead (off by one), chi_ab with the shared bias's
			// covariance sb^2 dropped (at mu_b = 0, where it puts Q^ab_1 10% low), the vanilla
			// bound without input noise.
			c := mf5Case(2, n(64), seed)
			c.Offset, c.Steps = 1, 2
			drop := mf5Case(0, n(128), seed)
			drop.DropShared, drop.Steps = true, 2
			g := xiGrid(1e-6)        // no input noise: the vanilla xi grows without bound near sw2 = 1
			if size == claim.Quick { // three vanilla points bracket the peak (the grid is 24 quadratures' root-finds)
				g.SW2s, g.SB2s = []float64{0.3, 1, 3}, []float64{0}
			}
			xi := MF5Xi(g)
			rate := func(rs []claim.Result) claim.Result { return claim.Only(claim.Select(rs, " rate over ")) }
			power := claim.Power(rate(MF5(mf5Case(2, n(192), seed))), func(f float64) claim.Result {
				fc := mf5Case(2, n(192), seed+freshSeed)
				fc.Factor = f
				return rate(MF5(fc))
			})
			return []claim.Result{rowEnding(MF5(c), "Q^ab_1"), rowEnding(MF5(drop), "Q^ab_1"), claim.Only(claim.Select(xi, "max vanilla xi")), power}
		},
	})
	claim.Register(claim.Claim{ID: "MF-6", Paper: "meanfield", Seconds: 8,
		Statement:  "The T-step Jacobian J = prod_t D_t W of the vanilla network at stationarity has mean squared singular value m_1 = chi_1^T and relative spread m_2/m_1^2 - 1 = T (mu_2/mu_1^2 - 1 - s_1), s_1 = 0 for orthogonal and -1 for Gaussian W, within the stated finite-width tolerance; orthogonal W is always narrower.",
		Source:     "Section 5 (dynamical isometry), from the free-probability analysis of Pennington et al. 2017 (derived by the suite).",
		Conditions: "Width 500, T in {4, 8, 16}, Hutchinson estimates (8 Rademacher probes per network) from block products, with control variates of exactly zero mean (16 control trajectories per network, the frozen bias's mean state); finite-width tolerances per W and T, the bias measured on 240 networks plus three SE: m_1 1.5/2/5% (Gaussian) and 1/1.5/3% (orthogonal), spread 2.5/4.5/12.5% and 1/2/4.5% at T = 4/8/16. Known weakness: the t-test over networks is not held to NormalApproxOK (the jackknife pseudo-values' skewness is 0.05-1.23 at 48 networks; 2 of 12 rows pass it), so its false-alarm rate out at the budget's t is not the stated one; the median-of-means bound would widen the rows several times. Power (the command's seed, the tolerance included): orthogonal W 4.1-14%, Gaussian W 5.0-28% (T = 16's spread: its 12.5% tolerance, a measured +9.3% bias, leaves the row blind to errors of about -16% .. +44%); exceptions to the suite's 5%, named: wider networks (-long) are the fix.",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			ts := []int{4, 8, 16}
			cs := spectrumCases(48, seed, ts)
			g, gs := MF6(cs[0])
			r, os := MF6(cs[1])
			o.Add(g...)
			o.Add(r...)
			if gs != nil && os != nil {
				o.Add(MF6Narrower(ts, gs, os, seed)...)
				o.AddFigure(spreadFigure(cs, ts, [][]stats.Estimate{gs, os}))
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			return mf6Controls(seed, size)
		},
	})
	claim.Register(claim.Claim{ID: "MF-7", Paper: "meanfield", Seconds: 8,
		Statement:  "Critical initialisation: the vanilla network with orthogonal W at sw2 = 1/mu_1(q*) and the drive q* - E[tanh^2]/mu_1 has m_1 = 1 and spread T (mu_2/mu_1^2 - 1) over T steps, the drive increasing in q*; the minimalRNN at the closed-form critical sw^2 has chi_1 = 1 in an annealed simulation.",
		Source:     "Section 5 (critical initialisation for dynamical isometry), derived by the suite.",
		Conditions: "Vanilla: width 500, q* in {0.1, 0.5}, T in {4, 8, 16}. minimalRNN: width 300, sv = 1, sb = 0, R = 1, mu_b = 0 .. 4, started at Q*. Power (the command's seed): the minimalRNN rows detect 1.2-3.9%, the vanilla rows 1.2-9.1%; exceptions to the suite's 5%: q* = 0.5's spread at T = 8 (5.7%) and its m_1 and spread at T = 16 (7.9% and 9.1%; 9.0-10.6% for the m_1 row over four seeds), where the per-network noise of the 16-step products is what is left after the control variates.",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			cs, err := criticalCases(40, seed, []int{4, 8, 16})
			if err != nil {
				o.Add(claim.Failed("MF-7 critical scheme", err))
				return o
			}
			for _, c := range cs {
				rs, _ := MF6(c)
				o.Add(rs...)
			}
			o.Add(driveIncreasing([]float64{0.001, 0.01, 0.1, 0.5, 1}))
			for i, mu := range []float64{0, 1, 2, 3, 4} {
				o.Add(MF7Minimal(simmf.Minimal{N: 300, MuB: mu, SV: 1, R: 1}, 10, 10, 40, seed+uint64(i), 1, 1))
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			net := simmf.Minimal{N: 300, MuB: 2, SV: 1, R: 1}
			power := claim.Power(MF7Minimal(net, 10, 10, 32, seed, 1, 1), func(f float64) claim.Result {
				return MF7Minimal(net, 10, 10, 32, seed+freshSeed, 1, f)
			})
			return append([]claim.Result{MF7Minimal(net, 10, 10, 40, seed, 1.2, 1), power}, mf7Controls(seed, size)...)
		},
	})
}

// driveIncreasing checks that the critical scheme's allowed drive increases with q* over qs.
func driveIncreasing(qs []float64) claim.Result {
	r := claim.Result{Case: fmt.Sprintf("MF-7 critical drive increasing in q* over %v", qs), Pass: true}
	prev := 0.0
	var ds []float64
	for _, q := range qs {
		d, err := meanfield.VanillaCriticalDrive(q)
		if err != nil {
			return claim.Failed(r.Case, err)
		}
		if !(d > prev) {
			r.Pass, r.Measured = false, d-prev
		}
		prev = d
		ds = append(ds, d)
	}
	claim.Count(1)
	r.Detail = fmt.Sprintf("drive %.4g", ds)
	return r
}

// mf6Controls are MF-6's controls: two near misses a real bug would resemble, each on 24 networks,
// and the power control. m_1 = chi_1^(T-1), an off-by-one in the horizon (chi_1 = 0.877: 14% off
// whatever T), on orthogonal W at T = 4, where the row's MDE is smallest; Gaussian W held to the
// orthogonal spread (s_1 = 0 for -1: 4.7 for 10.5 at T = 8, a lost term of the free convolution);
// the power control on that run's m_1 row (the shift touches only the spread). At claim.Quick
// (go test) the networks are 300 wide, 32 of them for the off-by-one.
func mf6Controls(seed uint64, size claim.Size) []claim.Result {
	n, nOff, width := 24, 24, 500
	if size == claim.Quick {
		n, nOff, width = 24, 32, 300
	}
	cases := func(k int, seed uint64, T int) []SpectrumCase {
		cs := spectrumCases(k, seed, []int{T})
		for i := range cs {
			cs[i].Net.N = width
		}
		return cs
	}
	off := cases(nOff, seed, 4)[1]
	off.Offset = -1
	offRows, _ := MF6(off)
	g := cases(n, seed, 8)[0]
	g.SpreadShift = 1
	gRows, _ := MF6(g)
	power := claim.Power(claim.Only(claim.Select(gRows, "T=8 m_1")), func(f float64) claim.Result {
		fg := cases(n, seed+freshSeed, 8)[0]
		fg.Factor = f
		rs, _ := MF6(fg)
		return claim.Only(claim.Select(rs, "T=8 m_1"))
	})
	return []claim.Result{claim.Only(claim.Select(offRows, "T=4 m_1")), claim.Only(claim.Select(gRows, "T=8 spread")), power}
}

// mf7Controls are MF-7's vanilla controls (24 networks of width 500, T = 8), held to m_1 = 1: sw2 = 1, the
// linear network's critical point (the nonlinearity's mu_1 forgotten), on the q* = 0.5 scheme;
// and a near miss on the q* = 0.1 scheme, sw2 2% above 1/mu_1(q*) (a mu_1 off by 2%, as a coarse
// quadrature would give). At claim.Quick (go test) 32 networks 300 wide.
func mf7Controls(seed uint64, size claim.Size) []claim.Result {
	n, width := 24, 500
	if size == claim.Quick {
		n, width = 32, 300
	}
	cs, err := criticalCases(n, seed, []int{8})
	if err != nil {
		return []claim.Result{claim.Failed("MF-7 control", err)}
	}
	for i := range cs {
		cs[i].Net.N = width
	}
	lin, near := cs[1], cs[0]
	lin.Net.SW2 = 1
	near.Net.SW2 *= 1.02
	linRows, _ := MF6(lin)
	nearRows, _ := MF6(near)
	return []claim.Result{claim.Only(claim.Select(linRows, "T=8 m_1")), claim.Only(claim.Select(nearRows, "T=8 m_1"))}
}
