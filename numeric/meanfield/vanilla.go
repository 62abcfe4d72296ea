package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/dlt5/verify/internal/vec"
	"github.com/dlt5/verify/numeric/orthogonal"
	"github.com/dlt5/verify/numeric/weights"
	"gonum.org/v1/gonum/blas/blas64"
)

// MaxN bounds the width of a simulated network (an N x N weight matrix is N^2 float64s).
const MaxN = 4096

// maxSteps bounds the number of steps of one run.
const maxSteps = 1 << 20

// Vanilla is a vanilla tanh RNN e_t = W h_{t-1} + V x_t + b, h_t = tanh(e_t), of width N: W_ij ~
// N(0, SW2/N) (or W = sqrt(SW2) Q with Q Haar-orthogonal, from orthogonal.Reflections, when
// Orthogonal), V_ij ~ N(0, SV2/N) (or V = sqrt(SV2) I with DirectInput: the same per-unit input
// variance without an N x N product, the step a numpy user writes), b_i ~ N(0, SB2), inputs
// x_t ~ N(0, I) independent over time (R = 1), so the drive per unit has variance s = SV2 + SB2.
// The state starts at h_0 = tanh(sqrt(Start) xi), xi ~ N(0, I): Start = 0 is h_0 = 0, Start = q*
// starts at stationarity. SW2, SV2, SB2 and Start are variances.
//
// Seqs is the number of independent sequences (each with its own start and inputs) run through
// the one drawn network (W, V, b), in one matrix product per step; PreactivationVariance and Pair
// return the means of their moments over the sequences (0 or 1: one sequence). Averaging over
// sequences removes the part of a moment's noise that belongs to one sequence (for Gaussian W,
// the chi-square noise of |W h|^2 around SW2 |h|^2), not the part that belongs to the network.
type Vanilla struct {
	N                    int
	SW2, SV2, SB2, Start float64
	Orthogonal           bool
	DirectInput          bool
	Seqs                 int
}

// MaxSeqs bounds Vanilla.Seqs and the control sequences of JacobianMoments.
const MaxSeqs = 1024

func (v Vanilla) validate() error {
	if err := checkNet(v.N, []string{"sw2", "sv2", "sb2", "start"}, v.SW2, v.SV2, v.SB2, v.Start); err != nil {
		return err
	}
	if v.Seqs < 0 || v.Seqs > MaxSeqs {
		return fmt.Errorf("meanfield: Seqs = %d outside [0, %d]", v.Seqs, MaxSeqs)
	}
	return nil
}

// seqs is the number of sequences, at least 1.
func (v Vanilla) seqs() int { return max(v.Seqs, 1) }

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

func checkSteps(steps int) error {
	if steps < 1 || steps > maxSteps {
		return fmt.Errorf("meanfield: steps = %d outside [1, 2^20]", steps)
	}
	return nil
}

// gaussian fills a with N(0, variance) entries (weights.Gaussian's Fill at that scale).
func gaussian(rng *rand.Rand, a []float64, variance float64) {
	weights.Gaussian{Scale: math.Sqrt(variance)}.Fill(rng, a)
}

// vnet is one drawn vanilla network with the step buffers of k sequences. Every block of k
// sequences below is k x N row-major: unit i of sequence j at j*N + i (each sequence contiguous,
// so that W's products are vec.MulRows's long dot products).
type vnet struct {
	n, k     int
	w, v     blas64.General // v.Data is nil with direct input; w.Data is nil when q holds W
	q        *orthogonal.Product
	sw       float64 // sqrt(SW2): W = sw q when q is set
	sv       float64 // sqrt(SV2), the direct input's scale
	bias     []float64
	rows     []float64 // |W_i|^2, for the Jacobian's Frobenius norm
	vx, past []float64 // k x N: the input term V x and W h + b of the last step
	tmp      []float64 // k x N: q's products are in place
}

// draw draws W, V and b from rng (in that order), after checking the network, with buffers for k
// sequences; an orthogonal W is formed (the Jacobian and the tests read its entries).
func (v Vanilla) draw(rng *rand.Rand, k int) (*vnet, error) { return v.drawNet(rng, k, true) }

// drawFactored is draw with an orthogonal W kept as its reflections (orthogonal.Product: the
// same draws, the same matrix to rounding, without the n^3 work of forming it; 0.1 s at N =
// 1000, where 30 steps of products cost 15 ms): for the runs that only multiply by W.
func (v Vanilla) drawFactored(rng *rand.Rand, k int) (*vnet, error) { return v.drawNet(rng, k, false) }

func (v Vanilla) drawNet(rng *rand.Rand, k int, formed bool) (*vnet, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	if k < 1 || k > MaxSeqs+1 {
		return nil, fmt.Errorf("meanfield: %d sequences outside [1, %d]", k, MaxSeqs+1)
	}
	n := v.N
	var w []float64
	var q *orthogonal.Product
	switch {
	case v.Orthogonal && !formed:
		p, err := orthogonal.NewProduct(rng, n)
		if err != nil {
			return nil, err
		}
		q = p
	case v.Orthogonal:
		m, err := orthogonal.Reflections(rng, n)
		if err != nil {
			return nil, err
		}
		w = m.RawMatrix().Data // stride n: Reflections builds it so
		for i := range w {
			w[i] *= math.Sqrt(v.SW2)
		}
	default:
		w = squares.get(n)
		gaussian(rng, w, v.SW2/float64(n)) // every entry: a reused buffer's old values are gone
	}
	nt := &vnet{n: n, k: k, w: general(n, w), q: q, sw: math.Sqrt(v.SW2), sv: math.Sqrt(v.SV2), bias: make([]float64, n),
		rows: make([]float64, n), vx: make([]float64, n*k), past: make([]float64, n*k)}
	if q != nil {
		nt.tmp = make([]float64, n*k)
	}
	if !v.DirectInput {
		nt.v = general(n, squares.get(n))
		gaussian(rng, nt.v.Data, v.SV2/float64(n))
	}
	gaussian(rng, nt.bias, v.SB2)
	for i := range n {
		if q != nil { // the rows of sw Q^T have norm sw exactly
			nt.rows[i] = v.SW2
			continue
		}
		row := w[i*n : (i+1)*n]
		nt.rows[i] = vec.Dot(row, row)
	}
	return nt, nil
}

// mulW sets y_s = W x_s for the k vectors of the k x N block x (y likewise), or adds W x_s to y_s
// when add is set: vec.MulRows on the formed matrix, or q's reflections applied to a copy.
func (nt *vnet) mulW(x, y []float64, k int, add bool) {
	if nt.q == nil {
		vec.MulRows(nt.w.Data, nt.n, x, y, k, add)
		return
	}
	m := nt.n * k
	t := nt.tmp[:m]
	copy(t, x[:m])
	if err := nt.q.Mul(t, k); err != nil {
		panic(err) // k x N buffers of the network's own size: a bug here, not an input
	}
	if add {
		for i, ti := range t {
			y[i] += nt.sw * ti
		}
		return
	}
	for i, ti := range t {
		y[i] = nt.sw * ti
	}
}

// release returns the network's N x N Gaussian matrices to squares; nt is not used after it.
func (nt *vnet) release() {
	squares.put(nt.n, nt.w.Data)
	squares.put(nt.n, nt.v.Data)
	nt.w.Data, nt.v.Data = nil, nil
}

// squareBuffers keeps N x N float64 buffers, by N, for reuse by later networks of the same width:
// a fresh 8 MB matrix at N = 1000 costs its page faults and zeroing again (3 GB of them in go test
// ./props). A buffer holds no state a run can see: every use overwrites every entry before reading
// it (a Gaussian fill).
type squareBuffers struct{ byN sync.Map } // N -> *sync.Pool of *[]float64

var squares squareBuffers

func (b *squareBuffers) pool(n int) *sync.Pool {
	p, ok := b.byN.Load(n)
	if !ok {
		p, _ = b.byN.LoadOrStore(n, &sync.Pool{})
	}
	return p.(*sync.Pool)
}

// get returns a buffer of n*n float64s with arbitrary contents.
func (b *squareBuffers) get(n int) []float64 {
	if p, ok := b.pool(n).Get().(*[]float64); ok && len(*p) == n*n {
		return *p
	}
	return make([]float64, n*n)
}

// put keeps a, of n*n float64s, for a later get(n).
func (b *squareBuffers) put(n int, a []float64) {
	if len(a) == n*n {
		b.pool(n).Put(&a)
	}
}

func general(n int, data []float64) blas64.General {
	return blas64.General{Rows: n, Cols: n, Stride: n, Data: data}
}

// start sets h = tanh(sqrt(variance) xi), xi ~ N(0, I), from rng (h = 0 when variance is 0).
func start(rng *rand.Rand, h []float64, variance float64) {
	if variance == 0 {
		clear(h)
		return
	}
	gaussian(rng, h, variance)
	for i, x := range h {
		h[i] = math.Tanh(x)
	}
}

// step advances the k sequences h (k x N) by one step with inputs x (k x N): e = W h + b + V x,
// h = tanh(e). It leaves W h + b in nt.past and the input term in nt.vx.
func (nt *vnet) step(h, x, e []float64) {
	n, k := nt.n, nt.k
	if nt.v.Data != nil {
		vec.MulRows(nt.v.Data, n, x, nt.vx, k, false)
	} else {
		for i, xi := range x {
			nt.vx[i] = nt.sv * xi
		}
	}
	for j := range k {
		copy(nt.past[j*n:(j+1)*n], nt.bias)
	}
	nt.mulW(h, nt.past, k, true) // W h + b
	for i := range e {
		e[i] = nt.past[i] + nt.vx[i]
		h[i] = math.Tanh(e[i])
	}
}

// Step is one step's empirical moments: Q = (1/N) |e_t|^2, the per-unit mean square of the
// pre-activation; the parts of it whose means are known exactly, Bias = (1/N) |b|^2 (mean SB2),
// Input = (1/N) |V x_t|^2 (mean SV2) and Fresh = (2/N) (W h_{t-1} + b).(V x_t) (mean 0: x_t is
// independent of everything before it), control variates for Q; and Jacobian = (1/N) |J_t|_F^2 =
// (1/N) sum_i tanh'(e_i)^2 |W_i|^2, the mean squared singular value of the one-step Jacobian
// J_t = diag(tanh'(e_t)) W (catalogue MF-4: its mean is chi_1 at stationarity). With several
// sequences each is the mean over them.
//
// BWB = b.(W b)/N, BW2B = b.(W^2 b)/N, BW3B = b.(W^3 b)/N and WB2 = |W b|^2/N are the network's own
// control variates for the state's persistent part (the frozen bias, carried through W, gives
// every network a mean state of its own whose size the map does not see, the largest part of a
// network's noise at large SB2): for W Gaussian or Haar-orthogonal and independent of b,
// E[b.(W^k b)] = SB2 E[tr W^k], so E[BWB] = E[BW3B] = 0 (odd powers: E[W_ii] = 0, E[W_ij W_jk W_ki]
// = 0; E[tr Q^k] = 0 for Haar Q and odd k) and E[BW2B] = SW2 SB2/N (E[tr W^2] = N E[W_ii^2] = SW2;
// E[tr Q^2] = 1), and E[WB2] = SW2 SB2 exactly. They are the same at every step.
type Step struct {
	Q, Bias, Input, Fresh, Jacobian float64
	BWB, BW2B, BW3B, WB2            float64
}

// PreactivationVariance runs one network of the family for T steps from its start, drawing its
// weights, bias, then the Seqs starts and then each step's inputs from PCG(seed, 0), and returns
// each step's empirical moments (Step, means over the sequences) for t = 1 .. T: Q is the
// empirical q_t of the mean-field variance map (catalogue MF-1). Units: variances. Errors:
// invalid parameters, T outside [1, 2^20], and a non-finite state.
func (v Vanilla) PreactivationVariance(steps int, seed uint64) ([]Step, error) {
	if err := checkSteps(steps); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	k := v.seqs()
	nt, err := v.drawFactored(rng, k)
	if err != nil {
		return nil, err
	}
	defer nt.release()
	n, kf := float64(v.N), float64(k)
	bb := dot(nt.bias, nt.bias)
	wb, w2b, w3b := make([]float64, v.N), make([]float64, v.N), make([]float64, v.N)
	nt.mulW(nt.bias, wb, 1, false)
	nt.mulW(wb, w2b, 1, false)
	nt.mulW(w2b, w3b, 1, false)
	persist := Step{BWB: dot(nt.bias, wb) / n, BW2B: dot(nt.bias, w2b) / n, BW3B: dot(nt.bias, w3b) / n, WB2: dot(wb, wb) / n}
	h, e, x := make([]float64, v.N*k), make([]float64, v.N*k), make([]float64, v.N*k)
	start(rng, h, v.Start)
	out := make([]Step, steps)
	for t := range steps {
		gaussian(rng, x, 1)
		nt.step(h, x, e)
		var jf float64
		for i, ei := range e {
			d := sech2(ei)
			jf += d * d * nt.rows[i%v.N]
		}
		out[t] = Step{Q: dot(e, e) / (n * kf), Bias: bb / n, Input: dot(nt.vx, nt.vx) / (n * kf), Fresh: 2 * dot(nt.past, nt.vx) / (n * kf), Jacobian: jf / (n * kf),
			BWB: persist.BWB, BW2B: persist.BW2B, BW3B: persist.BW3B, WB2: persist.WB2}
		if s := out[t]; !finite(s.Q, s.Bias, s.Input, s.Fresh, s.Jacobian, s.BWB, s.BW2B, s.BW3B, s.WB2) {
			return nil, fmt.Errorf("meanfield: the pre-activation at step %d is not finite", t+1)
		}
	}
	return out, nil
}

// finite reports whether every x is neither NaN nor infinite.
func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// sech2 is tanh'(x) = 1/cosh^2(x), 0 beyond |x| = 350 (where cosh overflows).
func sech2(x float64) float64 {
	if math.Abs(x) > 350 {
		return 0
	}
	c := math.Cosh(x)
	return 1 / (c * c)
}

func dot(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}
