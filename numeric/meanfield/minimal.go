package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/internal/vec"
	"gonum.org/v1/gonum/blas/blas64"
)

// Minimal is a minimalRNN of width N (catalogue, "Models and initialisation"):
// u_t = sigmoid(W h_{t-1} + V z_t + b), h_t = u_t * h_{t-1} + (1 - u_t) * z_t, with W_ij ~
// N(0, SW^2/N), V_ij ~ N(0, SV^2/N), b_i ~ N(MuB, SB^2) and inputs z_t ~ N(0, R I) independent over
// time. SW, SV and SB are standard deviations. With Annealed, W, V and b are redrawn at every step
// (the setting in which the mean-field recursion is exact as N grows); otherwise they are drawn
// once (tied: the real network). The state starts at h_0 = sqrt(Start) xi, xi ~ N(0, I) (Start = 0:
// h_0 = 0); with annealed weights Q_t depends on h_0 only through its second moment, so Start = Q*
// starts at stationarity.
//
// Annealed networks are simulated without forming W and V: weights drawn afresh are independent
// of the state, so given h and z the gate fields W_i.h and V_i.z are independent N(0, SW^2 |h|^2/N)
// and N(0, SV^2 |z|^2/N) over the units i (for two copies sharing the weights, jointly normal
// with the Gram matrices of (h^a, h^b) and (z^a, z^b) as covariances), which is the law the
// N x N draw gives, at O(N) a step instead of O(N^2). The Jacobian's W_ii and |W_i|^2 enter through
// their conditional means given the fields (Rao-Blackwell): with W_i.h = (SW/sqrt N) |h| a_i,
// E[W_ii | a_i] = (SW/sqrt N) a_i h_i/|h| and E[|W_i|^2 | a_i] = (SW^2/N) (a_i^2 + N - 1), so the
// returned Jacobian is E[(1/N) |J_t|_F^2 | fields], of the same mean and smaller variance. A test
// holds both against the N x N draw.
type Minimal struct {
	N                         int
	MuB, SW, SV, SB, R, Start float64
	Annealed                  bool
}

func (m Minimal) validate() error {
	if err := checkNet(m.N, []string{"sw", "sv", "sb", "start"}, m.SW, m.SV, m.SB, m.Start); err != nil {
		return err
	}
	if math.IsNaN(m.MuB) || math.IsInf(m.MuB, 0) || !(m.R > 0) || math.IsInf(m.R, 0) {
		return fmt.Errorf("meanfield: mu_b = %v must be finite and R = %v finite and > 0", m.MuB, m.R)
	}
	return nil
}

// mnet is one minimalRNN's weights (redrawn in place when annealed) and step buffers.
type mnet struct {
	m          Minimal
	rng        *rand.Rand
	w, v       blas64.General
	b          []float64
	rows, diag []float64 // |W_i|^2 and W_ii, for the Jacobian
	e          []float64
}

func (m Minimal) newNet(rng *rand.Rand) *mnet {
	n := m.N
	nt := &mnet{m: m, rng: rng, w: general(n, make([]float64, n*n)), v: general(n, make([]float64, n*n)),
		b: make([]float64, n), rows: make([]float64, n), diag: make([]float64, n), e: make([]float64, n)}
	nt.draw()
	return nt
}

// draw draws W, V and b (in that order).
func (nt *mnet) draw() {
	m, n := nt.m, nt.m.N
	gaussian(nt.rng, nt.w.Data, m.SW*m.SW/float64(n))
	gaussian(nt.rng, nt.v.Data, m.SV*m.SV/float64(n))
	gaussian(nt.rng, nt.b, m.SB*m.SB)
	for i := range nt.b {
		nt.b[i] += m.MuB
		row := nt.w.Data[i*n : (i+1)*n]
		nt.rows[i], nt.diag[i] = dot(row, row), row[i]
	}
}

// gate sets nt.e = W h + V z + b, the gate pre-activation (u = sigmoid(e)).
func (nt *mnet) gate(h, z []float64) {
	copy(nt.e, nt.b)
	vec.MulRows(nt.w.Data, nt.m.N, h, nt.e, 1, true)
	vec.MulRows(nt.v.Data, nt.m.N, z, nt.e, 1, true)
}

// advance takes h one step with input z and returns the step's moments: |J|_F^2 =
// sum_i [u_i^2 + 2 u_i g_i W_ii + g_i^2 |W_i|^2] with g_i = u'_i (h_i - z_i).
func (nt *mnet) advance(h, z []float64) MinimalStep {
	nt.gate(h, z)
	n := float64(len(h))
	cv := MinimalStep{Z: dot(z, z) / n, HZ: dot(h, z) / n}
	var ss, jf float64
	for i, e := range nt.e {
		u, du := sigmoid(e), sigmoidPrime(e)
		g := du * (h[i] - z[i])
		jf += u*u + 2*u*g*nt.diag[i] + g*g*nt.rows[i]
		h[i] = u*h[i] + (1-u)*z[i]
		ss += h[i] * h[i]
	}
	cv.Q, cv.Jacobian = ss/n, jf/n
	return cv
}

// MinimalStep is one step's empirical moments: Q = (1/N) |h_t|^2, and Jacobian = (1/N) |J_t|_F^2
// for the one-step Jacobian J_t = diag(u_t) + diag(u'_t (h_{t-1} - z_t)) W (catalogue MF-4: its
// mean is chi_1 at stationarity, exactly for annealed weights as N grows). Z = (1/N) |z_t|^2 and
// HZ = (1/N) h_{t-1}.z_t are control variates of exactly known means R and 0 (z_t is independent
// of everything before it).
type MinimalStep struct {
	Q, Jacobian, Z, HZ float64
}

// Trajectory runs one network from its start for steps steps, drawing from PCG(seed, 0), and
// returns each step's moments (MinimalStep) for t = 1 .. steps: Q is the empirical Q_t of the
// mean-field recursion (catalogue MF-3). Units: Q those of R, Jacobian dimensionless. Errors:
// invalid parameters, steps outside [1, 2^20], and a non-finite state.
func (m Minimal) Trajectory(steps int, seed uint64) ([]MinimalStep, error) {
	return m.trajectory(steps, seed, false)
}

// trajectory is Trajectory; dense draws annealed weights as N x N matrices (the reference the
// field sampler is tested against).
func (m Minimal) trajectory(steps int, seed uint64, dense bool) ([]MinimalStep, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	if err := checkSteps(steps); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	n := m.N
	h, z := make([]float64, n), make([]float64, n)
	var nt *mnet
	var f *fields
	if m.Annealed && !dense {
		f = m.newFields(rng)
	} else {
		nt = m.newNet(rng)
	}
	if m.Start > 0 {
		gaussian(rng, h, m.Start)
	}
	out := make([]MinimalStep, steps)
	for t := range steps {
		if f != nil {
			gaussian(rng, z, m.R)
			out[t] = f.advance(h, z)
		} else {
			if m.Annealed && t > 0 {
				nt.draw()
			}
			gaussian(rng, z, m.R)
			out[t] = nt.advance(h, z)
		}
		if math.IsNaN(out[t].Q+out[t].Jacobian) || math.IsInf(out[t].Q+out[t].Jacobian, 0) {
			return nil, fmt.Errorf("meanfield: the state at step %d is not finite", t+1)
		}
	}
	return out, nil
}

// fields is an annealed minimalRNN simulated through its gate fields (see Minimal).
type fields struct {
	m      Minimal
	rng    *rand.Rand
	sw, sv float64 // SW/sqrt(N), SV/sqrt(N): the entries' standard deviations
	ea     []float64
}

func (m Minimal) newFields(rng *rand.Rand) *fields {
	nf := math.Sqrt(float64(m.N))
	return &fields{m: m, rng: rng, sw: m.SW / nf, sv: m.SV / nf, ea: make([]float64, m.N)}
}

// advance takes h one step with input z under freshly drawn weights: per unit, the gate
// pre-activation e_i = sw |h| a_i + sv |z| c_i + b_i, a_i, c_i ~ N(0, 1), b_i ~ N(MuB, SB^2) (drawn
// in that order, unit by unit), and the Jacobian's conditional mean
// u_i^2 + 2 u_i g_i sw a_i h_i/|h| + g_i^2 sw^2 (a_i^2 + N - 1), g_i = u'_i (h_i - z_i) (at |h| = 0,
// where W_i is independent of e_i: u_i^2 + g_i^2 sw^2 N).
func (f *fields) advance(h, z []float64) MinimalStep {
	m, n := f.m, len(h)
	nf := float64(n)
	cv := MinimalStep{Z: dot(z, z) / nf, HZ: dot(h, z) / nf}
	nh, nz := math.Sqrt(dot(h, h)), math.Sqrt(cv.Z*nf)
	var ss, jf float64
	for i := range h {
		a, c, b := f.rng.NormFloat64(), f.rng.NormFloat64(), m.MuB+m.SB*f.rng.NormFloat64()
		e := f.sw*nh*a + f.sv*nz*c + b
		u, du := sigmoid(e), sigmoidPrime(e)
		g := du * (h[i] - z[i])
		if nh > 0 {
			jf += u*u + 2*u*g*f.sw*a*h[i]/nh + g*g*f.sw*f.sw*(a*a+float64(n-1))
		} else {
			jf += u*u + g*g*f.sw*f.sw*float64(n)
		}
		h[i] = u*h[i] + (1-u)*z[i]
		ss += h[i] * h[i]
	}
	cv.Q, cv.Jacobian = ss/nf, jf/nf
	return cv
}

// cholesky2 returns the Cholesky factor (l11, l21, l22) of the Gram matrix [[aa, ab], [ab, bb]]
// (l22 = 0 when it is singular up to rounding, l11 = 0 when aa = 0).
func cholesky2(aa, ab, bb float64) (l11, l21, l22 float64) {
	if aa > 0 {
		l11 = math.Sqrt(aa)
		l21 = ab / l11
	}
	return l11, l21, math.Sqrt(math.Max(bb-l21*l21, 0))
}

// advancePair takes two copies one step with inputs za, zb under freshly drawn weights that
// they share: (W_i.h^a, W_i.h^b) = sw L_h (a1, a2), (V_i.z^a, V_i.z^b) = sv L_z (c1, c2) with L the
// Cholesky factors of the Gram matrices, and b_i shared (drawn a1, a2, c1, c2, b per unit).
func (f *fields) advancePair(ha, hb, za, zb []float64) {
	m := f.m
	h11, h21, h22 := cholesky2(dot(ha, ha), dot(ha, hb), dot(hb, hb))
	z11, z21, z22 := cholesky2(dot(za, za), dot(za, zb), dot(zb, zb))
	for i := range ha {
		a1, a2, c1, c2 := f.rng.NormFloat64(), f.rng.NormFloat64(), f.rng.NormFloat64(), f.rng.NormFloat64()
		b := m.MuB + m.SB*f.rng.NormFloat64()
		ea := f.sw*h11*a1 + f.sv*z11*c1 + b
		eb := f.sw*(h21*a1+h22*a2) + f.sv*(z21*c1+z22*c2) + b
		ua, ub := sigmoid(ea), sigmoid(eb)
		ha[i] = ua*ha[i] + (1-ua)*za[i]
		hb[i] = ub*hb[i] + (1-ub)*zb[i]
	}
}

// Pair runs two copies of one network for burn + steps steps (catalogue MF-5): both from the same
// start with identical inputs for burn steps (so they are one state at stationarity), then with
// independent inputs for steps steps, sharing every weight (redrawn together each step when
// annealed). It returns the cross moment Q^ab_t = h^a_t.h^b_t/N for t = 1 .. steps after the
// burn-in, and the state's second moment Q at the end of the burn-in (at the start when burn =
// 0). Draws from PCG(seed, 0).
// Units: those of R. Errors: invalid parameters, burn or steps outside [0 or 1, 2^20], and a
// non-finite state.
func (m Minimal) Pair(burn, steps int, seed uint64) (qab []float64, q0 float64, err error) {
	return m.pair(burn, steps, seed, false, false)
}

// PairApart is Pair with the copies started from independent states: a's start, burn-in inputs,
// weights (or, annealed, fields) and later inputs are drawn as Pair draws them; b's start and
// burn-in inputs come from the stream PCG(seed, 1), so that after the burn-in (tied weights) b is
// a state of the same network independent of a. The two runs share every other draw (common
// random numbers): the difference of their cross moments keeps Pair's decay and loses the noise
// they share. For annealed weights the mean-field recursion of its cross moment stays at 0; for
// tied weights its mean is the overlap of two independent states of one network. Errors: those of
// Pair, Start = 0 with no burn-in (the copies would start as one state), and a burn-in with
// annealed weights (there the copies are stationary from the start).
func (m Minimal) PairApart(burn, steps int, seed uint64) (qab []float64, err error) {
	if !(m.Start > 0) && burn == 0 {
		return nil, fmt.Errorf("meanfield: copies from independent states need Start > 0 or a burn-in, got %v and %d", m.Start, burn)
	}
	if m.Annealed && burn != 0 {
		return nil, fmt.Errorf("meanfield: annealed copies apart take no burn-in, got %d", burn)
	}
	qab, _, err = m.pair(burn, steps, seed, false, true)
	return qab, err
}

// pair is Pair (PairApart when apart); dense draws annealed weights as N x N matrices (the
// reference).
func (m Minimal) pair(burn, steps int, seed uint64, dense, apart bool) (qab []float64, q0 float64, err error) {
	if err := m.validate(); err != nil {
		return nil, 0, err
	}
	if err := checkSteps(steps); err != nil {
		return nil, 0, err
	}
	if burn < 0 || burn > maxSteps {
		return nil, 0, fmt.Errorf("meanfield: burn-in %d outside [0, 2^20]", burn)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	n := m.N
	var nt *mnet
	var f *fields
	if m.Annealed && !dense {
		f = m.newFields(rng)
	} else {
		nt = m.newNet(rng)
	}
	ha, hb, za, zb, ea := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	var other *rand.Rand // b's start and burn-in inputs when apart
	if apart {
		other = rand.New(rand.NewPCG(seed, 1))
	}
	if m.Start > 0 {
		gaussian(rng, ha, m.Start)
		copy(hb, ha)
		if apart {
			gaussian(other, hb, m.Start)
		}
	}
	q0 = dot(ha, ha) / float64(n) // the start's, replaced at the end of a burn-in
	qab = make([]float64, steps)
	for t := range burn + steps {
		if nt != nil && m.Annealed && t > 0 {
			nt.draw()
		}
		gaussian(rng, za, m.R)
		switch {
		case t < burn && apart:
			gaussian(other, zb, m.R)
		case t < burn:
			copy(zb, za)
		default:
			gaussian(rng, zb, m.R)
		}
		switch {
		case f != nil && t < burn: // one state: advance it once (annealed copies apart take no burn-in)
			f.advance(ha, za)
			copy(hb, ha)
		case f != nil:
			f.advancePair(ha, hb, za, zb)
		default:
			nt.gate(ha, za)
			copy(ea, nt.e)
			nt.gate(hb, zb)
			for i, e := range nt.e {
				ua, ub := sigmoid(ea[i]), sigmoid(e)
				ha[i] = ua*ha[i] + (1-ua)*za[i]
				hb[i] = ub*hb[i] + (1-ub)*zb[i]
			}
		}
		if t == burn-1 {
			q0 = dot(ha, ha) / float64(n)
		}
		if t >= burn {
			qab[t-burn] = dot(ha, hb) / float64(n)
			if math.IsNaN(qab[t-burn]) || math.IsInf(qab[t-burn], 0) {
				return nil, 0, fmt.Errorf("meanfield: the states at step %d are not finite", t+1)
			}
		}
	}
	return qab, q0, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// sigmoidPrime is u' = u (1 - u), from exp(-|x|) so that it keeps its digits in both tails.
func sigmoidPrime(x float64) float64 {
	e := math.Exp(-math.Abs(x))
	return e / ((1 + e) * (1 + e))
}
