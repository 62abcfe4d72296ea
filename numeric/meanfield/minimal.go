package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Minimal is a minimalRNN of width N (catalogue, "Models and initialisation"):
// u_t = sigmoid(W h_{t-1} + V z_t + b), h_t = u_t * h_{t-1} + (1 - u_t) * z_t, with W_ij ~
// N(0, SW^2/N), V_ij ~ N(0, SV^2/N), b_i ~ N(MuB, SB^2) and inputs z_t ~ N(0, R I) independent over
// time. SW, SV and SB are standard deviations. With Annealed, W, V and b are redrawn at every step
// (the setting in which the mean-field recursion is exact as N grows); otherwise they are drawn
// once (tied: the real network).
type Minimal struct {
	N                  int
	MuB, SW, SV, SB, R float64
	Annealed           bool
}

func (m Minimal) validate() error {
	if err := checkNet(m.N, []string{"sw", "sv", "sb"}, m.SW, m.SV, m.SB); err != nil {
		return err
	}
	if math.IsNaN(m.MuB) || math.IsInf(m.MuB, 0) || !(m.R > 0) || math.IsInf(m.R, 0) {
		return fmt.Errorf("meanfield: mu_b = %v must be finite and R = %v finite and > 0", m.MuB, m.R)
	}
	return nil
}

// SecondMoments runs one network from h_0 = 0 for steps steps, drawing from PCG(seed, 0), and
// returns (1/N) |h_t|^2 for t = 1 .. steps: the empirical Q_t of the mean-field recursion
// (catalogue MF-3). Units: those of R. Errors: invalid parameters, steps outside [1, 2^20], and a
// non-finite state.
func (m Minimal) SecondMoments(steps int, seed uint64) ([]float64, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if steps < 1 || steps > 1<<20 {
		return nil, fmt.Errorf("meanfield: steps = %d outside [1, 2^20]", steps)
	}
	n := m.N
	rng := rand.New(rand.NewPCG(seed, 0))
	w, v, b := make([]float64, n*n), make([]float64, n*n), make([]float64, n)
	draw := func() {
		gaussian(rng, w, m.SW*m.SW/float64(n))
		gaussian(rng, v, m.SV*m.SV/float64(n))
		gaussian(rng, b, m.SB*m.SB)
		for i := range b {
			b[i] += m.MuB
		}
	}
	draw()
	W := blas64.General{Rows: n, Cols: n, Stride: n, Data: w}
	V := blas64.General{Rows: n, Cols: n, Stride: n, Data: v}
	vec := func(d []float64) blas64.Vector { return blas64.Vector{N: n, Inc: 1, Data: d} }
	h, z, e := make([]float64, n), make([]float64, n), make([]float64, n)
	out := make([]float64, steps)
	for t := range steps {
		if m.Annealed && t > 0 {
			draw()
		}
		gaussian(rng, z, m.R)
		copy(e, b)
		blas64.Gemv(blas.NoTrans, 1, W, vec(h), 1, vec(e))
		blas64.Gemv(blas.NoTrans, 1, V, vec(z), 1, vec(e))
		var ss float64
		for i := range h {
			u := 1 / (1 + math.Exp(-e[i]))
			h[i] = u*h[i] + (1-u)*z[i]
			ss += h[i] * h[i]
		}
		out[t] = ss / float64(n)
		if math.IsNaN(out[t]) || math.IsInf(out[t], 0) {
			return nil, fmt.Errorf("meanfield: the state at step %d is not finite", t+1)
		}
	}
	return out, nil
}
