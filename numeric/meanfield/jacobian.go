package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MaxProbes bounds the number of Hutchinson probe vectors of one estimate.
const MaxProbes = 1024

// MaxTrajectory bounds N x max(T), the floats JacobianMoments keeps of the trajectory's
// derivatives (2^24: 128 MiB).
const MaxTrajectory = 1 << 24

// Moments is a Hutchinson estimate of the moments of J J^T for one network and horizon T: M1
// estimates m_1 = tr(J J^T)/N, M2 estimates m_2 = tr((J J^T)^2)/N, each the mean over probes v
// with independent Rademacher entries of |J v|^2/N and |J J^T v|^2/N (unbiased: E v v^T = I).
type Moments struct {
	T      int
	M1, M2 float64
}

// JacobianMoments draws one network of the family, runs it from its start for max(ts) steps, and
// returns, for each T in ts, Hutchinson estimates of the moments of the T-step Jacobian
// J = D_T W ... D_1 W, D_t = diag(tanh'(e_t)) (catalogue MF-6), from probes Rademacher vectors
// through matrix products only: J^T v by the transposed products backward, then J J^T v forward;
// 2T products of W with an N x probes block, never a dense T-step product.
// Start the family at stationarity (Start = q*) for the stationary claim. Everything is drawn from
// PCG(seed, 0). Dimensionless. Errors: invalid parameters, an empty ts or a T outside
// [1, 2^20], N x max(T) above MaxTrajectory, probes outside [1, MaxProbes], and a non-finite
// estimate.
func (v Vanilla) JacobianMoments(ts []int, probes int, seed uint64) ([]Moments, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("meanfield: no horizons T")
	}
	horizon := 0
	for _, T := range ts {
		if err := checkSteps(T); err != nil {
			return nil, err
		}
		horizon = max(horizon, T)
	}
	if v.N*horizon > MaxTrajectory {
		return nil, fmt.Errorf("meanfield: N x T = %d x %d exceeds %d stored derivatives", v.N, horizon, MaxTrajectory)
	}
	if probes < 1 || probes > MaxProbes {
		return nil, fmt.Errorf("meanfield: probes = %d outside [1, %d]", probes, MaxProbes)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	nt, err := v.draw(rng)
	if err != nil {
		return nil, err
	}
	n := v.N
	d := make([]float64, n*horizon) // row t-1: tanh'(e_t)
	h, e, x := make([]float64, n), make([]float64, n), make([]float64, n)
	start(rng, h, v.Start)
	for t := range horizon {
		gaussian(rng, x, 1)
		nt.step(h, x, e)
		for i, ei := range e {
			d[t*n+i] = sech2(ei)
		}
	}
	j := &jacobian{w: nt.w, d: d, n: n, k: probes, a: blocks(n, probes), b: blocks(n, probes)}
	out := make([]Moments, len(ts))
	for i, T := range ts {
		for p := range j.a.Data {
			j.a.Data[p] = float64(2*int(rng.Uint64()&1) - 1)
		}
		scale := float64(n * probes)
		j.backward(T) // a = J^T v: E|J^T v|^2 = tr(J J^T)
		m1 := sumSquares(j.a.Data) / scale
		j.forward(T) // a = J J^T v: E|J J^T v|^2 = tr((J J^T)^2)
		out[i] = Moments{T: T, M1: m1, M2: sumSquares(j.a.Data) / scale}
		if math.IsNaN(m1+out[i].M2) || math.IsInf(m1+out[i].M2, 0) {
			return nil, fmt.Errorf("meanfield: the Jacobian moments at T = %d are not finite", T)
		}
	}
	return out, nil
}

// jacobian applies the T-step Jacobian J = D_T W ... D_1 W (or its transpose) to the N x k block
// a in place, through the buffer b.
type jacobian struct {
	w    blas64.General
	d    []float64 // row t-1: the diagonal of D_t
	n, k int
	a, b blas64.General
}

func blocks(n, k int) blas64.General {
	return blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k)}
}

// forward sets a = J a: for t = 1 .. T, a = D_t (W a).
func (j *jacobian) forward(T int) {
	for t := range T {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, j.w, j.a, 0, j.b)
		j.a, j.b = j.b, j.a
		j.scale(t)
	}
}

// backward sets a = J^T a: for t = T .. 1, a = W^T (D_t a).
func (j *jacobian) backward(T int) {
	for t := T - 1; t >= 0; t-- {
		j.scale(t)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, j.w, j.a, 0, j.b)
		j.a, j.b = j.b, j.a
	}
}

// scale multiplies row i of a by the diagonal of D_{t+1}.
func (j *jacobian) scale(t int) {
	for i, di := range j.d[t*j.n : (t+1)*j.n] {
		row := j.a.Data[i*j.k : (i+1)*j.k]
		for c := range row {
			row[c] *= di
		}
	}
}

func sumSquares(a []float64) float64 { return dot(a, a) }
