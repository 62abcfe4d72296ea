package cnnbound

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/dlt5/verify/internal/vec"
)

// Uniform is the exact material of CNN-7's uniform-convergence experiment: for a population of M
// points and W weight vectors (nets of one architecture, D weights each), every point's loss and
// gradient at every weight vector, centred by the population means (so that the empirical mean of
// n sampled rows is the deviation of the empirical risk and gradient from the population's), and
// per weight vector the population risk R(w), the trace of the per-sample gradient's covariance
// tr Cov(w) = mean_j |grad f_j(w) - grad R(w)|^2 and the loss's variance. Sampling n points i.i.d.
// from the population, E |grad R_n(w) - grad R(w)|^2 = tr Cov(w) / n exactly. Only NewUniform
// makes a valid one: M, W, D >= 1, M W D centred gradient rows and M W centred losses inside, and
// PopLoss, TraceCov and LossVar of W entries each (see check); a Uniform built by hand or with M, W
// or D changed afterwards is an error in Replicate.
type Uniform struct {
	M, W, D  int
	PopLoss  []float64 // R(w) per weight vector
	TraceCov []float64 // tr Cov(w): squared gradient norm units
	LossVar  []float64 // Var f(w)
	rows     []float64 // M x W x D: point j's gradient at w minus grad R(w)
	losses   []float64 // M x W: point j's loss at w minus R(w)
}

// NewUniform computes the per-point losses and gradients of the population at every net (all of
// one architecture). Errors: no nets, nets of different weight counts, a population a net rejects,
// weights that are not finite or overflow, M W D above 2^27 floats.
func NewUniform(nets []*Net, p *Population) (*Uniform, error) {
	if len(nets) == 0 {
		return nil, errors.New("cnnbound: no weight vectors")
	}
	if p == nil || len(p.X) == 0 {
		return nil, errors.New("cnnbound: an empty population")
	}
	m, w, d := len(p.X), len(nets), nets[0].NumWeights()
	if d == 0 || m > maxFloats/(w*d) {
		return nil, fmt.Errorf("cnnbound: %d points x %d weight vectors x %d weights: empty or above %d floats", m, w, d, maxFloats)
	}
	u := &Uniform{M: m, W: w, D: d, rows: make([]float64, m*w*d), losses: make([]float64, m*w)}
	for k, n := range nets {
		if n.NumWeights() != d {
			return nil, fmt.Errorf("cnnbound: weight vector %d has %d weights, the first %d", k, n.NumWeights(), d)
		}
		if err := u.fill(k, n, p); err != nil {
			return nil, fmt.Errorf("weight vector %d: %w", k, err)
		}
	}
	return u, nil
}

// fill writes weight vector k's centred losses and gradients and its population moments.
func (u *Uniform) fill(k int, n *Net, p *Population) error {
	loss, grad, err := n.SampleGradients(p, nil)
	if err != nil {
		return err
	}
	d, m := u.D, float64(u.M)
	mean := make([]float64, d)
	var r float64
	for j := range u.M {
		r += loss[j] / m
		for i, v := range grad[j*d : (j+1)*d] {
			mean[i] += v / m
		}
	}
	var tr, lv float64
	for j := range u.M {
		row := u.rows[(j*u.W+k)*d : (j*u.W+k+1)*d]
		for i, v := range grad[j*d : (j+1)*d] {
			row[i] = v - mean[i]
			tr += row[i] * row[i] / m
		}
		u.losses[j*u.W+k] = loss[j] - r
		lv += (loss[j] - r) * (loss[j] - r) / m
	}
	u.PopLoss, u.TraceCov, u.LossVar = append(u.PopLoss, r), append(u.TraceCov, tr), append(u.LossVar, lv)
	return nil
}

// indexStream is the PCG stream a replicate of seed draws its points from.
func indexStream(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7c)) }

// Replicate draws one replicate and returns, at each n of ns (increasing, >= 1) and each weight
// vector w, the squared gradient deviation dev2[k][w] = |grad R_n(w) - grad R(w)|^2 and the risk
// gap gap[k][w] = R_n(w) - R(w), R_n the mean over n points drawn i.i.d. uniformly from the
// population (from seed). Nested, the sample at n is the first n points of one sequence of
// max(ns) draws (every n shares its first points: common random numbers across n); otherwise
// each n draws its own n points, in turn from the same stream. Every weight vector sees the same
// points. Errors: a nil or invalid Uniform (one NewUniform did not make, see check), ns empty,
// not increasing or from below 1, max(ns) above 2^27.
func (u *Uniform) Replicate(ns []int, seed uint64, nested bool) (dev2, gap [][]float64, err error) {
	if err := u.check(); err != nil {
		return nil, nil, err
	}
	if len(ns) == 0 || ns[0] < 1 || ns[len(ns)-1] > maxFloats {
		return nil, nil, fmt.Errorf("cnnbound: sample sizes %v must be in [1, %d]", ns, maxFloats)
	}
	for k := 1; k < len(ns); k++ {
		if ns[k] <= ns[k-1] {
			return nil, nil, fmt.Errorf("cnnbound: sample sizes %v must increase", ns)
		}
	}
	rng := indexStream(seed)
	sum, lsum := make([]float64, u.W*u.D), make([]float64, u.W)
	counts := make([]int, u.M)
	prev := 0
	for _, n := range ns {
		if !nested {
			clear(sum)
			clear(lsum)
			prev = 0
		}
		u.draw(rng, n-prev, counts, sum, lsum)
		d, g := u.deviations(sum, lsum, n)
		dev2, gap = append(dev2, d), append(gap, g)
		prev = n
	}
	return dev2, gap, nil
}

// check returns an error naming what breaks u's invariant, or nil: u not nil, M, W, D in
// [1, 2^27] with M W D <= 2^27, M W D gradient floats and M W losses inside (as NewUniform fills
// them: not a Uniform built by hand, nor one whose M, W or D changed since), and PopLoss, TraceCov
// and LossVar of W entries each.
func (u *Uniform) check() error {
	if u == nil {
		return errors.New("cnnbound: a nil Uniform (use NewUniform)")
	}
	if u.M < 1 || u.W < 1 || u.D < 1 || u.M > maxFloats || u.W > maxFloats || u.D > maxFloats || u.W > maxFloats/u.D || u.M > maxFloats/(u.W*u.D) {
		return fmt.Errorf("cnnbound: a Uniform of M = %d points, W = %d weight vectors and D = %d weights: each must be >= 1 and M W D at most %d (use NewUniform)", u.M, u.W, u.D, maxFloats)
	}
	if len(u.rows) != u.M*u.W*u.D || len(u.losses) != u.M*u.W {
		return fmt.Errorf("cnnbound: a Uniform with M = %d, W = %d, D = %d holds %d gradient floats and %d losses, not M W D = %d and M W = %d (built by hand, or M, W or D changed after NewUniform)",
			u.M, u.W, u.D, len(u.rows), len(u.losses), u.M*u.W*u.D, u.M*u.W)
	}
	if len(u.PopLoss) != u.W || len(u.TraceCov) != u.W || len(u.LossVar) != u.W {
		return fmt.Errorf("cnnbound: a Uniform of W = %d weight vectors with %d, %d and %d entries in PopLoss, TraceCov and LossVar (want W each)", u.W, len(u.PopLoss), len(u.TraceCov), len(u.LossVar))
	}
	return nil
}

// draw adds count points drawn from rng into the sums of centred gradients and losses, as counts
// over distinct population points (the same draws, in the same order, as one point at a time): at
// most M weighted row additions. counts must be zero and is left zero.
func (u *Uniform) draw(rng *rand.Rand, count int, counts []int, sum, lsum []float64) {
	wd := u.W * u.D
	var touched []int
	for range count {
		j := rng.IntN(u.M)
		if counts[j] == 0 {
			touched = append(touched, j)
		}
		counts[j]++
	}
	for _, j := range touched {
		c := float64(counts[j])
		addScaled(sum, c, u.rows[j*wd:(j+1)*wd])
		addScaled(lsum, c, u.losses[j*u.W:(j+1)*u.W])
		counts[j] = 0
	}
}

// addScaled adds c src into dst (of the same length), by vec.Axpy (AVX2 and FMA where the
// processor has them).
func addScaled(dst []float64, c float64, src []float64) {
	vec.Axpy(c, src, dst[:len(src)])
}

// deviations returns, per weight vector, |sum_w / n|^2 and lsum_w / n.
func (u *Uniform) deviations(sum, lsum []float64, n int) (dev2, gap []float64) {
	inv := 1 / float64(n)
	for w := range u.W {
		var s float64
		for _, v := range sum[w*u.D : (w+1)*u.D] {
			s += (v * inv) * (v * inv)
		}
		dev2, gap = append(dev2, s), append(gap, lsum[w]*inv)
	}
	return dev2, gap
}
