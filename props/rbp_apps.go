package props

import (
	"fmt"
	"math"
	"math/rand/v2"

	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// HopfieldCase is a continuous Hopfield associative-memory problem: n units, the first half
// clamped to a +-1 pattern, the loss 1/2 |u*_out - pattern_out|^2 on the free units.
type HopfieldCase struct {
	N          int
	Scale      float64 // of the raw weights W (Gaussian / sqrt(n))
	Eps, Beta  float64
	Seed       uint64
	w, iExt, p []float64
	clamp      []bool
}

func (c *HopfieldCase) draw() {
	rng := rand.New(rand.NewPCG(c.Seed, 7))
	c.w, c.iExt, c.p, c.clamp = make([]float64, c.N*c.N), make([]float64, c.N), make([]float64, c.N), make([]bool, c.N)
	for i := range c.w {
		c.w[i] = c.Scale * rng.NormFloat64() / math.Sqrt(float64(c.N))
	}
	for i := range c.N {
		c.iExt[i] = 0.1 * rng.NormFloat64()
		c.p[i] = float64(2*rng.IntN(2) - 1)
		c.clamp[i] = i < c.N/2
	}
}

// energyEps is the largest step of the free trajectories along which RBP-7 checks the energy: the
// energy decreases along the continuous dynamics, of which small-eps Euler steps are a faithful
// discretisation (a large step may overshoot).
const energyEps = 0.05

func (c *HopfieldCase) model(clamped bool) (*simrbp.Hopfield, error) {
	c.draw()
	mask, eps := c.clamp, c.Eps
	if !clamped {
		mask, eps = make([]bool, c.N), math.Min(c.Eps, energyEps)
	}
	return simrbp.NewHopfield(c.w, c.iExt, mask, c.p, eps, c.Beta)
}

func (c *HopfieldCase) lossGrad(dst, u []float64) {
	for i := range dst {
		dst[i] = 0
		if !c.clamp[i] {
			dst[i] = u[i] - c.p[i]
		}
	}
}

// HopfieldJVP is the shape of a Jacobian-vector product of the Hopfield update; RBP7 checks the
// model's own against finite differences, and WrongHopfieldJVP is the control.
type HopfieldJVP func(m *simrbp.Hopfield, dst, u, du []float64)

// WrongHopfieldJVP drops the gain beta from the sigmoid's slope (sigma'(beta u) taken as
// V (1 - V)): a plausible slip in a hand-written product, rebuilt here from the model's update.
func WrongHopfieldJVP(c *HopfieldCase) HopfieldJVP {
	return func(m *simrbp.Hopfield, dst, u, du []float64) {
		n := len(u)
		v := make([]float64, n)
		m.Outputs(v, u)
		weff, _ := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
		r := make([]float64, n)
		for i := range r {
			r[i] = v[i] * (1 - v[i]) * du[i]
		}
		for i := range n {
			if c.clamp[i] {
				dst[i] = 0
				continue
			}
			s := 0.0
			for j := range n {
				s += weff.At(i, j) * r[j]
			}
			dst[i] = (1-c.Eps)*du[i] + c.Eps*s
		}
	}
}

// RBP7 checks the Hopfield network: the clamped iteration converges; the hand-written
// Jacobian-vector product (jvp; nil: the model's) matches central differences of the update
// (relative 1e-7); the energy does not increase along a small-eps unclamped trajectory; and the
// Neumann-RBP gradient of the loss with respect to W matches finite differences (fdTol).
func RBP7(c HopfieldCase, jvp HopfieldJVP) []Result {
	m, err := c.model(true)
	if err != nil {
		return []Result{failed("RBP-7", err)}
	}
	n := c.N
	u, rep, err := simrbp.FixedPoint(m, make([]float64, n), 1e-14, 100000)
	if err != nil {
		return []Result{failed("RBP-7", err)}
	}
	out := []Result{{Case: fmt.Sprintf("RBP-7 Hopfield iteration converges (eps=%.3g)", c.Eps), Measured: rep.Residual,
		Bound: 1e-14 * (1 + floats.Norm(u, math.Inf(1))), Pass: rep.Converged,
		Detail: fmt.Sprintf("|F(u) - u|_inf after %d iterations (tolerance 1e-14 (1 + |u|_inf))", rep.Iterations)}}
	if jvp == nil {
		jvp = func(m *simrbp.Hopfield, dst, u, du []float64) { m.JVP(dst, u, du) }
	}
	// Central differences of the update at u*, step 1e-6 (error ~1e-12 relative).
	const delta = 1e-6
	worst, scale := 0.0, 0.0
	up, dn, fd, got, e := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range n {
		for i := range e {
			e[i] = 0
		}
		e[j] = 1
		x := append([]float64(nil), u...)
		x[j] += delta
		m.Step(up, x)
		x[j] -= 2 * delta
		m.Step(dn, x)
		floats.SubTo(fd, up, dn)
		floats.Scale(1/(2*delta), fd)
		jvp(m, got, u, e)
		worst = math.Max(worst, floats.Distance(got, fd, math.Inf(1)))
		scale = math.Max(scale, floats.Norm(fd, math.Inf(1)))
	}
	// Central differences of F with step delta carry an absolute rounding of ~eps |F| / delta, which
	// matters when every Jacobian entry is small (a near-zero coupling, a saturated slope).
	fu := make([]float64, n)
	m.Step(fu, u)
	bound := 1e-7*scale + 10*2.2e-16*(1+floats.Norm(fu, math.Inf(1)))/delta
	out = append(out, Result{Case: "RBP-7 Hopfield JVP vs finite differences", Measured: worst, Bound: bound, Pass: worst <= bound,
		Detail: fmt.Sprintf("largest |J e_j - central difference|_inf %.3g; largest entry %.3g", worst, scale)})

	free, err := c.model(false)
	if err != nil {
		return append(out, failed("RBP-7 energy", err))
	}
	weff, _ := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
	x, next, v := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = c.p[i]
	}
	free.Outputs(v, x)
	prev, _ := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
	rise := 0.0
	for range 300 {
		free.Step(next, x)
		x, next = next, x
		free.Outputs(v, x)
		en, err := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
		if err != nil {
			return append(out, failed("RBP-7 energy", err))
		}
		rise = math.Max(rise, (en-prev)/math.Max(math.Abs(prev), 1))
		prev = en
	}
	out = append(out, Result{Case: fmt.Sprintf("RBP-7 energy does not increase (free units, eps=%.3g)", math.Min(c.Eps, energyEps)), Measured: rise, Bound: 1e-12,
		Pass: rise <= 1e-12, Detail: "largest relative rise of E(V) over 300 steps"})

	grad, err := simrbp.Neumann(m, u, 2000, c.lossGrad)
	if err != nil {
		return append(out, failed("RBP-7 gradient", err))
	}
	kappa, err := amplification(jacobianOf(m, u))
	if err != nil {
		return append(out, failed("RBP-7 gradient", err))
	}
	fdv, err := fdParams(m.Params(), fdStep(kappa), func() (float64, error) {
		uu, _, err := simrbp.FixedPoint(m, make([]float64, n), fdFixTol, 100000)
		b := make([]float64, n)
		c.lossGrad(b, uu)
		return 0.5 * floats.Dot(b, b), err
	})
	if err != nil {
		return append(out, failed("RBP-7 gradient", err))
	}
	fdg := mat.NewDense(n, n, fdv)
	b := make([]float64, n)
	c.lossGrad(b, u)
	return append(out, fdCheck("RBP-7 Hopfield RBP gradient vs finite differences", mat.NewDense(n, n, grad), fdg,
		fdFloor(kappa, 0.5*floats.Dot(b, b), b, u)))
}

// MomentumCase is SGD with momentum on 1/2 w^T H w - q^T w, H = G G^T/n + I/2,
// eta = 1/(2 lambda_max): with eta lambda <= 1/2 the inner loop's spectral radius is at least 1/4,
// so it never converges exactly in a few steps (at eta = 1/lambda and n = 1 it does, in one).
type MomentumCase struct {
	N    int
	Mu   float64
	Seed uint64
}

func (c MomentumCase) build() (*mat.SymDense, []float64, float64, error) {
	rng := rand.New(rand.NewPCG(c.Seed, 8))
	g := mat.NewDense(c.N, c.N, nil)
	q := make([]float64, c.N)
	for i := range c.N {
		q[i] = rng.NormFloat64()
		for j := range c.N {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	h := mat.NewSymDense(c.N, nil)
	h.SymOuterK(1/float64(c.N), g)
	for i := range c.N {
		h.SetSym(i, i, h.At(i, i)+0.5)
	}
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		return nil, nil, 0, fmt.Errorf("eigen-decomposition failed")
	}
	vals := eig.Values(nil)
	return h, q, 0.5 / vals[len(vals)-1], nil
}

// RBP8 checks the momentum recurrence: its fixed point is (H^{-1} q, 0) (relative 1e-10 against
// the forward iteration), its JVP matches the closed-form Jacobian (1e-13), the hyper-gradient of
// L = 1/2 |w* - t|^2 with respect to (eta, mu) is zero at the fixed point (Neumann-RBP, in units
// of |b| |q|), and non-zero after an unconverged inner loop of `inner` steps from 0 (BPTT).
// expectZero = true asserts zero for the unconverged loop too (the negative control).
func RBP8(c MomentumCase, inner int, expectZero bool) []Result {
	h, q, eta, err := c.build()
	if err != nil {
		return []Result{failed("RBP-8", err)}
	}
	n := c.N
	hd := mat.DenseCopyOf(h).RawMatrix().Data
	m, err := simrbp.NewMomentum(hd, q, eta, c.Mu)
	if err != nil {
		return []Result{failed("RBP-8", err)}
	}
	ws, ms, err := rbp.MomentumFixedPoint(h, q)
	if err != nil {
		return []Result{failed("RBP-8", err)}
	}
	star := append(append([]float64(nil), ws...), ms...)
	it, rep, err := simrbp.FixedPoint(m, make([]float64, 2*n), 1e-15, 1000000)
	if err != nil || !rep.Converged {
		return []Result{failed("RBP-8", fmt.Errorf("inner loop: %+v %v", rep, err))}
	}
	jac, _ := rbp.MomentumJacobian(h, eta, c.Mu)
	worst := 0.0
	e, col := make([]float64, 2*n), make([]float64, 2*n)
	for j := range 2 * n {
		for i := range e {
			e[i] = 0
		}
		e[j] = 1
		m.JVP(col, star, e)
		for i := range col {
			worst = math.Max(worst, math.Abs(col[i]-jac.At(i, j)))
		}
	}
	target := make([]float64, 2*n)
	for i := range n {
		target[i] = float64(i%3) - 1
	}
	lossGrad := func(dst, s []float64) {
		for i := range dst {
			dst[i] = 0
		}
		floats.SubTo(dst[:n], s[:n], target[:n])
	}
	b := make([]float64, 2*n)
	lossGrad(b, star)
	scale := floats.Norm(b, 2) * (floats.Norm(q, 2) + 1)
	hyper, err := simrbp.Neumann(m, star, 2000, lossGrad)
	if err != nil {
		return []Result{failed("RBP-8", err)}
	}
	out := []Result{
		RelCheck("RBP-8 fixed point (H^-1 q, 0) vs the inner loop", floats.Distance(it, star, math.Inf(1)), 0, floats.Norm(star, math.Inf(1)), 1e-10),
		RelCheck("RBP-8 momentum JVP = closed-form Jacobian", worst, 0, 1+eta*mat.Norm(h, math.Inf(1)), 1e-13),
		RelCheck(fmt.Sprintf("RBP-8 hyper-gradient at the fixed point is 0 (mu=%.3g)", c.Mu), floats.Norm(hyper, math.Inf(1)), 0, scale, 1e-10),
	}
	unconv, _, err := simrbp.TBPTT(m, make([]float64, 2*n), inner, lossGrad)
	if err != nil {
		return append(out, failed("RBP-8 unconverged", err))
	}
	g := floats.Norm(unconv, math.Inf(1)) / scale
	what := fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is not 0", inner)
	if expectZero {
		return append(out, RelCheck(fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is 0 (control)", inner), g, 0, 1, 1e-10))
	}
	return append(out, Result{Case: what, Measured: g, Bound: 1e-8, Pass: g > 1e-8,
		Detail: fmt.Sprintf("|dL/d(eta, mu)| / (|b||q|) = %.3g", g)})
}

// GraphCase is a random graph (a ring plus random chords) with a contractive propagation.
type GraphCase struct {
	Nodes, K int
	Norm     float64 // |W|_inf < 1
	Seed     uint64
}

func (c GraphCase) build() (*simrbp.Graph, []float64, error) {
	rng := rand.New(rand.NewPCG(c.Seed, 9))
	nbrs := make([][]int, c.Nodes)
	for v := range c.Nodes {
		nbrs[v] = append(nbrs[v], (v+1)%c.Nodes, (v+c.Nodes-1)%c.Nodes)
		if u := rng.IntN(c.Nodes); u != v {
			nbrs[v] = append(nbrs[v], u)
		}
	}
	w := mat.NewDense(c.K, c.K, nil)
	for i := range c.K {
		for j := range c.K {
			w.Set(i, j, rng.NormFloat64())
		}
	}
	w.Scale(c.Norm/mat.Norm(w, math.Inf(1)), w)
	drive, y := make([]float64, c.Nodes*c.K), make([]float64, c.Nodes*c.K)
	for i := range drive {
		drive[i], y[i] = rng.NormFloat64(), 0.5*rng.NormFloat64()
	}
	g, err := simrbp.NewGraph(nbrs, c.K, w.RawMatrix().Data, drive)
	return g, y, err
}

// RBP9 checks the graph network: Neumann-RBP(K) = TBPTT(K + offset) at the fixed point (offset 1
// the claim, 0 the control), and Neumann-RBP(300) matches finite differences of L(h*(W)).
func RBP9(c GraphCase, k, offset int) []Result {
	g, y, err := c.build()
	if err != nil {
		return []Result{failed("RBP-9", err)}
	}
	n := g.Dim()
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	hs, rep, err := simrbp.FixedPoint(g, make([]float64, n), 1e-15, 100000)
	if err != nil || !rep.Converged {
		return []Result{failed("RBP-9", fmt.Errorf("propagation: %+v %v", rep, err))}
	}
	neu, _ := simrbp.Neumann(g, hs, k, lossGrad)
	tb, _, _ := simrbp.TBPTT(g, hs, k+offset, lossGrad)
	out := []Result{identityCheck(fmt.Sprintf("RBP-9 graph Neumann(K=%d) = TBPTT(%d) at h*", k, k+offset), g, hs, k, neu, tb, lossGrad)}
	if offset != 1 {
		return out
	}
	grad, _ := simrbp.Neumann(g, hs, 300, lossGrad)
	kappa, err := amplification(jacobianOf(g, hs))
	if err != nil {
		return append(out, failed("RBP-9 gradient", err))
	}
	fdv, err := fdParams(g.Params(), fdStep(kappa), func() (float64, error) {
		h, _, err := simrbp.FixedPoint(g, make([]float64, n), fdFixTol, 100000)
		d := make([]float64, n)
		floats.SubTo(d, h, y)
		return 0.5 * floats.Dot(d, d), err
	})
	if err != nil {
		return append(out, failed("RBP-9 gradient", err))
	}
	fd := mat.NewDense(c.K, c.K, fdv)
	b := make([]float64, n)
	lossGrad(b, hs)
	return append(out, fdCheck("RBP-9 graph Neumann-RBP gradient vs finite differences", mat.NewDense(c.K, c.K, grad), fd,
		fdFloor(kappa, 0.5*floats.Dot(b, b), b, hs)))
}
