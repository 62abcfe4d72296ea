package props

// MF-4 (one-step Jacobian) and MF-5 (timescales): the claims about the Jacobian at stationarity and
// about two copies of a minimalRNN (MF-2 is in meanfield_correlation.go).

import (
	"errors"
	"fmt"
	"math"
	"sync"

	simmf "github.com/dlt5/verify/numeric/meanfield"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/meanfield"
)

// WrongChi1 is MF-2's and MF-4's control: chi_1 with tanh' where the claim has tanh'^2,
// sw2 E[tanh'(sqrt(q*) z)].
func WrongChi1(sw2, qstar float64) (float64, error) {
	e, err := meanfield.Expect(func(x float64) float64 { c := math.Cosh(x); return 1 / (c * c) }, 0, qstar)
	return sw2 * e, err
}

// JacobianCase is one MF-4 case: Seeds networks run for Steps steps, the one-step Jacobian's
// (1/N)|J|_F^2 averaged over the last Tail steps of each (stationarity), against chi_1. The check
// starts every network at stationarity: vanilla ones at Start = q*, minimalRNNs at Start = Q*
// (exactly stationary for annealed weights; tied ones settle during the steps before the tail).
// Tol is the allowed relative model gap beyond the statistical bound (0 for the exact claims; the
// tied minimalRNN's few per cent).
type JacobianCase struct {
	Vanilla            *simmf.Vanilla
	Minimal            *simmf.Minimal
	Steps, Tail, Seeds int
	Seed               uint64
	Tol                float64
	Chi                func(sw2, qstar float64) (float64, error) // vanilla only; nil: VanillaChi1
	// Target, when not 0, replaces chi_1 as the value the mean is held to (MF-7: 1).
	Target float64
}

// MF4 checks (1/N)|J_t|_F^2 at stationarity against chi_1 (a t-test over networks, within Tol).
func MF4(c JacobianCase) claim.Result {
	what, want, series, err := c.setUp()
	if err != nil {
		return claim.Failed(what, err)
	}
	if c.Target != 0 {
		want = c.Target
	}
	if c.Tail < 1 || c.Tail > c.Steps {
		return claim.Failed(what, fmt.Errorf("tail %d outside [1, %d]", c.Tail, c.Steps))
	}
	means := make([]float64, c.Seeds)
	for i := range means {
		js, err := series(c.Seed + uint64(i))
		if err != nil {
			return claim.Failed(what, err)
		}
		for _, v := range js[c.Steps-c.Tail:] {
			means[i] += v / float64(c.Tail)
		}
	}
	est, err := stats.FromSample(means, min(c.Seeds, 16))
	if err != nil {
		return claim.Failed(what, err)
	}
	r := claim.MeanCheckWithin(what, est, want, c.Tol*want, c.Seed)
	r.Detail += fmt.Sprintf("; gap %+.2f%% of %.5g", 100*(est.Mean/want-1), want)
	return r
}

// setUp returns the case's label, chi_1 and the per-network series of (1/N)|J_t|_F^2.
func (c JacobianCase) setUp() (string, float64, func(uint64) ([]float64, error), error) {
	switch {
	case c.Vanilla != nil:
		v := *c.Vanilla
		what := fmt.Sprintf("MF-4 vanilla N=%d sw2=%.3g s=%.3g orthogonal=%v", v.N, v.SW2, v.SV2+v.SB2, v.Orthogonal)
		q, err := meanfield.VanillaFixedPoint(v.SW2, v.SV2+v.SB2)
		if err != nil {
			return what, 0, nil, err
		}
		chi := c.Chi
		if chi == nil {
			chi = meanfield.VanillaChi1
		}
		want, err := chi(v.SW2, q)
		v.Start = q
		return what, want, func(seed uint64) ([]float64, error) {
			st, err := vanillaVariance(v, c.Steps, seed)
			out := make([]float64, len(st))
			for t, s := range st {
				out[t] = s.Jacobian
			}
			return out, err
		}, err
	case c.Minimal != nil:
		m := *c.Minimal
		kind := "tied"
		if m.Annealed {
			kind = "annealed"
		}
		what := fmt.Sprintf("MF-4 minimal %s N=%d mu_b=%.3g sw=%.3g sb=%.3g", kind, m.N, m.MuB, m.SW, m.SB)
		th := meanfield.Minimal{MuB: m.MuB, SW: m.SW, SV: m.SV, SB: m.SB, R: m.R}
		want, err1 := th.Chi1()
		q, err2 := th.QStar()
		m.Start = q // stationary from the first step for annealed weights; a head start for tied ones
		err := claim.FirstErr(err1, err2)
		return what, want, func(seed uint64) ([]float64, error) {
			return minimalSeries(m, c.Steps, seed, func(s simmf.MinimalStep) float64 { return s.Jacobian })
		}, err
	}
	return "MF-4", 0, nil, fmt.Errorf("a Jacobian case needs a network")
}

// TimescaleCase is one MF-5 case: Seeds pairs of copies of the minimalRNN Net, started together
// at Start = Q* and burnt in for Burn steps on identical inputs (one state at stationarity; Burn
// = 0 suffices for annealed weights), then given independent inputs for Steps steps.
type TimescaleCase struct {
	Net                simmf.Minimal
	Burn, Steps, Seeds int
	Seed               uint64
	// Offset compares step t with the recursion's step t + Offset (1: the off-by-one control);
	// Factor, when not 0, multiplies the recursion's values and rate (the power control).
	Offset int
	Factor float64
	// DropShared runs the recursion with the gate covariance sw^2 Q^ab alone, the shared bias's
	// sb^2 dropped (a control: chi_ab at covariance 0).
	DropShared bool
	// Apart, for tied weights, subtracts from each network's Q^ab_t a run of the same network whose
	// copies were burnt in apart (PairApart, common random numbers): measured at width 1000 over
	// 32 networks, it halves the late steps' noise (SD of Q^ab_12 0.0082 -> 0.0032) and leaves the
	// early steps' (0.011 at t = 1); the apart run's mean overlap is 0 within its error (-0.0002
	// +- 0.001 at t = 1). Annealed cases without burn-in always subtract theirs.
	Apart bool
}

// theory is the case's mean-field minimalRNN.
func (c TimescaleCase) theory() meanfield.Minimal {
	return meanfield.Minimal{MuB: c.Net.MuB, SW: c.Net.SW, SV: c.Net.SV, SB: c.Net.SB, R: c.Net.R}
}

// crossTrajectory returns the mean-field Q^ab_t, t = 0 .. steps, from Q^ab_0 = start (Q* when
// start is 0): Q^ab_t = chi_ab(Q^ab_{t-1}) Q^ab_{t-1}, with chi_ab at the gate covariance
// sw^2 Q^ab + sb^2 (sw^2 Q^ab alone with DropShared).
func (c TimescaleCase) crossTrajectory(start float64) ([]float64, error) {
	// Memoised in sims: a step is a 2-D quadrature, and MF-5's rows, controls and tests step the
	// same recursions (the key is everything the recursion reads). The slice is shared: callers
	// only read it.
	key := crossKey{c.theory(), c.Steps + c.Offset, c.DropShared, start}
	return memo(key, func() ([]float64, error) { return c.crossRecursion(start) })
}

// crossRecursion computes crossTrajectory.
func (c TimescaleCase) crossRecursion(start float64) ([]float64, error) {
	m := c.theory()
	Q, gq, _, _, _, err := m.Stationary()
	if err != nil {
		return nil, err
	}
	q := start
	if q == 0 {
		q = Q
	}
	shared := m.SB * m.SB
	if c.DropShared {
		shared = 0
	}
	// The recursion's step is CrossMap's, computed here at the stationary gate variance solved once
	// (CrossMap re-solves it at every call, most of MF-5's cost); the first step is held to
	// CrossMap itself.
	step := func(prev float64) (float64, error) {
		f, err := meanfield.Expect2Product(sigmoid, sigmoid, m.MuB, m.MuB, gq, gq, m.SW*m.SW*math.Max(-Q, math.Min(Q, prev))+shared)
		return f * prev, err
	}
	out := []float64{q}
	for len(out) <= c.Steps+c.Offset {
		next, err := step(out[len(out)-1])
		if err != nil {
			return nil, err
		}
		if len(out) == 1 && !c.DropShared {
			ref, err := m.CrossMap(q)
			if err != nil {
				return nil, err
			}
			if math.Abs(next-ref) > 1e-12*math.Abs(ref) {
				return nil, fmt.Errorf("the recursion's step %v differs from CrossMap's %v", next, ref)
			}
		}
		out = append(out, next)
	}
	return out, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// crossEstimates simulates the case's pairs and returns, per network, Q^ab_t for t = 1 .. Steps,
// the start's (or the burn-in's) second moment per network, and its mean over networks. With
// annealed weights and no burn-in each network also runs from independent states with the same
// draws (PairApart, common random numbers) and Q^ab_t is the difference of the two runs, whose
// mean-field value is the same (the apart run's is 0) and whose noise is what the runs do not
// share.
func (c TimescaleCase) crossEstimates() ([][]float64, []float64, float64, error) {
	per := make([][]float64, c.Seeds)
	q0s := make([]float64, c.Seeds)
	net := c.Net
	Q, err := c.theory().QStar()
	if err != nil {
		return nil, nil, 0, err
	}
	net.Start = Q
	crn := (net.Annealed && c.Burn == 0) || c.Apart
	var q0 float64
	for i := range per {
		qab, q, err := minimalPair(net, c.Burn, c.Steps, c.Seed+uint64(i), false)
		if err != nil {
			return nil, nil, 0, err
		}
		if crn {
			apart, _, err := minimalPair(net, c.Burn, c.Steps, c.Seed+uint64(i), true)
			if err != nil {
				return nil, nil, 0, err
			}
			for t := range qab {
				qab[t] -= apart[t]
			}
		}
		per[i], q0s[i], q0 = qab, q, q0+q/float64(c.Seeds)
	}
	return per, q0s, q0, nil
}

// window returns the steps 1 .. w over which the mean-field Q^ab stays above traj[0] e^-folds
// (above the 1/N noise floor at the widths used), at least 2.
func window(traj []float64, folds float64) int {
	w := 1
	for w+1 < len(traj) && traj[w+1] >= traj[0]*math.Exp(-folds) {
		w++
	}
	return max(w, 2)
}

// Fit windows of MF-5, in e-folds of Q^ab below Q*: the per-step rows, and the rate (longer, so
// that the fast decay at mu_b = 0 still gives three steps).
const (
	rowFolds  = 2.0
	rateFolds = 4.0
)

// annealedCV returns the annealed case's per-network Q^ab_t with the start's fluctuation removed:
// Q^ab_t - beta_t (Q_0 - Q*), where Q_0 = |h_0|^2/N has exact mean Q* (h_0 ~ N(0, Q* I)) and
// beta_t = traj_t / Q* is the recursion's sensitivity to its start were it linear (a per-network
// recursion seeded from the measured start, linearised; the regression coefficients measured at
// mu_b = 2 are 0.64, 0.50, 0.34 at t = 1, 2, 3 against 0.68, 0.46, 0.31, and any fixed
// coefficient keeps the estimate unbiased).
func (c TimescaleCase) annealedCV(per [][]float64, q0s []float64, traj []float64) [][]float64 {
	out := make([][]float64, len(per))
	for i, row := range per {
		out[i] = make([]float64, len(row))
		for t, v := range row {
			out[i][t] = v - traj[t+1]/traj[0]*(q0s[i]-traj[0])
		}
	}
	return out
}

// MF5 checks the annealed minimalRNN's two-copy cross moment: the mean over networks of Q^ab_t
// against the mean-field recursion at every step where it stays above Q* e^-2, and the rate
// exp(slope of ln Q^ab_t) over the steps where it stays above Q* e^-4 (jackknife over networks)
// against the recursion's over the same window; the detail gives the asymptotic chi_ab. Each
// network's Q^ab_t is the difference of runs from one state and from independent states with
// common random numbers, less its start's fluctuation (annealedCV). Measured at width 2000 over
// 64 networks, the relative SD per network of Q^ab_2 falls from 33% (one run) to 15% (the
// difference) to 14% (the start removed) at mu_b = 0, and of Q^ab_5 at mu_b = 2 from 17% to 9.5%
// to 7.9%.
func MF5(c TimescaleCase) []claim.Result {
	label := fmt.Sprintf("MF-5 annealed N=%d mu_b=%.3g sw=%.3g sb=%.3g", c.Net.N, c.Net.MuB, c.Net.SW, c.Net.SB)
	traj, err := c.crossTrajectory(0)
	if err != nil {
		return []claim.Result{claim.Failed(label, err)}
	}
	per, q0s, _, err := c.crossEstimates()
	if err != nil {
		return []claim.Result{claim.Failed(label, err)}
	}
	per = c.annealedCV(per, q0s, traj)
	f := 1.0
	if c.Factor != 0 {
		f = c.Factor
	}
	w := min(window(traj, rowFolds), c.Steps)
	var out []claim.Result
	for t := 1; t <= w; t++ {
		col := make([]float64, len(per))
		for i := range per {
			col[i] = per[i][t-1]
		}
		est, err := stats.FromSample(col, min(len(col), 16))
		if err != nil {
			return append(out, claim.Failed(label, err))
		}
		out = append(out, claim.MeanCheck(fmt.Sprintf("%s Q^ab_%d", label, t), est, f*traj[t+c.Offset], c.Seed))
	}
	r, _, _ := rateRow(label, per, traj, min(window(traj, rateFolds), c.Steps), c)
	return append(out, r)
}

// fittedRate simulates the case and returns the jackknife estimate of the ln-rate of the
// network-mean Q^ab over the recursion's rate window.
func (c TimescaleCase) fittedRate() (stats.Estimate, error) {
	traj, err := c.crossTrajectory(0)
	if err != nil {
		return stats.Estimate{}, err
	}
	per, q0s, _, err := c.crossEstimates()
	if err != nil {
		return stats.Estimate{}, err
	}
	if c.Net.Annealed && c.Burn == 0 {
		per = c.annealedCV(per, q0s, traj)
	}
	return stats.Jackknife(per, lnFit(min(window(traj, rateFolds), c.Steps)))
}

// lnFit returns the least-squares slope of ln means[t] over t < w.
func lnFit(w int) func(means []float64) (float64, error) {
	return lnFitFrom(0, w)
}

// lnFitFrom returns the least-squares slope of ln means[t] over from <= t < to.
func lnFitFrom(from, to int) func(means []float64) (float64, error) {
	return func(means []float64) (float64, error) {
		if from < 0 || to > len(means) || to-from < 2 {
			return 0, fmt.Errorf("a fit over steps %d .. %d of %d", from+1, to, len(means))
		}
		ys := make([]float64, 0, to-from)
		for t := from; t < to; t++ {
			if !(means[t] > 0) {
				return 0, fmt.Errorf("the mean Q^ab_%d = %v is not positive", t+1, means[t])
			}
			ys = append(ys, math.Log(means[t]))
		}
		return stats.IndexSlope(ys)
	}
}

// rateRow fits ln of the network-mean Q^ab over steps 1 .. w and holds the rate exp(slope) to
// the recursion's over the same steps (the claim quantity is the rate per step: the MDE is a
// relative error of the rate; the timescale's is that over |ln rate|); it also returns the fitted
// and the recursion's ln-rates.
func rateRow(label string, per [][]float64, traj []float64, w int, c TimescaleCase) (claim.Result, float64, float64) {
	what := fmt.Sprintf("%s rate over t=1..%d", label, w)
	fit := lnFit(w)
	est, err1 := stats.Jackknife(per, fit)
	want, err2 := fit(traj[1:])
	chi, err3 := c.theory().ChiAB()
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return claim.Failed(what, err), 0, 0
	}
	rate := math.Exp(want)
	if c.Factor != 0 {
		rate *= c.Factor
	}
	r := claim.MeanCheck(what, expRate(est), rate, c.Seed)
	r.Detail += fmt.Sprintf("; fitted rate %.4f per step, recursion %.4f, asymptotic chi_ab %.4f", math.Exp(est.Mean), rate, chi)
	return r, est.Mean, want
}

// sims memoises the mean-field claims' seeded per-network simulations and their slow theory
// values. A claim's negative controls rerun its own networks against a wrong value, a power
// control's base row is the claim's row, and a run of k networks is the first k of a longer run
// with the same seed: each is simulated once per process. Entries are deterministic in their key
// (all randomness is the seed) and read only; errors are not memoised. Safe for the parallel tests
// and the command's parallel claims; an entry is a few floats per step.
var sims sync.Map

// memo returns the value stored under key, or runs run and stores its value when it succeeds.
// Callers that ask for the same key while it runs wait for that run instead of repeating it (the
// parallel tests and a claim's controls ask at the same time); a failed run is forgotten, and its
// error goes to everyone who waited for it.
func memo[K comparable, V any](key K, run func() (V, error)) (V, error) {
	e, loaded := sims.LoadOrStore(key, &memoEntry{done: make(chan struct{})})
	m := e.(*memoEntry)
	if loaded {
		<-m.done
		if m.err != nil {
			var zero V
			return zero, m.err
		}
		return m.v.(V), nil
	}
	m.err = errMemoPanicked // what waiters see if run panics
	defer func() {
		if m.err != nil {
			sims.Delete(key)
		}
		close(m.done)
	}()
	v, err := run()
	m.v, m.err = v, err
	return v, err
}

// errMemoPanicked is what callers waiting on a run that panicked get.
var errMemoPanicked = errors.New("props: the shared simulation this result waits for panicked")

// memoEntry is one key's value in sims, ready once done is closed.
type memoEntry struct {
	done chan struct{}
	v    any
	err  error
}

// covarianceMap is meanfield.CovarianceMap memoised in sims: one point of the map is a 2-D
// quadrature of milliseconds, and a claim's rows, its controls and go test's fixed settings step
// the same recursions.
func covarianceMap(qa, qb, qab, sw2, shared float64) (float64, error) {
	return memo(covarianceKey{qa, qb, qab, sw2, shared}, func() (float64, error) {
		return meanfield.CovarianceMap(qa, qb, qab, sw2, shared)
	})
}

type (
	covarianceKey struct{ qa, qb, qab, sw2, shared float64 }
	crossKey      struct {
		net   meanfield.Minimal
		steps int
		drop  bool
		start float64
	}
	correlationKey struct{ sw2, s, shared float64 }
	vanillaPairKey struct {
		net       simmf.Vanilla
		steps     int
		seed      uint64
		identical bool
		from      simmf.PairStart
	}
	vanillaKey struct {
		net   simmf.Vanilla
		steps int
		seed  uint64
	}
	jacobianKey struct {
		net              simmf.Vanilla
		ts               string
		probes, controls int
		seed             uint64
	}
	minimalKey struct {
		net         simmf.Minimal
		burn, steps int
		seed        uint64
		apart       bool
	}
	minimalPairRun struct {
		qab []float64
		q0  float64
	}
)

// vanillaCorrelation is meanfield.VanillaCorrelation (a bisection of two-dimensional quadratures,
// about 1.4 s) through the memo: MF-2's approach case, its controls and MF-5's grid ask for the
// same parameters.
func vanillaCorrelation(sw2, s, shared float64) (meanfield.Correlation, error) {
	return memo(correlationKey{sw2, s, shared}, func() (meanfield.Correlation, error) {
		return meanfield.VanillaCorrelation(sw2, s, shared)
	})
}

// vanillaPair is net.Pair(steps, seed, identical, from) through the memo, read from a longer
// finished run of the same pair when there is one (prefixed).
func vanillaPair(net simmf.Vanilla, steps int, seed uint64, identical bool, from simmf.PairStart) ([]simmf.PairStep, error) {
	key := func(t int) vanillaPairKey { return vanillaPairKey{net, t, seed, identical, from} }
	return prefixed(key(0), steps, key, func(t int) ([]simmf.PairStep, error) { return net.Pair(t, seed, identical, from) })
}

// vanillaVariance is net.PreactivationVariance(steps, seed) through the memo, read from a longer
// finished run of the same network when there is one (prefixed).
func vanillaVariance(net simmf.Vanilla, steps int, seed uint64) ([]simmf.Step, error) {
	key := func(t int) vanillaKey { return vanillaKey{net, t, seed} }
	return prefixed(key(0), steps, key, func(t int) ([]simmf.Step, error) { return net.PreactivationVariance(t, seed) })
}

// prefixed is memo for runs whose first t steps are a t-step run of their own: they draw the
// network, the starts and then each step's inputs in turn, so a shorter run of the same network
// and seed is the start of a longer one (TestRunPrefix in numeric/meanfield holds the
// simulations to it, bit for bit). A request for fewer steps than a finished run of the same
// base key (its key at 0 steps) is read from that run (MF-1's off-by-one control reruns its
// claim's networks for 3 of their 30 steps, MF-2's map power for 2 of 6); otherwise it runs, and
// becomes the base key's longest when it is.
func prefixed[K comparable, S any](base K, steps int, key func(int) K, run func(int) ([]S, error)) ([]S, error) {
	longestMu.Lock()
	t, ok := longest[base]
	longestMu.Unlock()
	if ok && t > steps {
		if full, err := memo(key(t), func() ([]S, error) { return run(t) }); err == nil {
			return full[:steps:steps], nil
		}
	}
	out, err := memo(key(steps), func() ([]S, error) { return run(steps) })
	if err == nil {
		longestMu.Lock()
		longest[base] = max(longest[base], steps)
		longestMu.Unlock()
	}
	return out, err
}

// longest holds prefixed's longest finished run per base key.
var (
	longestMu sync.Mutex
	longest   = map[any]int{}
)

// jacobianMoments is net.JacobianMoments(ts, probes, controls, seed) through the memo.
func jacobianMoments(net simmf.Vanilla, ts []int, probes, controls int, seed uint64) ([]simmf.Moments, error) {
	return memo(jacobianKey{net, fmt.Sprint(ts), probes, controls, seed}, func() ([]simmf.Moments, error) {
		return net.JacobianMoments(ts, probes, controls, seed)
	})
}

// minimalTrajectory is net.Trajectory(steps, seed) through the memo.
func minimalTrajectory(net simmf.Minimal, steps int, seed uint64) ([]simmf.MinimalStep, error) {
	return memo(minimalKey{net: net, steps: steps, seed: seed}, func() ([]simmf.MinimalStep, error) {
		return net.Trajectory(steps, seed)
	})
}

// minimalPair is net.Pair(burn, steps, seed), or net.PairApart when apart, through the memo; the
// caller gets its own copy of Q^ab (MF-5 subtracts the apart run from it).
func minimalPair(net simmf.Minimal, burn, steps int, seed uint64, apart bool) ([]float64, float64, error) {
	r, err := memo(minimalKey{net, burn, steps, seed, apart}, func() (minimalPairRun, error) {
		if apart {
			qab, err := net.PairApart(burn, steps, seed)
			return minimalPairRun{qab: qab}, err
		}
		qab, q0, err := net.Pair(burn, steps, seed)
		return minimalPairRun{qab, q0}, err
	})
	return append([]float64(nil), r.qab...), r.q0, err
}
