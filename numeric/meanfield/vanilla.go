package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/orthogonal"
	"github.com/dlt5/verify/numeric/weights"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MaxN bounds the width of a simulated network (an N x N weight matrix is N^2 float64s).
const MaxN = 4096

// Vanilla is a vanilla tanh RNN e_t = W h_{t-1} + V x_t + b, h_t = tanh(e_t), of width N: W_ij ~
// N(0, SW2/N) (or W = sqrt(SW2) Q with Q Haar-orthogonal when Orthogonal), V_ij ~ N(0, SV2/N),
// b_i ~ N(0, SB2), inputs x_t ~ N(0, I) independent over time (R = 1), so the drive per unit has
// variance s = SV2 + SB2. SW2, SV2 and SB2 are variances.
type Vanilla struct {
	N             int
	SW2, SV2, SB2 float64
	Orthogonal    bool
}

func (v Vanilla) validate() error {
	return checkNet(v.N, []string{"sw2", "sv2", "sb2"}, v.SW2, v.SV2, v.SB2)
}

// checkNet validates a width in [1, MaxN] and parameters that must be finite and >= 0.
func checkNet(n int, names []string, vals ...float64) error {
	if n < 1 || n > MaxN {
		return fmt.Errorf("meanfield: width N = %d outside [1, %d]", n, MaxN)
	}
	for i, x := range vals {
		if !(x >= 0) || math.IsInf(x, 0) {
			return fmt.Errorf("meanfield: %s = %v must be finite and >= 0", names[i], x)
		}
	}
	return nil
}

// gaussian fills a with N(0, variance) entries (weights.Gaussian's Fill at that scale).
func gaussian(rng *rand.Rand, a []float64, variance float64) {
	weights.Gaussian{Scale: math.Sqrt(variance)}.Fill(rng, a)
}

// weights draws W (row-major N x N) for the network.
func (v Vanilla) weights(rng *rand.Rand) ([]float64, error) {
	n := v.N
	if !v.Orthogonal {
		w := make([]float64, n*n)
		gaussian(rng, w, v.SW2/float64(n))
		return w, nil
	}
	q, err := orthogonal.Haar(rng, n)
	if err != nil {
		return nil, err
	}
	raw := q.RawMatrix()
	w := make([]float64, n*n)
	c := math.Sqrt(v.SW2)
	for i := range n {
		for j := range n {
			w[i*n+j] = c * raw.Data[i*raw.Stride+j]
		}
	}
	return w, nil
}

// Step is one step's empirical moments: Q = (1/N) |e_t|^2, the per-unit mean square of the
// pre-activation, and the parts of it whose means are known exactly, Bias = (1/N) |b|^2 (mean
// SB2), Input = (1/N) |V x_t|^2 (mean SV2) and Fresh = (2/N) (W h_{t-1} + b).(V x_t) (mean 0: x_t
// is independent of everything before it): control variates for Q.
type Step struct {
	Q, Bias, Input, Fresh float64
}

// PreactivationVariance runs one network of the family from h_0 = 0 for T steps, drawing its
// weights, bias and inputs from PCG(seed, 0), and returns each step's empirical moments (Step)
// for t = 1 .. T: Q is the empirical q_t of the mean-field variance map (catalogue MF-1). Units: a
// variance. Errors: invalid parameters, T outside [1, 2^20], and a non-finite state.
func (v Vanilla) PreactivationVariance(steps int, seed uint64) ([]Step, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	if steps < 1 || steps > 1<<20 {
		return nil, fmt.Errorf("meanfield: steps = %d outside [1, 2^20]", steps)
	}
	n := v.N
	rng := rand.New(rand.NewPCG(seed, 0))
	w, err := v.weights(rng)
	if err != nil {
		return nil, err
	}
	vin := make([]float64, n*n)
	gaussian(rng, vin, v.SV2/float64(n))
	bias := make([]float64, n)
	gaussian(rng, bias, v.SB2)
	var bb float64
	for _, b := range bias {
		bb += b * b
	}
	h, e, x, vx, past := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	W := blas64.General{Rows: n, Cols: n, Stride: n, Data: w}
	V := blas64.General{Rows: n, Cols: n, Stride: n, Data: vin}
	vec := func(d []float64) blas64.Vector { return blas64.Vector{N: n, Inc: 1, Data: d} }
	out := make([]Step, steps)
	for t := range steps {
		gaussian(rng, x, 1)
		blas64.Gemv(blas.NoTrans, 1, V, vec(x), 0, vec(vx))
		copy(past, bias)
		blas64.Gemv(blas.NoTrans, 1, W, vec(h), 1, vec(past)) // W h + b
		var ss, vv, pv float64
		for i := range e {
			e[i] = past[i] + vx[i]
			ss += e[i] * e[i]
			vv += vx[i] * vx[i]
			pv += past[i] * vx[i]
			h[i] = math.Tanh(e[i])
		}
		out[t] = Step{Q: ss / float64(n), Bias: bb / float64(n), Input: vv / float64(n), Fresh: 2 * pv / float64(n)}
		if math.IsNaN(out[t].Q) || math.IsInf(out[t].Q, 0) {
			return nil, fmt.Errorf("meanfield: the pre-activation at step %d is not finite", t+1)
		}
	}
	return out, nil
}
