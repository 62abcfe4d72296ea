package props

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/numeric/stats"
	"gonum.org/v1/gonum/mat"
)

// cvSums are the sums over replicates that one sample size's control-variate mean needs: the count,
// sum y, sum x, sum x x^T and sum x y (y the sup statistic, x the W control variates).
type cvSums struct {
	n     float64
	y     float64
	x, xy []float64
	xx    *mat.SymDense
	useCV bool
	w     int
}

// newCVSums returns the sums of W control variates (none when !useCV).
func newCVSums(w int, useCV bool) *cvSums {
	return &cvSums{x: make([]float64, w), xy: make([]float64, w), xx: mat.NewSymDense(w, nil), useCV: useCV, w: w}
}

// add adds (sign = 1) or removes (sign = -1) one replicate's y and x.
func (s *cvSums) add(y float64, x []float64, sign float64) {
	s.n += sign
	s.y += sign * y
	for i := range s.w {
		s.x[i] += sign * x[i]
		s.xy[i] += sign * x[i] * y
		for j := i; j < s.w; j++ {
			s.xx.SetSym(i, j, s.xx.At(i, j)+sign*x[i]*x[j])
		}
	}
}

// mean returns the control-variate estimate of E y: mean(y) - beta . mean(x), beta the
// least-squares coefficients of y on x (the variates' exact means are 0). Without control
// variates it is mean(y). Errors: a singular covariance of the variates.
func (s *cvSums) mean() (float64, error) {
	my := s.y / s.n
	if !s.useCV {
		return my, nil
	}
	cxx := mat.NewSymDense(s.w, nil)
	cxy := mat.NewVecDense(s.w, nil)
	for i := range s.w {
		cxy.SetVec(i, s.xy[i]-s.x[i]*my)
		for j := i; j < s.w; j++ {
			cxx.SetSym(i, j, s.xx.At(i, j)-s.x[i]*s.x[j]/s.n)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(cxx) {
		return 0, fmt.Errorf("the control variates' covariance over %.0f replicates is singular", s.n)
	}
	var beta mat.VecDense
	if err := ch.SolveVecTo(&beta, cxy); err != nil {
		return 0, err
	}
	m := my
	for i := range s.w {
		m -= beta.AtVec(i) * s.x[i] / s.n
	}
	return m, nil
}

// sums returns, per sample size, the sums over every replicate.
func (r MCResult) sums(useCV bool) []*cvSums {
	out := make([]*cvSums, len(r.Ns))
	for k := range r.Ns {
		out[k] = newCVSums(len(r.TraceCov), useCV)
		for rep := range r.sup {
			out[k].add(r.sup[rep][k], r.cv[rep][k], 1)
		}
	}
	return out
}

// slopeOf returns the least-squares slope of 0.5 ln(m_k / n_k) on ln n_k, m_k the sums' means
// (estimates of n_k E max_w |grad R_n(w) - grad R(w)|^2).
func (r MCResult) slopeOf(sums []*cvSums) (float64, error) {
	xs, ys := make([]float64, len(r.Ns)), make([]float64, len(r.Ns))
	for k, n := range r.Ns {
		m, err := sums[k].mean()
		if err != nil {
			return 0, err
		}
		if !(m > 0) {
			return 0, fmt.Errorf("the estimated E max_w |deviation|^2 at n = %d is %v", n, m)
		}
		xs[k], ys[k] = math.Log(float64(n)), 0.5*(math.Log(m)-math.Log(float64(n)))
	}
	return stats.Slope(xs, ys)
}

// slope returns the fitted slope with its leave-one-replicate-out jackknife SE: Mean is the slope
// on every replicate, SE and Skewness those of the jackknife pseudo-values R s - (R - 1) s_(-i),
// N the number of replicates (the t-test's dof + 1). With useCV the means use the control
// variates (refitted in every leave-one-out fit).
func (r MCResult) slope(useCV bool) (stats.Estimate, error) {
	if len(r.Ns) < 2 || len(r.sup) < 3 {
		return stats.Estimate{}, fmt.Errorf("need two sample sizes and three replicates, got %d and %d", len(r.Ns), len(r.sup))
	}
	sums := r.sums(useCV)
	full, err := r.slopeOf(sums)
	if err != nil {
		return stats.Estimate{}, err
	}
	reps := float64(len(r.sup))
	pseudo := make([]float64, len(r.sup))
	for i := range r.sup {
		for k := range r.Ns {
			sums[k].add(r.sup[i][k], r.cv[i][k], -1)
		}
		loo, err := r.slopeOf(sums)
		for k := range r.Ns {
			sums[k].add(r.sup[i][k], r.cv[i][k], 1)
		}
		if err != nil {
			return stats.Estimate{}, err
		}
		pseudo[i] = reps*full - (reps-1)*loo
	}
	est, err := stats.FromSample(pseudo, 16)
	if err != nil {
		return stats.Estimate{}, err
	}
	est.Mean = full
	return est, nil
}

// means returns, per sample size, the control-variate estimate of E max_w |grad R_n(w) -
// grad R(w)|^2 and its jackknife SE (leave-one-out spread about the full estimate; for the
// figure).
func (r MCResult) means() (m, se []float64, err error) {
	sums := r.sums(true)
	reps := float64(len(r.sup))
	for k, n := range r.Ns {
		full, err := sums[k].mean()
		if err != nil {
			return nil, nil, err
		}
		var ss float64
		for i := range r.sup {
			sums[k].add(r.sup[i][k], r.cv[i][k], -1)
			loo, err := sums[k].mean()
			sums[k].add(r.sup[i][k], r.cv[i][k], 1)
			if err != nil {
				return nil, nil, err
			}
			ss += (loo - full) * (loo - full)
		}
		m, se = append(m, full/float64(n)), append(se, math.Sqrt(ss*(reps-1)/reps)/float64(n))
	}
	return m, se, nil
}
