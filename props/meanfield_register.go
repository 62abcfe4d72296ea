package props

import (
	"fmt"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// The mean-field paper's registrations: the command's settings for the MF claims built so far,
// their negative controls, and the golden grid.

// tiedGapFinding is MF-3's finding: the tied minimalRNN's gap to the recursion.
const tiedGapFinding = "tied-gap"

// tiedCase is the finding's case: 32 tied networks of width n at mu_b = 2, sw = 3, sb = 0 (the
// catalogue's), 80 steps from h_0 = 0, stationary over the last 30.
func tiedCase(n int, seed uint64) MinimalCase {
	return MinimalCase{Net: simmf.Minimal{N: n, MuB: 2, SW: 3, SV: 1, SB: 0, R: 1}, Steps: 80, Seeds: 32, Seed: seed + uint64(n)}
}

// qtCases are the q_t figure's cases: MF-1's chaotic Gaussian case, and the tied-gap finding's
// minimalRNN (mu_b = 2, sw = 3, sb = 0) annealed at width 300 and tied at widths 200 and 800, 40
// steps each.
func qtCases(seed uint64) (VarianceMapCase, MinimalCase, []MinimalCase) {
	annealed := tiedCase(300, seed+7)
	annealed.Net.Annealed, annealed.Steps = true, 40
	var tied []MinimalCase
	for _, n := range []int{200, 800} {
		c := tiedCase(n, seed)
		c.Steps = 40
		tied = append(tied, c)
	}
	return mf1Cases(seed, claim.Full)[1], annealed, tied
}

// mf1Cases are the command's MF-1 cases (size Full): 64 networks of width 1000,
// 4 sequences each, over 30 steps, Gaussian and orthogonal W, in the ordered (sw2 = 0.5, from
// Start = 3) and chaotic (sw2 = 2, from Start = 0.1) phases, away from the critical point where finite-width effects are
// large; the starts make the first steps a real transient of the map (q_1 = 0.69 against q* =
// 0.54; q_1 = 0.32 rising to q* = 0.90). At Quick (go test's controls): width 128, 8 sequences.
func mf1Cases(seed uint64, size claim.Size) []VarianceMapCase {
	var out []VarianceMapCase
	n, nets, steps := 1000, 64, 30
	seqs := 4
	if size == claim.Quick {
		n, seqs = 128, 8
	}
	for i, net := range []simmf.Vanilla{
		{N: n, SW2: 0.5, SV2: 0.3, SB2: 0.1, Start: 3, Seqs: seqs},
		{N: n, SW2: 2, SV2: 0.1, SB2: 0.05, Start: 0.1, Seqs: seqs},
		{N: n, SW2: 2, SV2: 0.1, SB2: 0.05, Start: 0.1, Seqs: seqs, Orthogonal: true},
	} {
		out = append(out, VarianceMapCase{Net: net, Steps: steps, Seeds: nets, Seed: seed + uint64(1000*i)})
	}
	return out
}

// mf3Cases are MF-3's annealed cases (mu_b, sw) = (0, 1) and (2, 3), sv = 1, sb = 0.5, R = 1:
// 256 networks of width 1000 over 40 steps from h_0 = 0 at Full; 128 of width 1024 at Quick.
func mf3Cases(seed uint64, size claim.Size) []MinimalCase {
	n, nets := 1000, 256
	if size == claim.Quick {
		n, nets = 1024, 128
	}
	var out []MinimalCase
	for i, p := range [][2]float64{{0, 1}, {2, 3}} {
		net := simmf.Minimal{N: n, MuB: p[0], SW: p[1], SV: 1, SB: 0.5, R: 1, Annealed: true}
		out = append(out, MinimalCase{Net: net, Steps: 40, Seeds: nets, Seed: seed + uint64(100*i)})
	}
	return out
}

func init() {
	claim.RegisterPaper(claim.Paper{Key: "meanfield", Prefix: "MF",
		Citation: "Chen, Pennington, Schoenholz, \"Dynamical Isometry and a Mean Field Theory of RNNs: Gating Enables Signal Propagation in Recurrent Neural Networks\", ICML 2018",
		Summary: "A mean-field and random-matrix theory of signal propagation in randomly initialised recurrent networks: the variance map " +
			"q_t = sw2 E[tanh(sqrt(q_{t-1}) z)^2] + s of the vanilla RNN, the minimalRNN (one gate) whose timescale grows without bound with the " +
			"gate bias, and a closed-form critical initialisation giving dynamical isometry."})
	claim.Register(claim.Claim{ID: "MF-1", Paper: "meanfield", Seconds: 19,
		Statement:  "A wide random tanh RNN has empirical per-unit pre-activation variance matching the mean-field map q_t = sw2 E[tanh(sqrt(q_{t-1}) z)^2] + s at every step and the fixed point q* at stationarity, within the statistical bound over independent networks.",
		Source:     "Section 3 (mean-field theory of the vanilla RNN), with the input term s = sv2 R + sb2 (derived by the suite from Poole et al. 2016).",
		Conditions: "Tied weights, N = 1000, Gaussian or orthogonal W, 64 networks of 4 sequences each, h_0 = tanh(sqrt(q_0) xi) with q_0 = 3 (ordered) or 0.1 (chaotic) so that q_1 = sw2 E[tanh^2(sqrt(q_0) z)] + s is a step of the map, away from the critical point sw2 near 1 with a tiny drive (where Gaussian W overshoots by ~8% at N = 2000).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range mf1Cases(seed, claim.Full) {
				o.Add(MF1(c)...)
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			cs := mf1Cases(seed, size)
			// Off by one step through the chaotic transient: step t held to q_{t+1} (q_1..q_4 =
			// 0.32, 0.56, 0.74, 0.83).
			c := cs[1]
			c.Steps, c.Offset = 3, 1
			out := MF1(c)
			// The bias's variance forgotten (s = sv2 R): the chaotic network's stationary q
			// against the q* of s = 0.1 instead of 0.15 (0.815 for 0.901).
			c = cs[1]
			c.Drive = c.Net.SV2
			out = append(out, rowEnding(MF1(c), fmt.Sprintf("q* at t=%d", c.Steps)))
			return append(out, MF1Power(cs[0])...)
		},
	})
	claim.Register(claim.Claim{ID: "MF-3", Paper: "meanfield", Seconds: 4,
		Statement:  "The minimalRNN's fixed point satisfies Q* + R = 2R (1 - E[u]) / (1 - E[u^2]) (to 1e-12), and the recursion Q_t = E[u^2] Q_{t-1} + E[(1 - u)^2] R matches a network whose weights are redrawn every step (annealed) at every t and at stationarity within the statistical bound.",
		Source:     "Section 4 (the minimalRNN and its mean-field theory); the identity and the recursion's input term are derived by the suite.",
		Conditions: "Annealed W, V, b (redrawn every step; simulated through the gate fields, simmf.Minimal), width 1000, 256 networks, 40 steps from h_0 = 0; the tied (real) network is not covered: see the tied-gap finding.",
		Findings: []claim.Finding{{Name: tiedGapFinding,
			Says: "With tied weights (the real network) the recursion is not exact and the gap does not shrink with N: at mu_b = 2, sw = 3, sv = 1, sb = 0, R = 1 the stationary Q is about 27% below Q* = 1/3 at N = 200 and at N = 800 (measured -29% and -27%, 32 networks each; annealed networks match to within their 2% resolution); at mu_b = 0, sw = 1 the tied gap is about -1 to -2%. A unit's gate field persists in time, which the annealed recursion averages away."}},
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, mu := range []float64{-2, 0, 2, 4} {
				for _, sw := range []float64{1, 3} {
					o.Add(MF3Identity(meanfield.Minimal{MuB: mu, SW: sw, SV: 1, SB: 0.5, R: 1}))
				}
			}
			for _, c := range mf3Cases(seed, claim.Full) {
				o.Add(MF3Annealed(c)...)
			}
			// The gap at two widths: a finite-width effect would shrink between them.
			ev := claim.Evidence{Finding: tiedGapFinding, Confirmed: true}
			for _, n := range []int{200, 800} {
				g := MF3Tied(tiedCase(n, seed), 30)
				ev.Confirmed = ev.Confirmed && g.Rejected()
				if ev.Detail != "" {
					ev.Detail += " | "
				}
				ev.Detail += g.Case + ": " + g.Detail
			}
			o.Evidence = append(o.Evidence, ev)
			o.AddFigure(qtFigure(qtCases(seed)))
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			cs := mf3Cases(seed, size)
			// Off by one at the first step: Q_1 held to Q_2.
			c := cs[0]
			c.Steps, c.Offset = 1, 1
			out := MF3Annealed(c)
			// The bias's variance dropped from the gate's (NoBiasQMap) at mu_b = 2: the first and
			// the last step (-15% and -5%).
			c = cs[1]
			c.Map = NoBiasQMap
			rows := MF3Annealed(c)
			out = append(out, rowEnding(rows, " Q_1"), rowEnding(rows, fmt.Sprintf(" Q_%d", c.Steps)))
			return append(out, MF3AnnealedPower(cs[1])...)
		},
	})
	claim.Register(claim.Claim{ID: "MF-8", Paper: "meanfield",
		Statement:  "The quadrature used for tanh and sigmoid expectations reproduces the closed form E[erf(A) erf(B)] = (2/pi) arcsin(2 S12 / sqrt((1 + 2 S11)(1 + 2 S22))) to 1e-10, by the general two-dimensional rule and by the product rule the covariance and cross maps use.",
		Source:     "The erf kernel (Williams 1997), the oracle the catalogue sets for the paper's Gaussian expectations.",
		Conditions: "Zero-mean bivariate normal (A, B), variances from 1e-3 to 1e3 (the reference grid's are within 0.01..10.25), every correlation in [-1, 1].",
		Run: func(uint64) claim.Outcome {
			var o claim.Outcome
			for _, v := range [][2]float64{{1e-3, 1e-3}, {1, 1}, {1e3, 1e3}, {1e-3, 1e3}, {0.5, 10}} {
				for _, rho := range []float64{-1, -0.3, 0, 0.7, 1} {
					for _, product := range []bool{false, true} {
						o.Add(MF8(Oracle{S11: v[0], S22: v[1], Rho: rho, Product: product}))
					}
				}
			}
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			return []claim.Result{MF8(Oracle{S11: 1, S22: 2, Rho: 0.8, Formula: WrongErfProduct}),
				MF8(Oracle{S11: 1, S22: 2, Rho: 0.8, Formula: WrongErfProduct, Product: true})}
		},
	})
}

// meanfieldGolden returns the analytic values of the catalogue's reference grid
// (golden/meanfield.json).
func meanfieldGolden() ([]claim.Entry, error) {
	var out []claim.Entry
	for _, sw2 := range []float64{0.5, 1, 1.5, 2, 3} {
		for _, s := range []float64{0.01, 0.1, 0.5} {
			q, err := meanfield.VanillaFixedPoint(sw2, s)
			if err != nil {
				return nil, err
			}
			chi, err := meanfield.VanillaChi1(sw2, q)
			if err != nil {
				return nil, err
			}
			args := map[string]float64{"sw2": sw2, "s": s}
			out = append(out, claim.Entry{Name: "vanilla_qstar", Args: args, Value: q}, claim.Entry{Name: "vanilla_chi1", Args: args, Value: chi})
		}
	}
	for _, q := range []float64{0.001, 0.01, 0.1, 1} {
		sw2, err1 := meanfield.VanillaCriticalSW2(q)
		drive, err2 := meanfield.VanillaCriticalDrive(q)
		width, err3 := meanfield.VanillaCriticalWidth(q)
		if err := claim.FirstErr(err1, err2, err3); err != nil {
			return nil, err
		}
		args := map[string]float64{"qstar": q}
		out = append(out, claim.Entry{Name: "vanilla_critical_sw2", Args: args, Value: sw2},
			claim.Entry{Name: "vanilla_critical_drive", Args: args, Value: drive},
			claim.Entry{Name: "vanilla_critical_width", Args: args, Value: width})
	}
	for _, mu := range []float64{-2, 0, 2, 4} {
		for _, sw := range []float64{1, 3} {
			for _, sb := range []float64{0, 0.5} {
				m := meanfield.Minimal{MuB: mu, SW: sw, SV: 1, SB: sb, R: 1}
				Q, err1 := m.QStar()
				chi, err2 := m.Chi1()
				xi, err3 := m.Xi()
				if err := claim.FirstErr(err1, err2, err3); err != nil {
					return nil, err
				}
				args := map[string]float64{"mu_b": mu, "sw": sw, "sv": 1, "sb": sb, "R": 1}
				out = append(out, claim.Entry{Name: "minimal_Qstar", Args: args, Value: Q},
					claim.Entry{Name: "minimal_chi1", Args: args, Value: chi},
					claim.Entry{Name: "minimal_xi_indep", Args: args, Value: xi})
			}
		}
	}
	for _, mu := range []float64{0, 1, 2, 3, 4} {
		sw2, err := meanfield.Minimal{MuB: mu, SV: 1, SB: 0, R: 1}.CriticalSW2()
		if err != nil {
			return nil, err
		}
		out = append(out, claim.Entry{Name: "minimal_critical_sw2", Args: map[string]float64{"mu_b": mu, "sv": 1, "sb": 0, "R": 1}, Value: sw2})
	}
	return out, nil
}
