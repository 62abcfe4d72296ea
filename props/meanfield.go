package props

// MF: Chen, Pennington, Schoenholz, "Dynamical Isometry and a Mean Field Theory of RNNs: Gating
// Enables Signal Propagation in Recurrent Neural Networks" (ICML 2018); the claims are MF-1 ..
// MF-8 of CLAIMS.md. Closed forms: theory/meanfield; simulations: numeric/meanfield.

import (
	"fmt"
	"math"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// VarianceMapCase is one MF-1 case: Seeds independent networks of the family Net run for Steps
// steps from h_0 = 0. Offset compares step t with the map's q_{t+Offset}: 0 is the claim, 1 the
// off-by-one control.
type VarianceMapCase struct {
	Net          simmf.Vanilla
	Steps, Seeds int
	Seed         uint64
	Offset       int
}

// mapTrajectory returns q_1 .. q_{steps+offset} of the mean-field variance map from h_0 = 0:
// q_1 = s (W h_0 = 0), q_{t+1} = sw2 E[tanh^2(sqrt(q_t) z)] + s.
func mapTrajectory(sw2, s float64, steps int) ([]float64, error) {
	q := []float64{s}
	for len(q) < steps {
		next, err := meanfield.VarianceMap(q[len(q)-1], sw2, s)
		if err != nil {
			return nil, err
		}
		q = append(q, next)
	}
	return q, nil
}

// MF1 checks the vanilla variance map against simulation at every step: the per-unit mean square
// of the pre-activation, averaged over independent networks, against q_t (a t-test over the
// networks). Each network's value is variance-reduced by the parts whose means are known exactly:
// Q - (Bias - sb2) - (Input - sv2) - Fresh has mean q_t, as Q does (simmf.Step); at t = 1 it is
// s exactly, up to rounding, which the check allows (1e-12 q_t). The finite-width bias is
// O(1/N), far inside the test's resolution away from the critical point (sw2 near 1 with a tiny
// drive, where the catalogue measures an 8% overshoot at N = 2000 for Gaussian W; the generator
// keeps away from it). When the map has converged by the last step (|q_T - q*| <= 1e-9 q*), the
// last row compares it with the fixed point q*.
func MF1(c VarianceMapCase) []claim.Result { return mf1(c, false) }

// MF1Power is the power control of every MF1 row: fresh networks against q_t (1 + 2 MDE).
func MF1Power(c VarianceMapCase) []claim.Result { return mf1(c, true) }

func mf1(c VarianceMapCase, power bool) []claim.Result {
	n := c.Net
	s := n.SV2 + n.SB2
	q, err := mapTrajectory(n.SW2, s, c.Steps+c.Offset)
	if err != nil {
		return []claim.Result{claim.Failed("MF-1 set-up", err)}
	}
	qstar, err := meanfield.VanillaFixedPoint(n.SW2, s)
	if err != nil {
		return []claim.Result{claim.Failed("MF-1 set-up", err)}
	}
	label := "gauss"
	if n.Orthogonal {
		label = "orthogonal"
	}
	ests, err := mf1Estimates(c, c.Seed)
	if err != nil {
		return []claim.Result{claim.Failed("MF-1 simulation", err)}
	}
	var fresh []stats.Estimate
	var out []claim.Result
	for t := range c.Steps {
		what := fmt.Sprintf("MF-1 %s N=%d sw2=%.3g s=%.3g q_%d", label, n.N, n.SW2, s, t+1)
		want := q[t+c.Offset]
		if t == c.Steps-1 && c.Offset == 0 && math.Abs(want-qstar) <= 1e-9*qstar {
			// The map has reached its fixed point: the last row is the stationary claim.
			what, want = fmt.Sprintf("MF-1 %s N=%d sw2=%.3g s=%.3g q* at t=%d", label, n.N, n.SW2, s, t+1), qstar
		}
		row := claim.MeanCheckWithin(what, ests[t], want, 1e-12*want, c.Seed)
		if power {
			row = claim.Power(row, func(f float64) claim.Result {
				if fresh == nil {
					if fresh, err = mf1Estimates(c, c.Seed+freshSeed); err != nil {
						return claim.Failed(what, err)
					}
				}
				return claim.MeanCheckWithin(what, fresh[t], f*want, 1e-12*want, c.Seed+freshSeed)
			})
		}
		out = append(out, row)
	}
	return out
}

// mf1Estimates simulates the case's Seeds networks from seeds seed, seed+1, .. and returns, per
// step, the mean over networks of the variance-reduced Q.
func mf1Estimates(c VarianceMapCase, seed uint64) ([]stats.Estimate, error) {
	return stepEstimates(c.Seeds, c.Steps, seed, func(seed uint64) ([]float64, error) {
		steps, err := c.Net.PreactivationVariance(c.Steps, seed)
		out := make([]float64, len(steps))
		for t, st := range steps {
			out[t] = st.Q - (st.Bias - c.Net.SB2) - (st.Input - c.Net.SV2) - st.Fresh
		}
		return out, err
	})
}

// stepEstimates runs nets independent networks (run(seed + i) returns one network's value at each
// of steps steps) and returns, per step, the mean over networks with its standard error (at most
// 16 blocks): the estimate every MF claim over a trajectory tests.
func stepEstimates(nets, steps int, seed uint64, run func(seed uint64) ([]float64, error)) ([]stats.Estimate, error) {
	if nets < 2 || steps < 1 {
		return nil, fmt.Errorf("need at least 2 networks and 1 step, got %d and %d", nets, steps)
	}
	per := make([][]float64, steps)
	for i := range nets {
		vals, err := run(seed + uint64(i))
		if err != nil {
			return nil, err
		}
		if len(vals) != steps {
			return nil, fmt.Errorf("a network returned %d steps, want %d", len(vals), steps)
		}
		for t, v := range vals {
			per[t] = append(per[t], v)
		}
	}
	out := make([]stats.Estimate, steps)
	for t, xs := range per {
		est, err := stats.FromSample(xs, min(nets, 16))
		if err != nil {
			return nil, err
		}
		out[t] = est
	}
	return out, nil
}

// ErfFormula is the shape of meanfield.ErfProduct: E[erf(A) erf(B)] for zero-mean (A, B) with
// variances s11, s22 and covariance s12.
type ErfFormula func(s11, s22, s12 float64) (float64, error)

// Oracle is one MF-8 case: the quadrature of E[erf(A) erf(B)] against Formula (nil: the closed
// form meanfield.ErfProduct).
type Oracle struct {
	S11, S22, Rho float64
	Formula       ErfFormula
}

// MF8 checks the quadrature behind every Gaussian expectation of the paper against a closed form:
// with phi = erf, E[erf(A) erf(B)] = (2/pi) arcsin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22))), to 1e-10
// (absolute; the value is at most 1).
func MF8(c Oracle) claim.Result {
	what := fmt.Sprintf("MF-8 E[erf erf] s11=%.3g s22=%.3g rho=%.3g", c.S11, c.S22, c.Rho)
	formula := c.Formula
	if formula == nil {
		formula = meanfield.ErfProduct
	}
	s12 := c.Rho * math.Sqrt(c.S11*c.S22)
	want, err1 := formula(c.S11, c.S22, s12)
	got, err2 := meanfield.Expect2(func(a, b float64) float64 { return math.Erf(a) * math.Erf(b) }, 0, 0, c.S11, c.S22, s12)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return claim.RelCheck(what, got, want, 1, 1e-10)
}

// WrongErfProduct drops the 2 in the denominators' 1 + 2 s (the MF-8 control):
// (2/pi) arcsin(2 s12 / sqrt((1 + s11)(1 + s22))), clamped to [-1, 1].
func WrongErfProduct(s11, s22, s12 float64) (float64, error) {
	if _, err := meanfield.ErfProduct(s11, s22, s12); err != nil {
		return 0, err
	}
	arg := 2 * s12 / math.Sqrt((1+s11)*(1+s22))
	return 2 / math.Pi * math.Asin(math.Max(-1, math.Min(1, arg))), nil
}

// MF3Identity checks the minimalRNN's fixed-point identity Q* + R = 2R (1 - E[u]) / (1 - E[u^2])
// (derived) to 1e-12 relative, E[u] and E[u^2] at the stationary gate variance.
func MF3Identity(m meanfield.Minimal) claim.Result {
	what := fmt.Sprintf("MF-3 identity Q* + R mu_b=%.3g sw=%.3g sv=%.3g sb=%.3g", m.MuB, m.SW, m.SV, m.SB)
	Q, _, eu, eu2, _, err := m.Stationary()
	if err != nil {
		return claim.Failed(what, err)
	}
	want := 2 * m.R * (1 - eu) / (1 - eu2)
	return claim.RelCheck(what, Q+m.R, want, want, 1e-12)
}

// MinimalCase is one MF-3 simulation case: Seeds networks of the family Net (annealed or tied) run
// for Steps steps from h_0 = 0. Offset compares step t with the recursion's Q_{t+Offset} (1: the
// off-by-one control).
type MinimalCase struct {
	Net          simmf.Minimal
	Steps, Seeds int
	Seed         uint64
	Offset       int
}

func (c MinimalCase) theory() meanfield.Minimal {
	return meanfield.Minimal{MuB: c.Net.MuB, SW: c.Net.SW, SV: c.Net.SV, SB: c.Net.SB, R: c.Net.R}
}

// estimates simulates the case's networks and returns, per step, the mean over networks of Q_t.
func (c MinimalCase) estimates() ([]stats.Estimate, error) {
	return stepEstimates(c.Seeds, c.Steps, c.Seed, func(seed uint64) ([]float64, error) {
		return minimalSeries(c.Net, c.Steps, seed, func(s simmf.MinimalStep) float64 { return s.Q })
	})
}

// minimalSeries runs one minimalRNN and returns one quantity of each step.
func minimalSeries(net simmf.Minimal, steps int, seed uint64, of func(simmf.MinimalStep) float64) ([]float64, error) {
	tr, err := net.Trajectory(steps, seed)
	out := make([]float64, len(tr))
	for t, s := range tr {
		out[t] = of(s)
	}
	return out, err
}

// MF3Annealed checks the minimalRNN recursion Q_t = E[u^2] Q_{t-1} + E[(1 - u)^2] R against
// networks whose weights are redrawn every step, at every step (a t-test over networks), and
// against Q* at the last step once the recursion has converged. The finite-width bias, O(1/N)
// (|h|^2/N fluctuates inside the gate's variance), is inside the test's resolution at the
// widths used.
func MF3Annealed(c MinimalCase) []claim.Result { return mf3Annealed(c, false) }

// MF3AnnealedPower is the power control of every MF3Annealed row: fresh networks against
// Q_t (1 + 2 MDE).
func MF3AnnealedPower(c MinimalCase) []claim.Result { return mf3Annealed(c, true) }

func mf3Annealed(c MinimalCase, power bool) []claim.Result {
	m := c.theory()
	Q, err := recursion(m, c.Steps+c.Offset)
	if err != nil {
		return []claim.Result{claim.Failed("MF-3 recursion", err)}
	}
	qstar, err := m.QStar()
	if err != nil {
		return []claim.Result{claim.Failed("MF-3 fixed point", err)}
	}
	ests, err := c.estimates()
	if err != nil {
		return []claim.Result{claim.Failed("MF-3 simulation", err)}
	}
	var fresh []stats.Estimate
	var out []claim.Result
	for t := range c.Steps {
		what := fmt.Sprintf("MF-3 annealed N=%d mu_b=%.3g sw=%.3g Q_%d", c.Net.N, c.Net.MuB, c.Net.SW, t+1)
		want := Q[t+c.Offset]
		if t == c.Steps-1 && c.Offset == 0 && math.Abs(want-qstar) <= 1e-9*qstar {
			what, want = fmt.Sprintf("MF-3 annealed N=%d mu_b=%.3g sw=%.3g Q* at t=%d", c.Net.N, c.Net.MuB, c.Net.SW, t+1), qstar
		}
		row := claim.MeanCheck(what, ests[t], want, c.Seed)
		if power {
			row = claim.Power(row, func(f float64) claim.Result {
				if fresh == nil {
					fc := c
					fc.Seed += freshSeed
					if fresh, err = fc.estimates(); err != nil {
						return claim.Failed(what, err)
					}
				}
				return claim.MeanCheck(what, fresh[t], f*want, c.Seed+freshSeed)
			})
		}
		out = append(out, row)
	}
	return out
}

// recursion returns Q_1 .. Q_steps of the minimalRNN recursion from h_0 = 0.
func recursion(m meanfield.Minimal, steps int) ([]float64, error) {
	Q, q := make([]float64, 0, steps), 0.0
	for range steps {
		var err error
		if q, err = m.QMap(q); err != nil {
			return nil, err
		}
		Q = append(Q, q)
	}
	return Q, nil
}

// MF3Tied compares the tied network's stationary Q (its mean over the last Tail steps of each
// network, averaged over networks) with the mean-field Q*: the check the catalogue expects to
// fail (the tied-gap finding). The detail gives the gap in per cent.
func MF3Tied(c MinimalCase, tail int) claim.Result {
	what := fmt.Sprintf("MF-3 tied N=%d mu_b=%.3g sw=%.3g sb=%.3g stationary Q vs Q*", c.Net.N, c.Net.MuB, c.Net.SW, c.Net.SB)
	if tail < 1 || tail > c.Steps {
		return claim.Failed(what, fmt.Errorf("tail %d outside [1, %d]", tail, c.Steps))
	}
	qstar, err := c.theory().QStar()
	if err != nil {
		return claim.Failed(what, err)
	}
	means := make([]float64, c.Seeds)
	for i := range c.Seeds {
		q, err := minimalSeries(c.Net, c.Steps, c.Seed+uint64(i), func(s simmf.MinimalStep) float64 { return s.Q })
		if err != nil {
			return claim.Failed(what, err)
		}
		for _, v := range q[c.Steps-tail:] {
			means[i] += v / float64(tail)
		}
	}
	est, err := stats.FromSample(means, min(c.Seeds, 16))
	if err != nil {
		return claim.Failed(what, err)
	}
	r := claim.MeanCheck(what, est, qstar, c.Seed)
	r.Detail += fmt.Sprintf("; gap %.1f%% of Q*", 100*(est.Mean/qstar-1))
	return r
}

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
	q, err := mapTrajectory(v.Net.SW2, v.Net.SV2+v.Net.SB2, v.Steps)
	if err != nil {
		return f, err
	}
	vests, err := mf1Estimates(v, v.Seed)
	if err != nil {
		return f, err
	}
	f.Series = append(f.Series, qtLine("vanilla map q_t", q), qtPoints("vanilla simulated", vests, q))
	Q, err := recursion(annealed.theory(), annealed.Steps)
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
