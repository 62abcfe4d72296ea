package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/internal/vec"
	"gonum.org/v1/gonum/mat"
)

// MaxProbes bounds the number of Hutchinson probe vectors of one estimate.
const MaxProbes = 1024

// MaxTrajectory bounds N x max(T), the floats JacobianMoments keeps of the trajectory's
// derivatives (2^24: 128 MiB).
const MaxTrajectory = 1 << 24

// Moments is a Hutchinson estimate of the moments of J J^T for one network and horizon T: M1
// estimates m_1 = tr(J J^T)/N, M2 estimates m_2 = tr((J J^T)^2)/N, each the mean over probes v
// with independent Rademacher entries of |J v|^2/N and |J J^T v|^2/N (unbiased: E v v^T = I).
//
// C1 and C2 are control variates of exactly zero mean, from the free-probability factorisation
// of the T-step product: with J1_t = (1/N) sum_i tanh'(e_{t,i})^2 |W_i|^2 the one-step factor and
// r_t = mu2_t/mu1_t^2 - 1 the relative spread of tanh'(e_t)^2 over the units, a trajectory's
// P1 = prod_t J1_t and P2 = P1^2 (1 + sum_t r_t) predict its m_1 and m_2 up to the coupling of
// the steps. C1 = P1 - mean(P1') and C2 = P2 - mean(P2') over the control trajectories (the
// same network, their own starts and inputs): every trajectory has the same law, so the means
// are exactly 0 whatever the network, and M1 - C1, M2 - C2 estimate m_1, m_2 with the part of
// the trajectory's fluctuation that the factorisation explains removed. Without control
// trajectories C1 = C2 = 0.
//
// Bias = |b|^2/N and BWB = b.(W b)/N are the network's own control variates (Step's): their
// means over networks are exactly SB2 and 0, and they carry part of the network-to-network
// fluctuation of the moments that control trajectories, sharing the network, cannot remove (the
// frozen bias gives each network a mean state of its own). They do not depend on T.
//
// Frozen is a sharper control for the same effect: linearised, the network's mean pre-activation
// solves u = b + a W u, so u = (I - a W)^{-1} b, and a network whose |u|^2 is large sits at a
// larger q than the map's and has a smaller Jacobian. Frozen = (|u|^2 - SB2 sum_p |y_p|^2 /
// FrozenProbes)/N with y_p = (I - a W)^{-1} z_p for independent Rademacher z_p: given W, both
// terms have mean SB2 tr((I - aW)^-T (I - aW)^-1) (b is N(0, SB2 I) and independent of W), so its
// mean is exactly 0 whatever a. a = FrozenRadius/sqrt(SW2) keeps a W's spectral radius near
// FrozenRadius (exactly, for orthogonal W). It is 0 when SB2 = 0.
type Moments struct {
	T              int
	M1, M2, C1, C2 float64
	Bias, BWB      float64
	Frozen         float64
}

// FrozenRadius is a W's spectral radius in the Frozen control (measured at width 500, T = 16,
// sw2 = 1.5, 40 networks: radii 0.45 .. 0.92 all help, 0.73 best, removing 70% (orthogonal W)
// and 49% (Gaussian W) of the variance left by the other controls), and FrozenProbes its number of
// trace probes.
const (
	FrozenRadius = 0.75
	FrozenProbes = 16
)

// JacobianMoments draws one network of the family, runs it from its start for max(ts) steps, and
// returns, for each T in ts, Hutchinson estimates of the moments of the T-step Jacobian
// J = D_T W ... D_1 W, D_t = diag(tanh'(e_t)) (catalogue MF-6), from probes Rademacher vectors
// through matrix products only: J^T v by the transposed products backward, then J J^T v forward;
// 2T products of W (or W^T) with a probes x N block, never a dense T-step product. controls further
// trajectories through the same network (their own starts and inputs, run in the same matrix
// products as the main one) give the control variates C1, C2 (Moments). Vanilla.Seqs is not used.
// Start the family at stationarity (Start = q*) for the stationary claim. Everything is drawn from
// PCG(seed, 0): the network, the starts, the inputs, the probes, then Frozen's trace probes.
// Dimensionless. Errors: invalid parameters, an empty ts or a T outside [1, 2^20], N x max(T)
// above MaxTrajectory, probes outside [1, MaxProbes], controls outside [0, MaxSeqs], a singular
// I - a W (Moments.Frozen), and a non-finite estimate.
func (v Vanilla) JacobianMoments(ts []int, probes, controls int, seed uint64) ([]Moments, error) {
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
	if controls < 0 || controls > MaxSeqs {
		return nil, fmt.Errorf("meanfield: controls = %d outside [0, %d]", controls, MaxSeqs)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	k := 1 + controls
	v.Seqs = 0
	nt, err := v.draw(rng, k)
	if err != nil {
		return nil, err
	}
	defer nt.release()
	n, nf := v.N, float64(v.N)
	wb := make([]float64, n)
	vec.MulRows(nt.w.Data, n, nt.bias, wb, 1, false)
	bias, bwb := dot(nt.bias, nt.bias)/nf, dot(nt.bias, wb)/nf
	d := make([]float64, n*horizon)                                 // row t-1: tanh'(e_t) of the main trajectory
	j1, r := make([]float64, horizon*k), make([]float64, horizon*k) // [t*k + j]: trajectory j's J1_t and r_t
	h, e, x := make([]float64, n*k), make([]float64, n*k), make([]float64, n*k)
	mu1, mu2 := make([]float64, k), make([]float64, k)
	start(rng, h, v.Start)
	for t := range horizon {
		gaussian(rng, x, 1)
		nt.step(h, x, e)
		clear(mu1)
		clear(mu2)
		for j := range k {
			for i := range n {
				s := sech2(e[j*n+i])
				s2 := s * s
				j1[t*k+j] += s2 * nt.rows[i] / nf
				mu1[j] += s2 / nf
				mu2[j] += s2 * s2 / nf
				if j == 0 {
					d[t*n+i] = s
				}
			}
		}
		for j := range k {
			r[t*k+j] = mu2[j]/(mu1[j]*mu1[j]) - 1
			if mu1[j] == 0 {
				r[t*k+j] = 0 // every unit saturated: D_t = 0, and P1 = 0 whatever r
			}
		}
	}
	j := newJacobian(nt.w.Data, d, n, probes)
	out := make([]Moments, len(ts))
	for i, T := range ts {
		for i := range n { // unit by unit, each unit's probes in turn
			for p := range probes {
				j.a[p*n+i] = float64(2*int(rng.Uint64()&1) - 1)
			}
		}
		scale := float64(n * probes)
		j.backward(T) // a = J^T v: E|J^T v|^2 = tr(J J^T)
		m1 := sumSquares(j.a) / scale
		j.forward(T) // a = J J^T v: E|J J^T v|^2 = tr((J J^T)^2)
		out[i] = Moments{T: T, M1: m1, M2: sumSquares(j.a) / scale, Bias: bias, BWB: bwb}
		if controls > 0 {
			var c1, c2 float64
			for tr := range k {
				p1, sr := 1.0, 0.0
				for t := range T {
					p1 *= j1[t*k+tr]
					sr += r[t*k+tr]
				}
				p2 := p1 * p1 * (1 + sr)
				if tr == 0 {
					c1, c2 = p1, p2
				} else {
					c1, c2 = c1-p1/float64(controls), c2-p2/float64(controls)
				}
			}
			out[i].C1, out[i].C2 = c1, c2
		}
		if o := out[i]; !finite(o.M1, o.M2, o.C1, o.C2, o.Bias, o.BWB) {
			return nil, fmt.Errorf("meanfield: the Jacobian moments at T = %d are not finite", T)
		}
	}
	frozen, err := v.frozen(rng, nt)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Frozen = frozen
	}
	return out, nil
}

// frozen returns Moments.Frozen for the network nt, its trace probes drawn from rng.
func (v Vanilla) frozen(rng *rand.Rand, nt *vnet) (float64, error) {
	if v.SB2 == 0 || v.SW2 == 0 {
		return 0, nil // b = 0: u = 0 and no network has a mean state of its own
	}
	n, a := v.N, FrozenRadius/math.Sqrt(v.SW2)
	m := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			m.Set(i, j, -a*nt.w.Data[i*nt.w.Stride+j])
		}
		m.Set(i, i, 1+m.At(i, i))
	}
	var lu mat.LU
	lu.Factorize(m)
	if c := lu.Cond(); !(c < 1e12) {
		return 0, fmt.Errorf("meanfield: I - a W is singular (condition %.3g)", c)
	}
	rhs := mat.NewDense(n, 1+FrozenProbes, nil)
	for i := range n {
		rhs.Set(i, 0, nt.bias[i])
		for p := 1; p <= FrozenProbes; p++ {
			rhs.Set(i, p, float64(2*int(rng.Uint64()&1)-1))
		}
	}
	var y mat.Dense
	if err := lu.SolveTo(&y, false, rhs); err != nil {
		return 0, fmt.Errorf("meanfield: the frozen-state solve: %w", err)
	}
	var uu, yy float64
	for i := range n {
		uu += y.At(i, 0) * y.At(i, 0)
		for p := 1; p <= FrozenProbes; p++ {
			yy += y.At(i, p) * y.At(i, p)
		}
	}
	f := (uu - v.SB2*yy/FrozenProbes) / float64(n)
	if !finite(f) {
		return 0, fmt.Errorf("meanfield: the frozen-state control is not finite")
	}
	return f, nil
}

// jacobian applies the T-step Jacobian J = D_T W ... D_1 W (or its transpose) to the k vectors of
// the k x N block a (vector p at a[p N : (p+1) N]) in place, through the buffer b. wt is W^T, so
// that both directions are vec.MulRows's row products.
type jacobian struct {
	w, wt []float64 // N x N row-major
	d     []float64 // row t-1: the diagonal of D_t
	n, k  int
	a, b  []float64
}

func newJacobian(w []float64, d []float64, n, k int) *jacobian {
	wt := make([]float64, n*n)
	for i := range n {
		for j := range n {
			wt[j*n+i] = w[i*n+j]
		}
	}
	return &jacobian{w: w, wt: wt, d: d, n: n, k: k, a: make([]float64, n*k), b: make([]float64, n*k)}
}

// forward sets a = J a: for t = 1 .. T, a = D_t (W a).
func (j *jacobian) forward(T int) {
	for t := range T {
		vec.MulRows(j.w, j.n, j.a, j.b, j.k, false)
		j.a, j.b = j.b, j.a
		j.scale(t)
	}
}

// backward sets a = J^T a: for t = T .. 1, a = W^T (D_t a).
func (j *jacobian) backward(T int) {
	for t := T - 1; t >= 0; t-- {
		j.scale(t)
		vec.MulRows(j.wt, j.n, j.a, j.b, j.k, false)
		j.a, j.b = j.b, j.a
	}
}

// scale multiplies each vector of a by the diagonal of D_{t+1}.
func (j *jacobian) scale(t int) {
	d := j.d[t*j.n : (t+1)*j.n]
	for p := range j.k {
		v := j.a[p*j.n : (p+1)*j.n]
		for i, di := range d {
			v[i] *= di
		}
	}
}

func sumSquares(a []float64) float64 { return dot(a, a) }
