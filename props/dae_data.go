package props

import (
	"errors"
	"fmt"
	"math"
	"slices"

	simdae "github.com/dlt5/verify/numeric/dae"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
	"gonum.org/v1/gonum/mat"
)

// SGDCase is DAE-8's case: N data of exact covariance diag(Lambda) (numeric/dae.ExactData), H
// hidden units from the decoupled balanced start at U0, noise sampled each step (variance Sigma2),
// weight decay Gamma, step Alpha, Runs antithetic pairs of noise streams (e and -e; each sample is the pair's mean), strengths read at Times. Formula,
// when not nil, replaces the closed form (the control); Factor, when not 0, multiplies it (power).
type SGDCase struct {
	Lambda        []float64
	H, N, Runs    int
	Sigma2, Gamma float64
	U0, Alpha     float64
	Times         []float64
	Seed          uint64
	Formula       func(m dae.Mode, u0, t float64) (float64, error)
	Factor        float64
}

// steps returns the step index of each time.
func (c SGDCase) steps() []int {
	out := make([]int, len(c.Times))
	for i, t := range c.Times {
		out[i] = int(math.Round(t / c.Alpha))
	}
	return out
}

// sample runs the SGD streams and returns, per (time, mode), the strengths over runs.
func (c SGDCase) sample(seed uint64) ([][][]float64, error) {
	x, err := simdae.ExactData(c.Lambda, c.N, seed)
	if err != nil {
		return nil, err
	}
	at := c.steps()
	out := make([][][]float64, len(at))
	for i := range out {
		out[i] = make([][]float64, c.H)
	}
	u0 := make([]float64, c.H)
	for i := range u0 {
		u0[i] = c.U0
	}
	for r := range c.Runs {
		var pair [2][][]float64 // per run of the pair, per observed time, the strengths
		for k, negate := range []bool{false, true} {
			sgd := simdae.SGD{X: x, Sigma2: c.Sigma2, Gamma: c.Gamma, Rate: c.Alpha, Negate: negate}
			n, err := simdae.Decoupled(len(c.Lambda), nil, u0, seed)
			if err != nil {
				return nil, err
			}
			next := 0
			err = sgd.Run(n, at[len(at)-1], seed+uint64(r)+1, func(step int) error {
				for next < len(at) && at[next] == step {
					u, err := n.Strengths(nil, c.H)
					if err != nil {
						return err
					}
					pair[k] = append(pair[k], u)
					next++
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		for j := range at {
			for i := range c.H {
				out[j][i] = append(out[j][i], (pair[0][j][i]+pair[1][j][i])/2)
			}
		}
	}
	return out, nil
}

// gdError returns, per (time, mode), full-batch gradient descent's own error at the case's step,
// estimated from descent alone (the closed form under test plays no part, so a wrong formula
// cannot widen its own allowance): descent at alpha, alpha/2 and alpha/4 gives u_1, u_2, u_4 at
// the same time; f(h) = L + c1 h + c2 h^2 extrapolates to the flow's L = (8 u_4 - 6 u_2 + u_1)/3,
// and the allowance is |u_1 - L| (the O(alpha) error) plus |(2 u_4 - u_2) - L| (the first-order
// extrapolation's distance from the second-order one: a bound on L's own error). The O(alpha)
// allowance of DAE-8.
func (c SGDCase) gdError() ([][]float64, error) {
	steps := c.steps()
	// The horizon is a whole number of steps, so that alpha/2 and alpha/4 reach it in 2k and 4k.
	fc := FlowCase{Lambda: c.Lambda, H: c.H, Sigma2: c.Sigma2, Gamma: c.Gamma, U0: c.U0, T: float64(slices.Max(steps)) * c.Alpha, Seed: c.Seed}
	var us [3][][]float64
	for l := range us {
		_, u, err := fc.run(c.Alpha / float64(int(1)<<l))
		if err != nil {
			return nil, err
		}
		us[l] = u
	}
	out := make([][]float64, len(c.Times))
	for j, k := range steps {
		if 4*k >= len(us[2]) {
			return nil, fmt.Errorf("time %v is past descent's horizon", c.Times[j])
		}
		for i := range c.H {
			u1, u2, u4 := us[0][k][i], us[1][2*k][i], us[2][4*k][i]
			flow := (8*u4 - 6*u2 + u1) / 3
			out[j] = append(out[j], math.Abs(u1-flow)+math.Abs(2*u4-u2-flow))
		}
	}
	return out, nil
}

// DAE8 checks that the mean over noise streams of each mode's strength tracks u(t) within
// t SE + C alpha, C alpha being full-batch gradient descent's own error at the same step (the
// catalogue's allowance): one row per (time, mode).
func DAE8(c SGDCase) []claim.Result {
	label := fmt.Sprintf("DAE-8 D=%d H=%d n=%d sigma2=%.3g gamma=%.3g alpha=%.3g", len(c.Lambda), c.H, c.N, c.Sigma2, c.Gamma, c.Alpha)
	formula := c.Formula
	if formula == nil {
		formula = func(m dae.Mode, u0, t float64) (float64, error) { return m.U(u0, t) }
	}
	samples, err1 := c.sample(c.Seed)
	allow, err2 := c.gdError()
	if err := claim.FirstErr(err1, err2); err != nil {
		return []claim.Result{claim.Failed(label, err)}
	}
	var out []claim.Result
	for j, t := range c.Times {
		for i := range c.H {
			m := dae.Mode{Lambda: c.Lambda[i], Sigma2: c.Sigma2, Gamma: c.Gamma}
			want, err := formula(m, c.U0, float64(c.steps()[j])*c.Alpha)
			if err != nil {
				return append(out, claim.Failed(label, err))
			}
			if c.Factor != 0 {
				want *= c.Factor
			}
			est, err := stats.FromSample(samples[j][i], min(c.Runs, 16))
			if err != nil {
				return append(out, claim.Failed(label, err))
			}
			r := claim.MeanCheckWithin(fmt.Sprintf("%s mode %d t=%.3g", label, i, t), est, want, allow[j][i], c.Seed)
			r.Detail += fmt.Sprintf("; GD's own error %.3g", allow[j][i])
			out = append(out, r)
		}
	}
	return out
}

// noiseOff returns the closed form with the noise variance scaled by f: a DAE-8 near-miss control.
func noiseOff(f float64) func(dae.Mode, float64, float64) (float64, error) {
	return func(m dae.Mode, u0, t float64) (float64, error) {
		m.Sigma2 *= f
		return m.U(u0, t)
	}
}

// NoiseFree is the closed form without the noise (sigma2 = 0): the DAE-8 control.
func NoiseFree(m dae.Mode, u0, t float64) (float64, error) {
	m.Sigma2 = 0
	return m.U(u0, t)
}

// FashionPath is where Debian's dataset-fashion-mnist puts the training images.
const FashionPath = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

// RealCase is DAE-9's case: the first Images images of Path, average-pooled by Pool, their
// uncentred covariance; a linear DAE of width H from an i.i.d. N(0, S^2) start, noise Sigma2, full-batch
// gradient descent in the covariance's eigenbasis at alpha = AlphaL1 / lambda_1; the top Modes
// modes compared with the closed form at the effective u0 = |W1 + W2^T|_F^2 / (4D).
type RealCase struct {
	Path                       string
	Images, Pool, H, Modes     int
	S, Sigma2, AlphaL1         float64
	Seed                       uint64
	HalfTol, FinalTol, WDMatch float64 // the catalogue's 15%, 2%, and the ratio's tolerance
}

// RealResult is what DAE-9 measured, for the rows, the figure and the note.
type RealResult struct {
	Lambda           []float64   // eigenvalues, decreasing
	U0, Alpha        float64     // effective start strength, step
	U0Authors        float64     // the authors' choice: the mean of W2 W1's top Modes singular values at the start
	Half, HalfClosed []float64   // measured and closed-form half-times of the top modes
	Final, UStar     []float64   // final strengths and fixed points
	Curves           [][]float64 // per mode, u at every Every-th step (noise run)
	Every            int
	RatioWD, RatioTh float64 // measured and claimed half-time ratio (weight decay / noise) on the last mode
	WDCurve          []float64
	Gamma            float64
}

// realRun trains one net (noise sigma2, weight decay gamma) from the case's start, for steps steps,
// returning the top modes' strengths at every step and the effective u0.
func (c RealCase) realRun(lam []float64, sigma2, gamma, alpha float64, steps int) ([][]float64, float64, error) {
	d := len(lam)
	n, err := simdae.RandomStart(d, c.H, c.S, c.Seed)
	if err != nil {
		return nil, 0, err
	}
	u0, err := n.BalancedU0()
	if err != nil {
		return nil, 0, err
	}
	g, err := simdae.NewGD(simdae.Problem{Lambda: lam, Sigma2: sigma2, Gamma: gamma}, c.H, alpha)
	if err != nil {
		return nil, 0, err
	}
	curves := make([][]float64, c.Modes)
	for i := range curves {
		curves[i] = make([]float64, 0, steps+1) // thousands of steps: growing them was 0.6 s of DAE-9
	}
	err = g.Run(n, steps, func(int) error {
		u, err := n.Strengths(nil, c.Modes)
		for i, v := range u {
			curves[i] = append(curves[i], v)
		}
		return err
	})
	return curves, u0, err
}

// RunReal loads the images and trains the noise and the matched-weight-decay nets. A missing data
// file is returned as an error wrapping os.ErrNotExist.
func (c RealCase) RunReal() (RealResult, error) {
	var res RealResult
	im, err := simdae.ReadImages(c.Path, c.Images)
	if err != nil {
		return res, err
	}
	if c.Pool > 1 {
		if im, err = im.Pool(c.Pool); err != nil {
			return res, err
		}
	}
	_, lam, _, err := im.Covariance()
	if err != nil {
		return res, err
	}
	res.Lambda, res.Alpha = lam, c.AlphaL1/lam[0]
	// The run lasts until the slowest compared mode is within 0.5% of u*, plus 20%.
	start, err := simdae.RandomStart(len(lam), c.H, c.S, c.Seed)
	if err != nil {
		return res, err
	}
	if res.U0, err = start.BalancedU0(); err != nil {
		return res, err
	}
	var p mat.Dense
	p.Mul(start.W2, start.W1)
	var svd mat.SVD
	if !svd.Factorize(&p, mat.SVDNone) {
		return res, errors.New("the SVD of W2 W1 at the start failed")
	}
	for _, v := range svd.Values(nil)[:c.Modes] {
		res.U0Authors += v / float64(c.Modes)
	}
	last := dae.Mode{Lambda: lam[c.Modes-1], Sigma2: c.Sigma2}
	tEnd, err := last.TFrac(res.U0, 0.995)
	if err != nil {
		return res, err
	}
	curves, _, err := c.realRun(lam, c.Sigma2, 0, res.Alpha, int(1.2*tEnd/res.Alpha))
	if err != nil {
		return res, err
	}
	res.Curves, res.Every = curves, 1
	for i := range c.Modes {
		m := dae.Mode{Lambda: lam[i], Sigma2: c.Sigma2}
		us, err1 := m.UStar()
		th, err2 := m.TFrac(res.U0, 0.5)
		h, err3 := halfTime(curves[i], us/2, res.Alpha)
		if err := claim.FirstErr(err1, err2, err3); err != nil {
			return res, fmt.Errorf("mode %d: %w", i, err)
		}
		res.Half, res.HalfClosed = append(res.Half, h), append(res.HalfClosed, th)
		res.Final, res.UStar = append(res.Final, curves[i][len(curves[i])-1]), append(res.UStar, us)
	}
	// Weight decay matched on the last compared mode, no noise, same start.
	if res.Gamma, err = dae.MatchedGamma(last.Lambda, c.Sigma2); err != nil {
		return res, err
	}
	if res.RatioTh, err = dae.MatchedTimeRatio(last.Lambda, c.Sigma2); err != nil {
		return res, err
	}
	wd, _, err := c.realRun(lam, 0, res.Gamma, res.Alpha, int(1.2*res.RatioTh*res.Half[c.Modes-1]/res.Alpha))
	if err != nil {
		return res, err
	}
	res.WDCurve = wd[c.Modes-1]
	h, err := halfTime(res.WDCurve, res.UStar[c.Modes-1]/2, res.Alpha)
	if err != nil {
		return res, fmt.Errorf("weight decay: %w", err)
	}
	res.RatioWD = h / res.Half[c.Modes-1]
	return res, nil
}

// DAE9 turns a real-data run into rows: each top mode's half-time against the closed form's
// (within HalfTol), its final strength against u* (within FinalTol), and the weight-decay to noise
// half-time ratio on the last mode against 1 + sigma2/lambda (within WDMatch).
func DAE9(c RealCase, res RealResult) []claim.Result {
	label := fmt.Sprintf("DAE-9 Fashion-MNIST n=%d D=%d H=%d sigma2=%.3g", c.Images, len(res.Lambda), c.H, c.Sigma2)
	var out []claim.Result
	for i := range res.Half {
		r := claim.RelCheck(fmt.Sprintf("%s mode %d (lambda %.4g) half-time", label, i+1, res.Lambda[i]), res.Half[i], res.HalfClosed[i], res.HalfClosed[i], c.HalfTol)
		f := claim.RelCheck(fmt.Sprintf("%s mode %d final u vs u*", label, i+1), res.Final[i], res.UStar[i], res.UStar[i], c.FinalTol)
		out = append(out, r, f)
	}
	r := claim.RelCheck(fmt.Sprintf("%s weight decay matched on mode %d: half-time ratio vs 1 + sigma2/lambda", label, len(res.Half)), res.RatioWD, res.RatioTh, res.RatioTh, c.WDMatch)
	return append(out, r)
}
