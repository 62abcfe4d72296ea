package props

import (
	"fmt"
	"math"

	simdae "github.com/dlt5/verify/numeric/dae"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
)

// SGDCase is DAE-8's case: N data of exact covariance diag(Lambda) (numeric/dae.ExactData), H
// hidden units from the decoupled balanced start at U0, noise sampled each step (variance Sigma2),
// weight decay Gamma, step Alpha, Runs independent noise streams, strengths read at Times. Formula,
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
	sgd := simdae.SGD{X: x, Sigma2: c.Sigma2, Gamma: c.Gamma, Rate: c.Alpha}
	for r := range c.Runs {
		n, err := simdae.Decoupled(len(c.Lambda), nil, u0, seed)
		if err != nil {
			return nil, err
		}
		next := 0
		err = sgd.Run(n, at[len(at)-1], seed+uint64(r)+1, func(k int) error {
			for next < len(at) && at[next] == k {
				u, err := n.Strengths(nil, c.H)
				if err != nil {
					return err
				}
				for i, v := range u {
					out[next][i] = append(out[next][i], v)
				}
				next++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gdError returns, per (time, mode), |u_GD - u(t)| for full-batch gradient descent on the same
// problem at the same step: the O(alpha) allowance of DAE-8.
func (c SGDCase) gdError() ([][]float64, error) {
	fc := FlowCase{Lambda: c.Lambda, H: c.H, Sigma2: c.Sigma2, Gamma: c.Gamma, U0: c.U0, T: c.Times[len(c.Times)-1], Seed: c.Seed}
	rate, us, err := fc.run(c.Alpha)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(c.Times))
	for j, k := range c.steps() {
		for i := range c.H {
			want, err := fc.mode(i).U(c.U0, float64(k)*rate)
			if err != nil {
				return nil, err
			}
			out[j] = append(out[j], math.Abs(us[k][i]-want))
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

// NoiseFree is the closed form without the noise (sigma2 = 0): the DAE-8 control.
func NoiseFree(m dae.Mode, u0, t float64) (float64, error) {
	m.Sigma2 = 0
	return m.U(u0, t)
}
