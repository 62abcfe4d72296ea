package props

// MF: Chen, Pennington, Schoenholz, "Dynamical Isometry and a Mean Field Theory of RNNs: Gating
// Enables Signal Propagation in Recurrent Neural Networks" (ICML 2018); the claims are MF-1 ..
// MF-8 of CLAIMS.md. Closed forms: theory/meanfield; simulations: numeric/meanfield.

import (
	"fmt"
	"math"
	"strings"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
	"gonum.org/v1/gonum/mat"
)

// VarianceMapCase is one MF-1 case: Seeds independent networks of the family Net (each running
// Net.Seqs sequences from h_0 = tanh(sqrt(Net.Start) xi)) for Steps steps. Offset compares step t
// with the map's q_{t+Offset}: 0 is the claim, 1 the off-by-one control. Drive, when not 0, is the
// s the map is run with instead of SV2 + SB2 (a control: the bias's variance forgotten).
type VarianceMapCase struct {
	Net          simmf.Vanilla
	Steps, Seeds int
	Seed         uint64
	Offset       int
	Drive        float64
}

// mapTrajectory returns q_1 .. q_steps of the mean-field variance map from the start's
// pre-activation variance q_0 = start (h_0 = tanh(sqrt(q_0) xi)): q_{t+1} = sw2 E[tanh^2(sqrt(q_t) z)]
// + s, so q_1 = s from h_0 = 0.
func mapTrajectory(sw2, s, start float64, steps int) ([]float64, error) {
	var q []float64
	prev := start
	for len(q) < steps {
		next, err := meanfield.VarianceMap(prev, sw2, s)
		if err != nil {
			return nil, err
		}
		if prev == 0 {
			next = s // tanh(0) = 0 exactly
		}
		q, prev = append(q, next), next
	}
	return q, nil
}

// MF1 checks the vanilla variance map against simulation at every step: the per-unit mean square
// of the pre-activation, averaged over the sequences of a network and then over independent
// networks, against q_t (a t-test over the networks). Each sequence's value is variance-reduced
// by the parts whose means are known exactly: Q - (Bias - sb2) - (Input - sv2) - Fresh has mean
// q_t, as Q does (simmf.Step); the exact values are the map's to 1e-12 relative, which the check
// allows. The networks start from h_0 = tanh(sqrt(Start) xi) with Start > 0, so that q_1 =
// sw2 E[tanh^2(sqrt(Start) z)] + s is a step of the map that the network can get wrong (from
// h_0 = 0 it is s exactly, a tautology). The finite-width bias is O(1/N), inside the test's
// resolution away from the critical point (sw2 near 1 with a tiny drive, where the catalogue
// measures an 8% overshoot at N = 2000 for Gaussian W; the generator keeps away from it). When the
// map has converged by the last step (|q_T - q*| <= 1e-9 q*), the last row compares it with the
// fixed point q*.
func MF1(c VarianceMapCase) []claim.Result { return mf1(c, false) }

// MF1Power is the power control of every MF1 row: fresh networks against q_t (1 + 2 MDE).
func MF1Power(c VarianceMapCase) []claim.Result { return mf1(c, true) }

func mf1(c VarianceMapCase, power bool) []claim.Result {
	n := c.Net
	s := n.SV2 + n.SB2
	if c.Drive != 0 {
		s = c.Drive
	}
	q, err := mapTrajectory(n.SW2, s, n.Start, c.Steps+c.Offset)
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
	label = fmt.Sprintf("MF-1 %s N=%d sw2=%.3g s=%.3g", label, n.N, n.SW2, n.SV2+n.SB2)
	ests, err := mf1Estimates(c, c.Seed)
	if err != nil {
		return []claim.Result{claim.Failed("MF-1 simulation", err)}
	}
	var fresh []stats.Estimate
	var out []claim.Result
	for t := range c.Steps {
		what := fmt.Sprintf("%s q_%d", label, t+1)
		want := q[t+c.Offset]
		if t == c.Steps-1 && c.Offset == 0 && math.Abs(want-qstar) <= 1e-9*qstar {
			// The map has reached its fixed point: the last row is the stationary claim.
			what, want = fmt.Sprintf("%s q* at t=%d", label, t+1), qstar
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

// mf1Pilot offsets the seeds of the pilot networks whose regression gives MF-1's control-variate
// coefficients.
const mf1Pilot = 0x5bd1e995

// mf1Estimates simulates the case's Seeds networks from seeds seed, seed+1, .. and returns, per
// step, the mean over networks of the variance-reduced Q (each network's the mean over its
// sequences). Two kinds of control variate, every one of mean exactly 0, are subtracted:
//   - sum_{s<=t} G_{t,s} d_s, where d_s = (Bias - sb2) + (Input_s - sv2) + Fresh_s is the part of
//     step s's noise whose mean is exactly 0 (simmf.Step) and G_{t,s} = prod_{s<=r<t} m'(q_r)
//     carries it to step t through the map's derivative (G_{t,t} = 1; by central differences): a
//     realised input variance off its mean moves every later step as the map says;
//   - beta_t . (Bias - sb2, BWB, BW2B - sw2 sb2/N, BW3B, WB2 - sw2 sb2), the frozen bias's
//     persistent state (simmf.Step),
//     with beta_t the least-squares coefficients of a pilot of max(16, Seeds/2) independent networks
//     (seeds from seed + mf1Pilot): the pilot is independent of the networks it corrects, so the
//     corrected values keep their mean and stay independent. At sb2 = 0.4, sw2 = 1.5, N = 128 this
//     halves a network's SD (9% before).
func mf1Estimates(c VarianceMapCase, seed uint64) ([]stats.Estimate, error) {
	n := c.Net
	s := n.SV2 + n.SB2
	q, err := mapTrajectory(n.SW2, s, n.Start, c.Steps)
	if err != nil {
		return nil, err
	}
	slope := make([]float64, c.Steps) // m'(q_t)
	for t, qt := range q {
		h := 1e-5 * qt
		hi, err1 := meanfield.VarianceMap(qt+h, n.SW2, s)
		lo, err2 := meanfield.VarianceMap(qt-h, n.SW2, s)
		if err := claim.FirstErr(err1, err2); err != nil {
			return nil, err
		}
		slope[t] = (hi - lo) / (2 * h)
	}
	// run returns one network's linearly corrected values and its bias covariates.
	run := func(seed uint64) ([]float64, []float64, error) {
		steps, err := vanillaVariance(n, c.Steps, seed)
		if err != nil {
			return nil, nil, err
		}
		out := make([]float64, len(steps))
		carried := 0.0 // sum_{s<t} G_{t,s} d_s
		for t, st := range steps {
			d := (st.Bias - n.SB2) + (st.Input - n.SV2) + st.Fresh
			out[t] = st.Q - d - carried
			carried = slope[t] * (carried + d)
		}
		st := steps[0]
		return out, []float64{st.Bias - n.SB2, st.BWB, st.BW2B - n.SW2*n.SB2/float64(n.N), st.BW3B, st.WB2 - n.SW2*n.SB2}, nil
	}
	pilot := max(16, c.Seeds/2)
	ys, xs := make([][]float64, c.Steps), make([][]float64, pilot)
	for i := range pilot {
		y, x, err := run(seed + mf1Pilot + uint64(i))
		if err != nil {
			return nil, err
		}
		for t, v := range y {
			ys[t] = append(ys[t], v)
		}
		xs[i] = x
	}
	betas := make([][]float64, c.Steps)
	for t := range betas {
		betas[t] = cvCoefficients(ys[t], xs)
	}
	return stepEstimates(c.Seeds, c.Steps, seed, func(seed uint64) ([]float64, error) {
		y, x, err := run(seed)
		for t := range y {
			for j, b := range betas[t] {
				y[t] -= b * x[j]
			}
		}
		return y, err
	})
}

// cvCoefficients returns the ridge least-squares coefficients of ys on the covariates xs[i]
// (centred and scaled over the pilot, ridge 1e-9 of the identity, so that a covariate that does
// not vary, sb2 = 0, or repeats another, |W b|^2 = sw2 |b|^2 for orthogonal W, gets a finite
// coefficient): the control-variate coefficients a pilot sample suggests. Any coefficients keep the
// corrected values' mean; these make their variance small.
func cvCoefficients(ys []float64, xs [][]float64) []float64 {
	n, p := len(ys), len(xs[0])
	mean, scale := make([]float64, p), make([]float64, p)
	for j := range p {
		for _, x := range xs {
			mean[j] += x[j] / float64(n)
		}
		for _, x := range xs {
			scale[j] += (x[j] - mean[j]) * (x[j] - mean[j])
		}
		scale[j] = math.Sqrt(scale[j])
	}
	var ym float64
	for _, y := range ys {
		ym += y / float64(n)
	}
	a, rhs := mat.NewSymDense(p, nil), mat.NewVecDense(p, nil)
	for j := range p {
		for k := j; k < p; k++ {
			var v float64
			for _, x := range xs {
				if scale[j] > 0 && scale[k] > 0 {
					v += (x[j] - mean[j]) / scale[j] * (x[k] - mean[k]) / scale[k]
				}
			}
			a.SetSym(j, k, v)
		}
		a.SetSym(j, j, a.At(j, j)+1e-9)
		var v float64
		for i, x := range xs {
			if scale[j] > 0 {
				v += (x[j] - mean[j]) / scale[j] * (ys[i] - ym)
			}
		}
		rhs.SetVec(j, v)
	}
	beta := make([]float64, p)
	var chol mat.Cholesky
	var sol mat.VecDense
	if !chol.Factorize(a) || chol.SolveVecTo(&sol, rhs) != nil {
		return beta
	}
	for j := range p {
		if scale[j] > 0 {
			beta[j] = sol.AtVec(j) / scale[j]
		}
	}
	return beta
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

// rowEnding returns the one row of rs whose case ends with suffix (a failed row when there is not
// exactly one): how a control picks a claim's row, by name.
func rowEnding(rs []claim.Result, suffix string) claim.Result {
	var out []claim.Result
	for _, r := range rs {
		if strings.HasSuffix(r.Case, suffix) {
			out = append(out, r)
		}
	}
	return claim.Only(out)
}

// ErfFormula is the shape of meanfield.ErfProduct: E[erf(A) erf(B)] for zero-mean (A, B) with
// variances s11, s22 and covariance s12.
type ErfFormula func(s11, s22, s12 float64) (float64, error)

// Oracle is one MF-8 case: the quadrature of E[erf(A) erf(B)] against Formula (nil: the closed
// form meanfield.ErfProduct), by meanfield.Expect2, or by meanfield.Expect2Product (the rule the
// covariance and cross maps use) when Product is set.
type Oracle struct {
	S11, S22, Rho float64
	Formula       ErfFormula
	Product       bool
}

// MF8 checks the quadrature behind every Gaussian expectation of the paper against a closed form:
// with phi = erf, E[erf(A) erf(B)] = (2/pi) arcsin(2 s12 / sqrt((1 + 2 s11)(1 + 2 s22))), to 1e-10
// (absolute; the value is at most 1).
func MF8(c Oracle) claim.Result {
	rule := "E[erf erf]"
	if c.Product {
		rule = "E[erf] product rule"
	}
	what := fmt.Sprintf("MF-8 %s s11=%.3g s22=%.3g rho=%.3g", rule, c.S11, c.S22, c.Rho)
	formula := c.Formula
	if formula == nil {
		formula = meanfield.ErfProduct
	}
	s12 := c.Rho * math.Sqrt(c.S11*c.S22)
	want, err1 := formula(c.S11, c.S22, s12)
	var got float64
	var err2 error
	if c.Product {
		got, err2 = meanfield.Expect2Product(math.Erf, math.Erf, 0, 0, c.S11, c.S22, s12)
	} else {
		got, err2 = meanfield.Expect2(func(a, b float64) float64 { return math.Erf(a) * math.Erf(b) }, 0, 0, c.S11, c.S22, s12)
	}
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
// off-by-one control); Map, when not nil, replaces the recursion's step (a control's wrong
// variant).
type MinimalCase struct {
	Net          simmf.Minimal
	Steps, Seeds int
	Seed         uint64
	Offset       int
	Map          func(m meanfield.Minimal, Q float64) (float64, error)
}

// NoBiasQMap is the MF-3 control's recursion with the bias's variance dropped from the gate's:
// e ~ N(mu_b, sw^2 Q + sv^2 R) where the claim has + sb^2 (a dropped term; at mu_b = 2, sw = 3,
// sb = 0.5 it moves Q_1 by -15% and Q* by -5%).
func NoBiasQMap(m meanfield.Minimal, Q float64) (float64, error) {
	q := m.SW*m.SW*Q + m.SV*m.SV*m.R
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	eu2, err1 := meanfield.Expect(func(x float64) float64 { u := sig(x); return u * u }, m.MuB, q)
	eomu2, err2 := meanfield.Expect(func(x float64) float64 { u := sig(x); return (1 - u) * (1 - u) }, m.MuB, q)
	return eu2*Q + eomu2*m.R, claim.FirstErr(err1, err2)
}

func (c MinimalCase) theory() meanfield.Minimal {
	return meanfield.Minimal{MuB: c.Net.MuB, SW: c.Net.SW, SV: c.Net.SV, SB: c.Net.SB, R: c.Net.R}
}

// estimates simulates the case's networks and returns, per step, the mean over networks of Q_t
// less the control variates of the inputs: d_t = E[(1 - u)^2] (Z_t - R) + 2 E[u (1 - u)] HZ_t, of
// mean exactly 0 (simmf.MinimalStep) with the gate moments of the recursion at Q_{t-1}, carried to
// later steps through the recursion's slope dQ_t/dQ_{t-1} (by central differences), as MF-1 does:
// a realised input variance off R moves this and every later step as the recursion says. Any
// coefficients keep the mean; these remove most of the input's noise (at mu_b = 2, where Q_1 =
// E[(1 - u)^2] R is small, the first step's SE fell by half).
func (c MinimalCase) estimates() ([]stats.Estimate, error) {
	m := c.theory()
	Q, err := recursion(m, c.Steps, nil)
	if err != nil {
		return nil, err
	}
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	type coef struct{ a, b, slope float64 }
	cs := make([]coef, c.Steps)
	prev := c.Net.Start // Q_{t-1}; the state's start is h_0 = sqrt(Start) xi
	for t := range cs {
		q := m.SW*m.SW*prev + m.SV*m.SV*m.R + m.SB*m.SB
		a, err1 := meanfield.Expect(func(x float64) float64 { u := sig(x); return (1 - u) * (1 - u) }, m.MuB, q)
		b, err2 := meanfield.Expect(func(x float64) float64 { u := sig(x); return 2 * u * (1 - u) }, m.MuB, q)
		h := 1e-5 * math.Max(Q[t], 1e-3)
		hi, err3 := m.QMap(Q[t] + h)
		lo, err4 := m.QMap(math.Max(Q[t]-h, 0))
		if err := claim.FirstErr(err1, err2, err3, err4); err != nil {
			return nil, err
		}
		cs[t] = coef{a, b, (hi - lo) / (Q[t] + h - math.Max(Q[t]-h, 0))}
		prev = Q[t]
	}
	return stepEstimates(c.Seeds, c.Steps, c.Seed, func(seed uint64) ([]float64, error) {
		tr, err := minimalTrajectory(c.Net, c.Steps, seed)
		out := make([]float64, len(tr))
		carried := 0.0
		for t, st := range tr {
			d := cs[t].a*(st.Z-m.R) + cs[t].b*st.HZ
			out[t] = st.Q - d - carried
			carried = cs[t].slope * (carried + d)
		}
		return out, err
	})
}

// minimalSeries runs one minimalRNN and returns one quantity of each step.
func minimalSeries(net simmf.Minimal, steps int, seed uint64, of func(simmf.MinimalStep) float64) ([]float64, error) {
	tr, err := minimalTrajectory(net, steps, seed)
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
	Q, err := recursion(m, c.Steps+c.Offset, c.Map)
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
		if t == c.Steps-1 && c.Offset == 0 && c.Map == nil && math.Abs(want-qstar) <= 1e-9*qstar {
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

// recursion returns Q_1 .. Q_steps of the minimalRNN recursion from h_0 = 0 (step: nil for
// the claim's QMap).
func recursion(m meanfield.Minimal, steps int, step func(meanfield.Minimal, float64) (float64, error)) ([]float64, error) {
	if step == nil {
		step = meanfield.Minimal.QMap
	}
	Q, q := make([]float64, 0, steps), 0.0
	for range steps {
		var err error
		if q, err = step(m, q); err != nil {
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
