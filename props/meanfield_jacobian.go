package props

// MF-5's closed-form and tied parts, MF-6 (T-step Jacobian spectrum) and MF-7 (critical
// initialisation).

import (
	"cmp"
	"fmt"
	"math"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// MF5Tied fits the tied minimalRNN's two-copy decay and compares its rate with the mean-field
// recursion's over the recursion's window, the recursion started from the tied network's own
// stationary level (MF-3's tied gap puts it about 28% below Q*). It returns that row, the row that
// asserts "not one rate" (tiedRates), and whether the tied network decays more slowly (the
// tied-timescale finding needs the first row rejected, the second passed and slower).
func MF5Tied(c TimescaleCase) (claim.Result, claim.Result, bool) {
	what := fmt.Sprintf("MF-5 tied N=%d mu_b=%.3g sw=%.3g sb=%.3g", c.Net.N, c.Net.MuB, c.Net.SW, c.Net.SB)
	per, _, q0, err := c.crossEstimates()
	if err != nil {
		return claim.Failed(what, err), claim.Failed(what, err), false
	}
	traj, err := c.crossTrajectory(q0)
	if err != nil {
		return claim.Failed(what, err), claim.Failed(what, err), false
	}
	w := min(window(traj, rowFolds), c.Steps)
	r, fitted, want := rateRow(what, per, traj, w, c)
	return r, tiedRates(what, per, c.Steps/2, c.Steps, c.Seed), fitted > want
}

// tiedRates asserts that the decay is not one exponential: the ln-rate of the network-mean Q^ab
// over steps h+1 .. steps minus that over steps 1 .. h (jackknife over networks, so that the two
// fits' correlation is accounted for) differs from 0 by more than its critical value times its
// standard error. It passes when they differ; the MDE is the smallest difference of ln-rates it
// can see, relative to the early ln-rate.
func tiedRates(what string, per [][]float64, h, steps int, seed uint64) claim.Result {
	what = fmt.Sprintf("%s not one rate: t=1..%d vs t=%d..%d", what, h, h+1, steps)
	early, late := lnFitFrom(0, h), lnFitFrom(h, steps)
	d, err := stats.Jackknife(per, func(means []float64) (float64, error) {
		a, err1 := early(means)
		b, err2 := late(means)
		return b - a, claim.FirstErr(err1, err2)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	means := make([]float64, steps)
	for _, row := range per {
		for t := range steps {
			means[t] += row[t] / float64(len(per))
		}
	}
	a, err1 := early(means)
	b, err2 := late(means)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	claim.Count(1)
	crit := claim.Critical(d.N - 1)
	z := math.Abs(d.Mean) / d.SE
	r := claim.AtLeast(what, z, crit, fmt.Sprintf("rate %.4f over t=1..%d, %.4f over t=%d..%d: ln-rates differ by %.4f, SE %.3g, |z| %.3g >= %.3g, n %d, seed %d",
		math.Exp(a), h, math.Exp(b), h+1, steps, d.Mean, d.SE, z, crit, d.N, seed))
	r.MDE = crit * d.SE / math.Abs(a)
	return r
}

// XiGrid is MF-5's closed-form part: the minimalRNN's xi at each gate mean MuBs (other parameters
// from Base), and the vanilla network's xi = -1/ln chi_c* over the sw2 and sb2 grids at input
// variance SV2 (independent inputs, shared drive sb2).
type XiGrid struct {
	Base       meanfield.Minimal
	MuBs       []float64
	SW2s, SB2s []float64
	SV2        float64
}

// MF5Xi checks that xi increases with mu_b at every step of the grid, and that at the last mu_b it
// exceeds 100 times the largest vanilla xi over the grid (gating buys a timescale the vanilla
// network cannot reach at the same input noise). The vanilla maximum must be attained inside the
// sw2 grid (else the grid has not found the supremum) and is printed.
func MF5Xi(g XiGrid) []claim.Result {
	var out []claim.Result
	xs := make([]float64, len(g.MuBs))
	for i, mu := range g.MuBs {
		m := g.Base
		m.MuB = mu
		x, err := m.Xi()
		if err != nil {
			return []claim.Result{claim.Failed("MF-5 xi", err)}
		}
		xs[i] = x
	}
	inc := claim.Result{Case: fmt.Sprintf("MF-5 xi increasing in mu_b over %v", g.MuBs), Bound: 0, Pass: true}
	for i := 1; i < len(xs); i++ {
		if d := xs[i] - xs[i-1]; !(d > 0) {
			inc.Pass, inc.Measured = false, d
		}
	}
	inc.Detail = fmt.Sprintf("xi = %.4g", xs)
	claim.Count(1)
	out = append(out, inc)
	best, at := 0.0, 0
	for _, sb2 := range g.SB2s {
		for j, sw2 := range g.SW2s {
			x, err := vanillaXi(sw2, g.SV2+sb2, sb2)
			if err != nil {
				return append(out, claim.Failed("MF-5 vanilla xi", err))
			}
			if x > best {
				best, at = x, j
			}
		}
	}
	last := xs[len(xs)-1]
	r := claim.Result{Case: fmt.Sprintf("MF-5 xi(mu_b=%.3g) > 100 max vanilla xi (sv2 R=%.3g)", g.MuBs[len(g.MuBs)-1], g.SV2),
		Measured: last / best, Bound: 100, Pass: last > 100*best && at > 0 && at < len(g.SW2s)-1,
		Detail: fmt.Sprintf("minimal xi %.4g, vanilla max %.4g at sw2 = %.3g (inside the grid: %v)", last, best, g.SW2s[at], at > 0 && at < len(g.SW2s)-1)}
	claim.Count(1)
	return append(out, r)
}

// SpectrumCase is one MF-6 case: Seeds networks of the family Net (started at stationarity by the
// check), Hutchinson estimates of the T-step moments with Probes probes, at each T in Ts, with
// control variates (spectrum). The formulas are N -> infinity limits: FiniteWidth allows the
// measured finite-width biases (mf6Tol in the registration).
type SpectrumCase struct {
	Net           simmf.Vanilla
	Ts            []int
	Probes, Seeds int
	// Controls is the number of control trajectories per network (JacobianMoments): 0 leaves
	// the network controls alone.
	Controls int
	Seed     uint64
	// FiniteWidth allows the measured finite-width biases (finiteWidthTol, scaled to N) beyond the
	// statistical bound; false holds the rows to the statistical bound alone.
	FiniteWidth bool
	// SpreadShift is added to the formula's s_1 (0 for the claim; the control passes the other
	// W's value). Factor, when not 0, multiplies both formulas (the power control).
	SpreadShift, Factor float64
	// Offset, when not 0, is added to T in both formulas (a control's off-by-one horizon).
	Offset int
	// ID prefixes the rows' cases ("MF-6" when empty).
	ID string
	// Critical, when not 0, is the fixed point q* of MF-7's critical scheme: the network starts
	// there and is held to the scheme's m_1 = 1 and spread T (mu_2/mu_1^2 - 1)(q*), whatever its
	// sw2 (the control runs another sw2 against them).
	Critical float64
}

// spectrum returns, per T, the control-variate estimates of m_1 (cvMean over networks) and of
// the spread m_2/m_1^2 - 1 of the two control-variate means (jackknife over networks). Each
// network's M1 (M2) is regressed on its zero-mean controls: C1 (C2) from Controls trajectories
// through the same network, and the network's Frozen (Moments).
func (c SpectrumCase) spectrum() (m1, spread []stats.Estimate, err error) {
	const cols = 4 // per T: M1, C1, M2, C2; then the network's Bias - SB2, BWB, Frozen
	per := make([][]float64, c.Seeds)
	for i := range per {
		ms, err := jacobianMoments(c.Net, c.Ts, c.Probes, c.Controls, c.Seed+uint64(i))
		if err != nil {
			return nil, nil, err
		}
		for _, m := range ms {
			per[i] = append(per[i], m.M1, m.C1, m.M2, m.C2)
		}
		per[i] = append(per[i], ms[0].Bias-c.Net.SB2, ms[0].BWB, ms[0].Frozen)
	}
	net := len(c.Ts) * cols
	// Frozen (column net + 2) subsumes Bias and BWB (the first terms of |u|^2 = |b|^2 + 2a b.Wb +
	// ...): adding them bought nothing measurable and costs two dof per moment.
	ctls := 1 // Frozen, and C1 or C2 with control trajectories
	if c.Controls > 0 {
		ctls++
	}
	moment := func(k, j int) func(rows [][]float64) (float64, error) { // j = 0: m_1, 2: m_2
		ctl := []int{net + 2}
		if c.Controls > 0 {
			ctl = append(ctl, cols*k+j+1)
		}
		return func(rows [][]float64) (float64, error) { return stats.ControlVariateMean(rows, cols*k+j, ctl) }
	}
	for k := range c.Ts {
		f1, f2 := moment(k, 0), moment(k, 2)
		e1, err := stats.JackknifeRows(per, ctls, f1)
		if err != nil {
			return nil, nil, err
		}
		sp, err := stats.JackknifeRows(per, 2*ctls, func(rows [][]float64) (float64, error) {
			a, err1 := f1(rows)
			b, err2 := f2(rows)
			return b/(a*a) - 1, claim.FirstErr(err1, err2)
		})
		if err != nil {
			return nil, nil, err
		}
		m1, spread = append(m1, e1), append(spread, sp)
	}
	return m1, spread, nil
}

func (c SpectrumCase) label() string {
	w := "gauss"
	if c.Net.Orthogonal {
		w = "orthogonal"
	}
	return fmt.Sprintf("%s N=%d sw2=%.4g s=%.3g", w, c.Net.N, c.Net.SW2, c.Net.SV2+c.Net.SB2)
}

// MF6 checks, at each T, the Hutchinson m_1 against chi_1^T and the spread against
// T (mu_2/mu_1^2 - 1 - s_1) (t-tests over networks within the stated finite-width tolerances).
// It returns the rows and the spread estimates (for the orthogonal-narrower check).
func MF6(c SpectrumCase) ([]claim.Result, []stats.Estimate) {
	label := cmp.Or(c.ID, "MF-6") + " " + c.label()
	s := c.Net.SV2 + c.Net.SB2
	q, err := meanfield.VanillaFixedPoint(c.Net.SW2, s)
	sw2 := c.Net.SW2
	if c.Critical != 0 {
		q = c.Critical
		sw2, err = meanfield.VanillaCriticalSW2(q)
	}
	if err != nil {
		return []claim.Result{claim.Failed(label, err)}, nil
	}
	c.Net.Start = q
	m1, spread, err := c.spectrum()
	if err != nil {
		return []claim.Result{claim.Failed(label, err)}, nil
	}
	var out []claim.Result
	for k, T := range c.Ts {
		w1, ws, err := meanfield.JacobianMoments(sw2, q, T+c.Offset, c.Net.Orthogonal)
		if err != nil {
			return append(out, claim.Failed(label, err)), nil
		}
		ws -= float64(T+c.Offset) * c.SpreadShift
		if c.Factor != 0 {
			w1, ws = w1*c.Factor, ws*c.Factor
		}
		var t1, ts float64
		if c.FiniteWidth {
			t1, ts = finiteWidthTol(c.Net.Orthogonal, T, c.Net.N)
		}
		out = append(out,
			claim.MeanCheckWithin(fmt.Sprintf("%s T=%d m_1", label, T), m1[k], w1, t1*math.Abs(w1), c.Seed),
			claim.MeanCheckWithin(fmt.Sprintf("%s T=%d spread", label, T), spread[k], ws, ts*math.Abs(ws), c.Seed))
	}
	return out, spread
}

// MF6Narrower checks that orthogonal W gives a narrower spectrum than Gaussian W at each T (a
// one-sided test on the two spread estimates).
func MF6Narrower(ts []int, gauss, orth []stats.Estimate, seed uint64) []claim.Result {
	var out []claim.Result
	for k, T := range ts {
		out = append(out, claim.ShrinkCheck(fmt.Sprintf("MF-6 T=%d orthogonal spread < gauss spread", T), gauss[k], orth[k], seed))
	}
	return out
}

// criticalNet is MF-7's vanilla network: the critical scheme at fixed point qstar (sw2 = 1/mu_1,
// the drive from VanillaCriticalDrive split as sv2 = sb2 = drive/2), orthogonal W of width n.
func criticalNet(qstar float64, n int) (simmf.Vanilla, error) {
	sw2, err1 := meanfield.VanillaCriticalSW2(qstar)
	drive, err2 := meanfield.VanillaCriticalDrive(qstar)
	if err := claim.FirstErr(err1, err2); err != nil {
		return simmf.Vanilla{}, err
	}
	return simmf.Vanilla{N: n, SW2: sw2, SV2: drive / 2, SB2: drive / 2, Orthogonal: true, DirectInput: true}, nil
}

// MF7Minimal checks the minimalRNN's critical weight scale: at sw^2 = CriticalSW2 the annealed
// network's (1/N)|J|_F^2 at stationarity is 1 (a t-test over networks). sw2Factor scales the
// critical value (1 for the claim; the control moves it off); target is the value held to (1 for
// the claim; the power control moves it).
func MF7Minimal(m simmf.Minimal, steps, tail, seeds int, seed uint64, sw2Factor, target float64) claim.Result {
	what := fmt.Sprintf("MF-7 minimal annealed N=%d mu_b=%.3g critical sw^2", m.N, m.MuB)
	sw2, err := meanfield.Minimal{MuB: m.MuB, SV: m.SV, SB: m.SB, R: m.R}.CriticalSW2()
	if err != nil {
		return claim.Failed(what, err)
	}
	m.SW = math.Sqrt(sw2 * sw2Factor)
	m.Annealed = true
	r := MF4(JacobianCase{Minimal: &m, Steps: steps, Tail: tail, Seeds: seeds, Seed: seed, Target: target})
	r.Case = fmt.Sprintf("%s = %.4g x %.3g: chi_1 = %.3g", what, sw2, sw2Factor, target)
	return r
}
