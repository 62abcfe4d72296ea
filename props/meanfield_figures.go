package props

// The mean-field paper's figures: q_t (MF-1, MF-3), the T-step spread (MF-6) and the timescales
// (MF-5), computed by the helpers that make the verdicts.

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// qtFigure draws the signal's second moment against t: the vanilla map q_t and the minimalRNN
// recursion Q_t (lines), the vanilla network and the annealed minimalRNN (points, +-2 SE, held to
// their lines), and tied minimalRNNs of the annealed case's parameters at each width in tied (points
// without a line of their own: the tied-gap finding).
func qtFigure(v VarianceMapCase, annealed MinimalCase, tied []MinimalCase) (claim.Figure, error) {
	a := annealed.Net
	f := claim.Figure{File: "meanfield-qt.png", Title: "MF-1, MF-3: the signal's second moment against t, mean field and simulation",
		Caption: fmt.Sprintf("Vanilla tanh RNN (sw2 = %.3g, s = %.3g, width %d, %d networks) against the map q_t; minimalRNN (mu_b = %.3g, sw = %.3g, sb = %.3g, R = %.3g) with weights redrawn every step (width %d, %d networks) against the recursion Q_t, and with tied weights (the real network), which settles below it at every width. Points are means over networks, +-2 SE.",
			v.Net.SW2, v.Net.SV2+v.Net.SB2, v.Net.N, v.Seeds, a.MuB, a.SW, a.SB, a.R, a.N, annealed.Seeds),
		XLabel: "t (steps)", YLabel: "q_t, Q_t"}
	q, err := mapTrajectory(v.Net.SW2, v.Net.SV2+v.Net.SB2, v.Net.Start, v.Steps)
	if err != nil {
		return f, err
	}
	vests, err := mf1Estimates(v, v.Seed)
	if err != nil {
		return f, err
	}
	f.Series = append(f.Series, qtLine("vanilla map q_t", q), qtPoints("vanilla simulated", vests, q))
	Q, err := recursion(annealed.theory(), annealed.Steps, nil)
	if err != nil {
		return f, err
	}
	aests, err := annealed.estimates()
	if err != nil {
		return f, err
	}
	f.Series = append(f.Series, qtLine("minimalRNN recursion Q_t", Q), qtPoints("annealed minimalRNN", aests, Q))
	for _, c := range tied {
		ests, err := c.estimates()
		if err != nil {
			return f, err
		}
		f.Series = append(f.Series, qtPoints(fmt.Sprintf("tied minimalRNN N=%d", c.Net.N), ests, nil))
	}
	return f, nil
}

// qtLine is a closed-form trajectory y_1, y_2, .. as a line.
func qtLine(name string, y []float64) claim.Series {
	s := claim.Series{Name: name, Y: y}
	for t := range y {
		s.X = append(s.X, float64(t+1))
	}
	return s
}

// qtPoints is a simulated trajectory as points with error bars, held to expect when not nil.
func qtPoints(name string, ests []stats.Estimate, expect []float64) claim.Series {
	s := claim.Series{Name: name, Points: true}
	for t, e := range ests {
		s.X, s.Y, s.SE = append(s.X, float64(t+1)), append(s.Y, e.Mean), append(s.SE, e.SE)
	}
	if expect != nil {
		s.Expect = expect[:len(ests)]
	}
	return s
}

// spreadFigure draws MF-6's Jacobian spread against T: the formulas T (mu_2/mu_1^2 - 1 - s_1) for
// Gaussian and orthogonal W as lines, and the Hutchinson estimates (jackknife +-2 SE) as points.
// The Gaussian points are not held to their line (their finite-width bias is up to 12%); the
// orthogonal ones are, within the stated tolerance folded into no error bar, so neither carries
// Expect.
func spreadFigure(c []SpectrumCase, ts []int, spreads [][]stats.Estimate) (claim.Figure, error) {
	f := claim.Figure{File: "meanfield-spread.png", Title: "MF-6: the T-step Jacobian's spread, Gaussian against orthogonal W",
		Caption: fmt.Sprintf("Relative spread m_2/m_1^2 - 1 of J J^T against T at width %d (sw2 = %.3g, s = %.3g): the formulas (lines) and Hutchinson estimates over %d networks (points, +-2 SE).",
			c[0].Net.N, c[0].Net.SW2, c[0].Net.SV2+c[0].Net.SB2, c[0].Seeds),
		XLabel: "T (steps)", YLabel: "m_2/m_1^2 - 1", LogY: true}
	q, err := meanfield.VanillaFixedPoint(c[0].Net.SW2, c[0].Net.SV2+c[0].Net.SB2)
	if err != nil {
		return f, err
	}
	for k, cs := range c {
		name := "gauss"
		if cs.Net.Orthogonal {
			name = "orthogonal"
		}
		line, pts := claim.Series{Name: name + " formula"}, claim.Series{Name: name + " simulated", Points: true}
		for T := 1; T <= ts[len(ts)-1]; T++ {
			_, sp, err := meanfield.JacobianMoments(cs.Net.SW2, q, T, cs.Net.Orthogonal)
			if err != nil {
				return f, err
			}
			line.X, line.Y = append(line.X, float64(T)), append(line.Y, sp)
		}
		for i, T := range ts {
			pts.X, pts.Y, pts.SE = append(pts.X, float64(T)), append(pts.Y, spreads[k][i].Mean), append(pts.SE, spreads[k][i].SE)
		}
		f.Series = append(f.Series, line, pts)
	}
	return f, nil
}

// xiFigure draws MF-5's timescales against mu_b: the minimalRNN's xi = -1/ln chi_ab (line), the
// annealed simulation's xi from the fitted window rate (points, +-2 SE by the delta method), and
// the largest vanilla xi at the same input noise (a flat line: bounded).
func xiFigure(g XiGrid, sims []TimescaleCase) (claim.Figure, error) {
	f := claim.Figure{File: "meanfield-xi.png", Title: "MF-5: gating buys timescale, the vanilla network's stays bounded",
		Caption: "Timescale xi = -1/ln chi_ab of the minimalRNN against the gate mean mu_b (line; sw = 1, sv = 1, sb = 0.5, R = 1), the annealed simulation's -1/(fitted ln-rate) over the recursion's window (points, +-2 SE, width 300), and the largest vanilla xi over sw2 and sb2 at sv2 R = 1 (flat line).",
		XLabel:  "mu_b", YLabel: "xi (steps)", LogY: true}
	line := claim.Series{Name: "minimalRNN xi (closed form)"}
	for _, mu := range g.MuBs {
		m := g.Base
		m.MuB = mu
		x, err := m.Xi()
		if err != nil {
			return f, err
		}
		line.X, line.Y = append(line.X, mu), append(line.Y, x)
	}
	best := 0.0
	for _, sb2 := range g.SB2s {
		for _, sw2 := range g.SW2s {
			x, err := vanillaXi(sw2, g.SV2+sb2, sb2)
			if err != nil {
				return f, err
			}
			best = math.Max(best, x)
		}
	}
	vanilla := claim.Series{Name: "vanilla max xi", X: []float64{g.MuBs[0], g.MuBs[len(g.MuBs)-1]}, Y: []float64{best, best}}
	pts := claim.Series{Name: "annealed minimalRNN (window fit)", Points: true}
	for _, c := range sims {
		est, err := c.fittedRate()
		if err != nil {
			return f, err
		}
		if !(est.Mean < 0) {
			continue
		}
		pts.X, pts.Y, pts.SE = append(pts.X, c.Net.MuB), append(pts.Y, -1/est.Mean), append(pts.SE, est.SE/(est.Mean*est.Mean))
	}
	f.Series = append(f.Series, line, vanilla, pts)
	return f, nil
}
