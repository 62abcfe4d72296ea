package props

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	simcnn "github.com/dlt5/verify/numeric/cnnbound"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// MCCase is CNN-7's case: a small CNN at fixed random weights (inside its norm bounds), a finite
// synthetic population of M points (sampling it is sampling the distribution exactly, so the
// population gradient is exact), Reps replicates of the empirical gradient at each n of Ns.
// Rate, when not 0, replaces the claimed slope -1/2 (the control).
type MCCase struct {
	Arch   cnnbound.Arch
	M      int
	Ns     []int
	Reps   int
	Seed   uint64
	Rate   float64
	Factor float64 // when not 0, multiplies the claimed slope (power control)
}

// mcArch is CNN-7's small CNN: 8 x 8 x 1 inputs, one 3 x 3 layer of 2 kernels (stride 1, b = 2,
// a = 2), pooling 2, 3 classes (a = 2, b = 3).
func mcArch() cnnbound.Arch {
	return cnnbound.Arch{Name: "S1", R0: 8, C0: 8, D0: 1, P: 2, Layers: []cnnbound.Layer{{K: 3, S: 1, D: 2, A: 2, B: 2}}, Out: 3, OutA: 2, OutB: 3}
}

// MCResult is what CNN-7 measured: per n, the RMS gradient deviation and the mean absolute
// generalisation gap over replicates, and the per-replicate fitted slopes.
type MCResult struct {
	Ns      []int
	RMSDev  []float64
	Gap     []float64
	Slopes  []float64
	PopLoss float64
	Bounds  []float64   // B(n) of the architecture (NaN where undefined)
	dev     [][]float64 // per replicate, per n: |g_n - g|^2
}

// mcRuns caches CNN-7's simulations by their settings (Rate and Factor do not enter): a claim, its
// control and its figures share one. Deterministic in the settings: no random state is kept.
var mcRuns sync.Map

type mcKey struct {
	arch, ns string
	m, reps  int
	seed     uint64
}

// cachedRun is run through the cache.
func (c MCCase) cachedRun() (MCResult, error) {
	k := mcKey{fmt.Sprintf("%+v", c.Arch), fmt.Sprint(c.Ns), c.M, c.Reps, c.Seed}
	if v, ok := mcRuns.Load(k); ok {
		r := v.(mcRun)
		return r.res, r.err
	}
	res, err := c.run()
	mcRuns.Store(k, mcRun{res, err})
	return res, err
}

type mcRun struct {
	res MCResult
	err error
}

// run simulates the case.
func (c MCCase) run() (MCResult, error) {
	res := MCResult{Ns: c.Ns}
	for k := 1; k < len(c.Ns); k++ {
		if c.Ns[k] <= c.Ns[k-1] || c.Ns[0] < 1 {
			return res, fmt.Errorf("sample sizes %v must increase from at least 1", c.Ns)
		}
	}
	if len(c.Ns) < 2 || c.M < 1 {
		return res, fmt.Errorf("need at least two sample sizes and a population, got %v and %d", c.Ns, c.M)
	}
	net, err := simcnn.New(c.Arch)
	if err != nil {
		return res, err
	}
	if err := net.Randomize(1, c.Seed); err != nil {
		return res, err
	}
	pop, err := simcnn.NewPopulation(c.Arch, c.M, c.Seed+1)
	if err != nil {
		return res, err
	}
	popLoss, popGrad, err := net.MeanGradient(pop, nil)
	if err != nil {
		return res, err
	}
	res.PopLoss = popLoss
	dev := make([][]float64, c.Reps) // per replicate, per n: |g_n - g|^2
	gaps := make([]float64, len(c.Ns))
	// Nested samples: each replicate draws max(Ns) indices once, and g_n is the mean of the first n
	// per-sample gradients (running sums), so every n of a replicate costs one pass.
	top := c.Ns[len(c.Ns)-1]
	g, err := net.NewGrad()
	if err != nil {
		return res, err
	}
	sum := make([]float64, len(popGrad))
	for r := range c.Reps {
		rng := rand.New(rand.NewPCG(c.Seed+uint64(r), 0x7c))
		clear(sum)
		var lossSum float64
		next := 0
		for i := 1; i <= top; i++ {
			j := rng.IntN(c.M)
			l, err := net.Gradient(pop.X[j], pop.Y[j], g)
			if err != nil {
				return res, err
			}
			lossSum += l
			if err := g.AddTo(sum); err != nil {
				return res, err
			}
			if next < len(c.Ns) && i == c.Ns[next] {
				var d2 float64
				for t, v := range sum {
					d := v/float64(i) - popGrad[t]
					d2 += d * d
				}
				dev[r] = append(dev[r], d2)
				gaps[next] += math.Abs(lossSum/float64(i)-popLoss) / float64(c.Reps)
				next++
			}
		}
		var ys, xs []float64
		for k, n := range c.Ns {
			xs, ys = append(xs, math.Log(float64(n))), append(ys, 0.5*math.Log(dev[r][k]))
		}
		res.Slopes = append(res.Slopes, slopeLS(xs, ys))
	}
	for k, n := range c.Ns {
		var m float64
		for r := range c.Reps {
			m += dev[r][k] / float64(c.Reps)
		}
		res.RMSDev = append(res.RMSDev, math.Sqrt(m))
		b, err := c.Arch.Bound(float64(n), 0.05)
		if err != nil {
			b = math.NaN()
		}
		res.Bounds = append(res.Bounds, b)
	}
	res.Gap, res.dev = gaps, dev
	return res, nil
}

// slopeLS returns the least-squares slope of ys on xs.
func slopeLS(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i] / float64(len(xs))
		my += ys[i] / float64(len(ys))
	}
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	return sxy / sxx
}

// slopeTol is the catalogue's allowed departure of the fitted slope from -1/2.
const slopeTol = 0.1

// CNN7 checks that the empirical gradient's deviation from the population gradient decays with
// log-log slope -1/2 in n: the least-squares slope of ln sqrt(mean_r |g_n - g|^2) on ln n, within
// slopeTol of -1/2 beyond its statistical bound (t times its jackknife SE over replicates). It also returns the run (for the looseness of B(n) and the figure).
func CNN7(c MCCase) (claim.Result, MCResult) {
	what := fmt.Sprintf("CNN-7 %s M=%d n=%d..%d reps=%d gradient deviation slope", c.Arch.Name, c.M, c.Ns[0], c.Ns[len(c.Ns)-1], c.Reps)
	res, err := c.cachedRun()
	if err != nil {
		return claim.Failed(what, err), res
	}
	// The slope of ln sqrt(mean over replicates of |g_n - g|^2) on ln n (E |g_n - g|^2 = tr Cov / n
	// exactly when sampling the finite population), with its jackknife SE over replicates.
	xs := make([]float64, len(c.Ns))
	for k, n := range c.Ns {
		xs[k] = math.Log(float64(n))
	}
	est, err := jackknife(res.dev, func(means []float64) (float64, error) {
		ys := make([]float64, len(means))
		for k, m := range means {
			ys[k] = 0.5 * math.Log(m)
		}
		return slopeLS(xs, ys), nil
	})
	if err != nil {
		return claim.Failed(what, err), res
	}
	want := -0.5
	if c.Rate != 0 {
		want = c.Rate
	}
	if c.Factor != 0 {
		want *= c.Factor
	}
	r := claim.MeanCheckWithin(what, est, want, slopeTol, c.Seed)
	r.Detail += fmt.Sprintf("; fitted slope %.4f +- %.4f (SE)", est.Mean, est.SE)
	return r, res
}

// looseness returns B(n) / the mean generalisation gap at the last n where B is defined.
func (r MCResult) looseness() (n int, ratio float64) {
	for k := len(r.Ns) - 1; k >= 0; k-- {
		if !math.IsNaN(r.Bounds[k]) && r.Gap[k] > 0 {
			return r.Ns[k], r.Bounds[k] / r.Gap[k]
		}
	}
	return 0, math.NaN()
}
