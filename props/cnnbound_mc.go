package props

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	simcnn "github.com/dlt5/verify/numeric/cnnbound"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// MCCase is CNN-7's case: a small CNN at Weights weight vectors drawn inside its norm bounds, a
// finite synthetic population of M points (sampling it is sampling the distribution exactly, so
// the population gradient and risk are exact), and Reps replicates, each drawing a sample at
// every n of Ns (independent across n unless Nested) and recording the empirical gradient's
// deviation at every weight vector. Rate,
// when not 0, replaces the claimed slope -1/2 (the control); Factor, when not 0, multiplies it
// (the power control).
type MCCase struct {
	Arch    cnnbound.Arch
	M       int
	Ns      []int
	Reps    int
	Weights int
	Seed    uint64
	Nested  bool // nested samples across n (common random numbers) instead of independent ones
	Rate    float64
	Factor  float64
	// Fresh, when not 0, seeds the replicates' samples instead of Seed, which still draws the
	// weight vectors and the population: the power control's independent run of the same problem
	// (a new Seed is a new problem, whose SE differs up to 30-fold between seeds).
	Fresh uint64
}

// mcArch is CNN-7's small CNN: 8 x 8 x 1 inputs, one 3 x 3 layer of 2 kernels (stride 1, b = 2,
// a = 2), pooling 2, 3 classes (a = 2, b = 3): 72 weights.
func mcArch() cnnbound.Arch {
	return cnnbound.Arch{Name: "S1", R0: 8, C0: 8, D0: 1, P: 2, Layers: []cnnbound.Layer{{K: 3, S: 1, D: 2, A: 2, B: 2}}, Out: 3, OutA: 2, OutB: 3}
}

// mcScale returns the weight scale of weight vector k: N(0, scale^2) entries projected onto the
// norm bounds; scales 1, 1/2, 1/4 in turn, so that the set holds weights on the bounds (scale 1:
// S1's kernels and output layer project onto |W|_F = b) and inside them.
func mcScale(k int) float64 { return math.Pow(0.5, float64(k%3)) }

// MCResult is what CNN-7 measured, per replicate r and sample size n_k: sup[r][k] = n_k max_w
// |grad R_n(w) - grad R(w)|^2 (the sup over the weight set, scaled by n so that the 1/n law makes
// it constant), cv[r][k][w] = n_k |grad R_n(w) - grad R(w)|^2 / tr Cov(w) - 1 (control variates
// of known mean 0: E |grad R_n(w) - grad R(w)|^2 = tr Cov(w) / n exactly when sampling the finite
// population), gap[r][k] = max_w |R_n(w) - R(w)| (the sup generalisation gap over the weight set,
// on the loss 1/2 |v - y|^2 in [0, 1]), and argmax[w]: how often weight vector w was the sup at
// the largest n.
type MCResult struct {
	Ns       []int
	TraceCov []float64
	PopLoss  []float64
	Bounds   []float64 // B(n) of the architecture (NaN where undefined)
	sup, gap [][]float64
	cv       [][][]float64
	argmax   []int
}

// mcRuns caches CNN-7's simulations by their settings (Rate and Factor do not enter): a claim, its
// control and its figures share one, and so do go test's TestCNN7 and TestControls (both at seed
// 1), each key computed once even when they ask together. Deterministic in the settings: no
// random state is kept.
var mcRuns sync.Map

type mcKey struct {
	arch, ns         string
	m, reps, weights int
	seed             uint64
	nested           bool
	fresh            uint64
}

type mcRun struct {
	once sync.Once
	res  MCResult
	err  error
}

// cachedRun is run through the cache.
func (c MCCase) cachedRun() (MCResult, error) {
	k := mcKey{fmt.Sprintf("%+v", c.Arch), fmt.Sprint(c.Ns), c.M, c.Reps, c.Weights, c.Seed, c.Nested, c.Fresh}
	v, _ := mcRuns.LoadOrStore(k, &mcRun{})
	r := v.(*mcRun)
	r.once.Do(func() { r.res, r.err = c.run() })
	return r.res, r.err
}

// uniform builds the case's weight set and population and their exact per-point gradients.
func (c MCCase) uniform() (*simcnn.Uniform, error) {
	if c.Weights < 1 || c.Reps < 3 || c.M < 1 {
		return nil, fmt.Errorf("need weight vectors, at least 3 replicates and a population, got %d, %d, %d", c.Weights, c.Reps, c.M)
	}
	var nets []*simcnn.Net
	for k := range c.Weights {
		n, err := simcnn.New(c.Arch)
		if err != nil {
			return nil, err
		}
		if err := n.Randomize(mcScale(k), c.Seed+uint64(k)); err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	pop, err := simcnn.NewPopulation(c.Arch, c.M, c.Seed+0x5eed)
	if err != nil {
		return nil, err
	}
	u, err := simcnn.NewUniform(nets, pop)
	if err != nil {
		return nil, err
	}
	for w, tr := range u.TraceCov {
		if !(tr > 0) {
			return nil, fmt.Errorf("weight vector %d: tr Cov = %v, no control variate", w, tr)
		}
	}
	return u, nil
}

// run simulates the case: the replicates in parallel (each from its own seed, written to its own
// slot, so the result does not depend on scheduling).
func (c MCCase) run() (MCResult, error) {
	res := MCResult{Ns: c.Ns}
	u, err := c.uniform()
	if err != nil {
		return res, err
	}
	res.TraceCov, res.PopLoss = u.TraceCov, u.PopLoss
	res.sup, res.gap, res.cv = make([][]float64, c.Reps), make([][]float64, c.Reps), make([][][]float64, c.Reps)
	best := make([]int, c.Reps)
	errs := make([]error, c.Reps)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	samples := c.Seed
	if c.Fresh != 0 {
		samples = c.Fresh
	}
	for r := range c.Reps {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			best[r], errs[r] = res.replicate(u, samples^0x7c7c7c7c+uint64(r), r, c.Nested)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	res.argmax = make([]int, c.Weights)
	for _, w := range best {
		res.argmax[w]++
	}
	for _, n := range c.Ns {
		b, err := c.Arch.Bound(float64(n), 0.05)
		if err != nil {
			b = math.NaN()
		}
		res.Bounds = append(res.Bounds, b)
	}
	return res, nil
}

// replicate fills replicate r's rows from the samples of seed; it returns the weight vector
// that was the sup at the largest n.
func (res MCResult) replicate(u *simcnn.Uniform, seed uint64, r int, nested bool) (int, error) {
	dev2, gap, err := u.Replicate(res.Ns, seed, nested)
	if err != nil {
		return 0, err
	}
	arg := 0
	for k, n := range res.Ns {
		nf := float64(n)
		var sup, g float64
		cv := make([]float64, u.W)
		for w, d := range dev2[k] {
			if d*nf > sup {
				sup, arg = d*nf, w
			}
			g = math.Max(g, math.Abs(gap[k][w]))
			cv[w] = d*nf/u.TraceCov[w] - 1
		}
		res.sup[r], res.gap[r], res.cv[r] = append(res.sup[r], sup), append(res.gap[r], g), append(res.cv[r], cv)
	}
	return arg, nil
}

// CNN7 checks that the sup over the weight set of the empirical gradient's deviation from the
// population gradient decays with log-log slope -1/2 in n: the least-squares slope of
// ln sqrt(E max_w |grad R_n(w) - grad R(w)|^2) on ln n, each E estimated over the replicates with
// the per-weight control variates (exactly known means; mcFit), against -1/2 at the budget's t
// times its jackknife SE over replicates (no allowance: the total tolerance is t SE, and the
// row's MDE is t SE / (1/2)). The pseudo-values must pass NormalApproxOK. It also returns the run
// (for the looseness of B(n) and the figures).
func CNN7(c MCCase) (claim.Result, MCResult) {
	what := fmt.Sprintf("CNN-7 %s M=%d W=%d n=%d..%d reps=%d sup-over-weights gradient deviation slope", c.Arch.Name, c.M, c.Weights, c.Ns[0], c.Ns[len(c.Ns)-1], c.Reps)
	res, err := c.cachedRun()
	if err != nil {
		return claim.Failed(what, err), res
	}
	est, err := res.slope(true)
	if err != nil {
		return claim.Failed(what, err), res
	}
	if !claim.NormalApproxOK(est) {
		return claim.Failed(what, fmt.Errorf("jackknife pseudo-values of skewness %.3g over %d replicates: too few for the normal approximation at the budget's z", est.Skewness, est.N)), res
	}
	want := -0.5
	if c.Rate != 0 {
		want = c.Rate
	}
	if c.Factor != 0 {
		want *= c.Factor
	}
	r := claim.MeanCheck(what, est, want, c.Seed)
	raw, err := res.slope(false)
	if err != nil {
		return claim.Failed(what, err), res
	}
	r.Detail += fmt.Sprintf("; fitted slope %.5f +- %.5f (SE; without the control variates %.4f +- %.4f), total tolerance t SE = %.4f; the sup at n = %d was weight vector w this often: %v",
		est.Mean, est.SE, raw.Mean, raw.SE, r.Bound*est.SE, c.Ns[len(c.Ns)-1], res.argmax)
	return r, res
}

// gapStats returns the 95% quantile and the mean over replicates of the sup gap
// max_w |R_n(w) - R(w)| at sample size index k.
func (r MCResult) gapStats(k int) (q95, mean float64) {
	gaps := make([]float64, len(r.gap))
	for i, g := range r.gap {
		gaps[i] = g[k]
		mean += g[k] / float64(len(r.gap))
	}
	sort.Float64s(gaps)
	return gaps[int(math.Ceil(0.95*float64(len(gaps))))-1], mean
}

// looseness returns, at the largest n where B(n) is defined, B(n) over the (1 - eps) = 95%
// quantile over replicates of the measured sup gap max_w |R_n(w) - R(w)|, that quantile and the
// mean sup gap: Theorem 1 says sup_w |R_n(w) - R(w)| <= B(n) with probability >= 1 - eps, so the
// quantile at eps = 0.05 is what B(n) bounds (over the finite weight set, a lower bound of the sup
// over the whole norm ball: the true looseness is at most this ratio).
func (r MCResult) looseness() (n int, ratio, q95, mean float64) {
	for k := len(r.Ns) - 1; k >= 0; k-- {
		if !math.IsNaN(r.Bounds[k]) {
			q95, mean = r.gapStats(k)
			return r.Ns[k], r.Bounds[k] / q95, q95, mean
		}
	}
	return 0, math.NaN(), math.NaN(), math.NaN()
}
