package props

// RBP-6 .. RBP-9: memory, the Hopfield network, momentum, the graph model.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/dlt5/verify/numeric/diff"
	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// allocBytes returns the fewest bytes f allocated over three calls (runtime.MemStats).
func allocBytes(f func()) float64 {
	best := math.Inf(1)
	for range 3 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		best = math.Min(best, float64(b.TotalAlloc-a.TotalAlloc))
	}
	return best
}

// countingModel counts a model's vector-Jacobian products.
type countingModel struct {
	simrbp.Model
	vjps int
}

// VJP implements simrbp.Model, counting the call.
func (m *countingModel) VJP(dh, dw, h, v []float64) {
	m.vjps++
	m.Model.VJP(dh, dw, h, v)
}

// Memory is one RBP-6 case: a tanh problem of size N, the truncations Ks (three, increasing), and
// the wrong variant of the control, which claims TBPTT's memory flat too.
type Memory struct {
	N              int
	Ks             []int
	WrongFlatTBPTT bool
}

// memoryProfile returns the bytes one call of Neumann-RBP(K) and of TBPTT(K) allocates at each K,
// and the vector-Jacobian products Neumann-RBP(K) and TBPTT(K + 1) make, on a tanh problem.
func memoryProfile(c Memory) (neu, tb []float64, neuVJP, tbVJP []int, err error) {
	p, err := simrbp.NewTanhProblem(c.N, 0.5, 1)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	m, err := p.Model()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	h := make([]float64, c.N)
	var errs [2]error
	for _, k := range c.Ks {
		neu = append(neu, allocBytes(func() { _, errs[0] = simrbp.Neumann(m, h, k, p.LossGrad) }))
		tb = append(tb, allocBytes(func() { _, _, errs[1] = simrbp.TBPTT(m, h, k, p.LossGrad) }))
		if err := claim.FirstErr(errs[:]...); err != nil {
			return nil, nil, nil, nil, err
		}
		cn, ct := &countingModel{Model: m}, &countingModel{Model: m}
		_, err1 := simrbp.Neumann(cn, h, k, p.LossGrad)
		_, _, err2 := simrbp.TBPTT(ct, h, k+1, p.LossGrad)
		if err := claim.FirstErr(err1, err2); err != nil {
			return nil, nil, nil, nil, err
		}
		neuVJP, tbVJP = append(neuVJP, cn.vjps), append(tbVJP, ct.vjps)
	}
	return neu, tb, neuVJP, tbVJP, nil
}

// RBP6 checks the memory and cost claim at Ks (10, 100, 1000 in the command): Neumann-RBP's bytes
// per call flat within 5%, TBPTT's growing linearly at the rate of its tape (tapeGrowth), and
// Neumann-RBP(K) making exactly as many vector-Jacobian
// products as TBPTT(K + 1) (K + 1: K through the state, one more for the parameters in Neumann-RBP;
// one per step in TBPTT). With WrongFlatTBPTT it asserts TBPTT flat instead (the control).
func RBP6(c Memory) []claim.Result {
	if len(c.Ks) != 3 || !(c.Ks[0] < c.Ks[1] && c.Ks[1] < c.Ks[2]) {
		return []claim.Result{claim.Failed("RBP-6", fmt.Errorf("need three increasing K, got %v", c.Ks))}
	}
	neu, tb, nv, tv, err := memoryProfile(c)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-6", err)}
	}
	detail := fmt.Sprintf("bytes/call at K=%v: Neumann %.0f %.0f %.0f; TBPTT %.0f %.0f %.0f", c.Ks, neu[0], neu[1], neu[2], tb[0], tb[1], tb[2])
	if c.WrongFlatTBPTT {
		return []claim.Result{claim.Check("RBP-6 TBPTT memory flat in K (control)", tb[2]/tb[0], 1.05, detail)}
	}
	ratio := neu[2] / neu[0]
	worst := 0
	for i, k := range c.Ks {
		worst = max(worst, abs(nv[i]-(k+1)), abs(tv[i]-(k+1)))
	}
	return []claim.Result{
		claim.Check("RBP-6 Neumann-RBP memory flat in K", math.Max(ratio, 1/ratio), 1.05, detail),
		tapeGrowth(c, tb),
		claim.Check("RBP-6 Neumann-RBP(K) and TBPTT(K+1) make K+1 vector-Jacobian products", float64(worst), 0,
			fmt.Sprintf("products at K=%v: Neumann %v, TBPTT(K+1) %v", c.Ks, nv, tv)),
	}
}

// tapeGrowth checks that TBPTT's bytes per call grow linearly in K at the rate of its tape: the
// growth per extra step from K1 to K3, (B(K3) - B(K1)) / (K3 - K1), must lie between one state's
// floats, 8 n bytes, and a quarter more than one state plus its slice header, 1.25 (8 n + 24). Go
// rounds each allocation up to a size class (1800 bytes take 2048, 14% more; small ones up to 20%
// once the header's 24 bytes are added), and runtime.MemStats counts small allocations by the span,
// not the byte (one make([]float64, 50) measures 440 bytes, between two classes), so the bytes of
// one call are the algorithm's memory only to within this rounding, and a 5% tolerance on a ratio of
// byte counts measured the allocator (at n = 1, K = 4, 16, 26 it found 1.958 for 1.833). The
// middle K2 must fit the same band. Allocations above 32 KB (a header array beyond K = 1365)
// are rounded to 8 KB pages, which two pages spread over the span allow for.
func tapeGrowth(c Memory, tb []float64) claim.Result {
	span := float64(c.Ks[2] - c.Ks[0])
	per := (tb[2] - tb[0]) / span
	lo := 8 * float64(c.N)
	hi := 1.25*(8*float64(c.N)+24) + 2*8192/span
	mid := (tb[1] - tb[0]) / float64(c.Ks[1]-c.Ks[0])
	ok := per >= lo && per <= hi && mid >= lo && mid <= hi+2*8192/float64(c.Ks[1]-c.Ks[0])
	return claim.Result{Case: "RBP-6 TBPTT memory linear in K (bytes per step)", Measured: per, Bound: hi, Pass: ok,
		Detail: fmt.Sprintf("bytes per extra step %.4g over K=%d..%d and %.4g over K=%d..%d; one state is %g bytes, with its header and size-class rounding at most %.4g",
			per, c.Ks[0], c.Ks[2], mid, c.Ks[0], c.Ks[1], lo, hi)}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// HopfieldCase is a continuous Hopfield associative-memory problem: n units, the first half
// clamped to a +-1 pattern, the loss 1/2 |u*_out - pattern_out|^2 on the free units.
type HopfieldCase struct {
	N         int
	Scale     float64 // of the raw weights W (Gaussian / sqrt(n))
	Eps, Beta float64
	Seed      uint64
	// JVP is the Jacobian-vector product under test; nil: the model's own.
	JVP        HopfieldJVP
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
	d := *c // the problem the case draws, independent of what the caller does with c later
	d.JVP = nil
	d.draw()
	c = &d
	return func(m *simrbp.Hopfield, dst, u, du []float64) {
		n := len(u)
		v := make([]float64, n)
		m.Outputs(v, u)
		weff, err := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
		if err != nil { // the control's own set-up: poison the product so the check fails loudly
			for i := range dst {
				dst[i] = math.NaN()
			}
			return
		}
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
// Jacobian-vector product matches central differences of the update (RBP7JVP); the energy does not
// increase along a small-eps unclamped trajectory; and the Neumann-RBP gradient of the loss with
// respect to W matches finite differences (fdTol).
func RBP7(c HopfieldCase) []claim.Result {
	m, err := c.model(true)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-7", err)}
	}
	n := c.N
	u, rep, err := simrbp.FixedPoint(m, make([]float64, n), 1e-14, 100000)
	if err != nil {
		return []claim.Result{claim.Failed("RBP-7", err)}
	}
	out := []claim.Result{{Case: fmt.Sprintf("RBP-7 Hopfield iteration converges (eps=%.3g)", c.Eps), Measured: rep.Residual,
		Bound: 1e-14 * (1 + floats.Norm(u, math.Inf(1))), Pass: rep.Converged,
		Detail: fmt.Sprintf("|F(u) - u|_inf after %d iterations (tolerance 1e-14 (1 + |u|_inf))", rep.Iterations)}}
	out = append(out, RBP7JVP(c), hopfieldEnergy(c))
	grad, err := simrbp.Neumann(m, u, 2000, c.lossGrad)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	j, err := jacobianAt(m, u)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	kappa, err := amplification(j)
	if err != nil {
		return append(out, claim.Failed("RBP-7 gradient", err))
	}
	b := make([]float64, n)
	c.lossGrad(b, u)
	return append(out, fdCheck("RBP-7 Hopfield RBP gradient vs finite differences", grad[:n*n], m, kappa, c.lossGrad, 0.5*floats.Dot(b, b), b, u))
}

// RBP7JVP checks the case's Jacobian-vector product (JVP; nil: the model's) against central
// differences of the update at the clamped fixed point (step 1e-6, truncation ~1e-12 relative):
// relative 1e-7 of the largest entry plus the differences' rounding, 10 eps (1 + |F|) / step.
func RBP7JVP(c HopfieldCase) claim.Result {
	const what, delta = "RBP-7 Hopfield JVP vs finite differences", 1e-6
	m, err := c.model(true)
	if err != nil {
		return claim.Failed(what, err)
	}
	n := c.N
	u, _, err := simrbp.FixedPoint(m, make([]float64, n), 1e-14, 100000)
	if err != nil {
		return claim.Failed(what, err)
	}
	jvp := c.JVP
	if jvp == nil {
		jvp = func(m *simrbp.Hopfield, dst, u, du []float64) { m.JVP(dst, u, du) }
	}
	fd, err1 := diff.MapJacobian(u, n, delta, m.Step)
	got, err2 := diff.Jacobian(n, func(dst, v []float64) { jvp(m, dst, u, v) })
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	var d mat.Dense
	d.Sub(got, fd)
	worst, scale := mat.Norm(&d, math.Inf(1)), mat.Norm(fd, math.Inf(1))
	fu := make([]float64, n)
	m.Step(fu, u)
	bound := 1e-7*scale + 10*2.2e-16*(1+floats.Norm(fu, math.Inf(1)))/delta
	return claim.Check(what, worst, bound, fmt.Sprintf("|J - central differences|_inf %.3g; |J|_inf %.3g", worst, scale))
}

// hopfieldEnergy checks that the energy does not increase over 300 steps of the free (unclamped)
// dynamics with step min(Eps, energyEps), from the pattern.
func hopfieldEnergy(c HopfieldCase) claim.Result {
	what := fmt.Sprintf("RBP-7 energy does not increase (free units, eps=%.3g)", math.Min(c.Eps, energyEps))
	free, err := c.model(false)
	if err != nil {
		return claim.Failed(what, err)
	}
	n := c.N
	weff, err := rbp.HopfieldWeights(mat.NewDense(n, n, c.w))
	if err != nil {
		return claim.Failed(what, err)
	}
	x, next, v := append([]float64(nil), c.p...), make([]float64, n), make([]float64, n)
	free.Outputs(v, x)
	prev, err := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
	if err != nil {
		return claim.Failed(what, err)
	}
	rise := 0.0
	for range 300 {
		free.Step(next, x)
		x, next = next, x
		free.Outputs(v, x)
		en, err := rbp.HopfieldEnergy(weff, c.iExt, v, c.Beta)
		if err != nil {
			return claim.Failed(what, err)
		}
		rise = math.Max(rise, (en-prev)/math.Max(math.Abs(prev), 1))
		prev = en
	}
	return claim.Check(what, rise, 1e-12, "largest relative rise of E(V) over 300 steps")
}

// MomentumCase is SGD with momentum on 1/2 w^T H w - q^T w, H = G G^T/n + I/2,
// eta = 1/(2 lambda_max): with eta lambda <= 1/2 the inner loop's spectral radius is at least 1/4,
// so it never converges exactly in a few steps (at eta = 1/lambda and n = 1 it does, in one).
type MomentumCase struct {
	N     int
	Mu    float64
	Seed  uint64
	Inner int // steps of the unconverged inner loop
	// WrongZero claims the unconverged hyper-gradient is zero too (the negative control).
	WrongZero bool
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

// momentum is the built RBP-8 problem: H, q, eta, the model, its fixed point and the loss.
type momentum struct {
	h        *mat.SymDense
	q        []float64
	eta      float64
	m        *simrbp.Momentum
	star     []float64
	lossGrad func(dst, s []float64)
	scale    float64 // |b| (|q| + 1): the size a hyper-gradient is measured against
}

func (c MomentumCase) problem() (momentum, error) {
	h, q, eta, err := c.build()
	if err != nil {
		return momentum{}, err
	}
	n := c.N
	m, err := simrbp.NewMomentum(mat.DenseCopyOf(h).RawMatrix().Data, q, eta, c.Mu)
	if err != nil {
		return momentum{}, err
	}
	ws, ms, err := rbp.MomentumFixedPoint(h, q)
	if err != nil {
		return momentum{}, err
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
	star := append(append([]float64(nil), ws...), ms...)
	b := make([]float64, 2*n)
	lossGrad(b, star)
	return momentum{h: h, q: q, eta: eta, m: m, star: star, lossGrad: lossGrad, scale: floats.Norm(b, 2) * (floats.Norm(q, 2) + 1)}, nil
}

// RBP8 checks the momentum recurrence: its fixed point is (H^{-1} q, 0) (relative 1e-10 against
// the forward iteration), its JVP matches the closed-form Jacobian (1e-13), the hyper-gradient of
// L = 1/2 |w* - t|^2 with respect to (eta, mu) is zero at the fixed point (Neumann-RBP, in units
// of |b| |q|), and non-zero after an unconverged inner loop (RBP8Unconverged).
func RBP8(c MomentumCase) []claim.Result {
	p, err := c.problem()
	if err != nil {
		return []claim.Result{claim.Failed("RBP-8", err)}
	}
	n := c.N
	it, rep, err := simrbp.FixedPoint(p.m, make([]float64, 2*n), 1e-15, 1000000)
	if err != nil || !rep.Converged {
		return []claim.Result{claim.Failed("RBP-8", fmt.Errorf("inner loop: %+v %v", rep, err))}
	}
	jac, err1 := rbp.MomentumJacobian(p.h, p.eta, c.Mu)
	got, err2 := diff.Jacobian(2*n, func(dst, v []float64) { p.m.JVP(dst, p.star, v) })
	hyper, err3 := simrbp.Neumann(p.m, p.star, 2000, p.lossGrad)
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return []claim.Result{claim.Failed("RBP-8", err)}
	}
	var d mat.Dense
	d.Sub(got, jac)
	return []claim.Result{
		claim.RelCheck("RBP-8 fixed point (H^-1 q, 0) vs the inner loop", floats.Distance(it, p.star, math.Inf(1)), 0, floats.Norm(p.star, math.Inf(1)), 1e-10),
		claim.RelCheck("RBP-8 momentum JVP = closed-form Jacobian", mat.Norm(&d, math.Inf(1)), 0, 1+p.eta*mat.Norm(p.h, math.Inf(1)), 1e-13),
		claim.RelCheck(fmt.Sprintf("RBP-8 hyper-gradient at the fixed point is 0 (mu=%.3g)", c.Mu), floats.Norm(hyper, math.Inf(1)), 0, p.scale, 1e-10),
		RBP8Unconverged(c),
		RBP8Value(c, 0),
	}
}

// RBP8Unconverged checks the hyper-gradient after an unconverged inner loop of Inner steps from 0
// (BPTT through the loop): it is not zero (|dL/d(eta, mu)| > 1e-8 |b| |q|). With WrongZero it
// claims zero instead (the control).
func RBP8Unconverged(c MomentumCase) claim.Result {
	p, err := c.problem()
	if err != nil {
		return claim.Failed("RBP-8 unconverged", err)
	}
	unconv, _, err := simrbp.TBPTT(p.m, make([]float64, 2*c.N), c.Inner, p.lossGrad)
	if err != nil {
		return claim.Failed("RBP-8 unconverged", err)
	}
	g := floats.Norm(unconv, math.Inf(1)) / p.scale
	if c.WrongZero {
		return claim.RelCheck(fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is 0 (control)", c.Inner), g, 0, 1, 1e-10)
	}
	return claim.AtLeast(fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps is not 0", c.Inner), g, 1e-8,
		fmt.Sprintf("|dL/d(eta, mu)| / (|b||q|) = %.3g", g))
}

// RBP8Value checks the hyper-gradient after Inner steps of the unconverged inner loop from 0 by
// value: TBPTT through the Inner steps (Inner + Offset; Offset 0 is the claim) against finite
// differences of L(F^Inner(0)) in (eta, mu) (UnrolledCheck).
func RBP8Value(c MomentumCase, offset int) claim.Result {
	what := fmt.Sprintf("RBP-8 hyper-gradient after %d inner steps vs finite differences", c.Inner)
	if offset != 0 {
		what = fmt.Sprintf("RBP-8 hyper-gradient through %d steps vs finite differences of %d (control)", c.Inner+offset, c.Inner)
	}
	p, err := c.problem()
	if err != nil {
		return claim.Failed(what, err)
	}
	return UnrolledCheck(what, Unrolled{Model: p.m, H0: make([]float64, 2*c.N), Steps: c.Inner, Claimed: c.Inner + offset, LossGrad: p.lossGrad})
}

// GraphCase is a random graph (a ring plus random chords) with a contractive propagation.
type GraphCase struct {
	Nodes, K int
	Norm     float64 // |W|_inf < 1
	Seed     uint64
	Steps    int // K of the Neumann = TBPTT identity
	Offset   int // TBPTT through Steps + Offset applications: 1 the claim, 0 the off-by-one control
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

// RBP9 checks the graph network: Neumann-RBP(Steps) = TBPTT(Steps + Offset) at the fixed point
// (RBP9Identity), and Neumann-RBP(300) matches finite differences of L(h*(W)).
func RBP9(c GraphCase) []claim.Result {
	out := []claim.Result{RBP9Identity(c)}
	g, y, err := c.build()
	if err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	n := g.Dim()
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	hs, rep, err := simrbp.FixedPoint(g, make([]float64, n), 1e-15, 100000)
	if err != nil || !rep.Converged {
		return append(out, claim.Failed("RBP-9 gradient", fmt.Errorf("propagation: %+v %v", rep, err)))
	}
	grad, err1 := simrbp.Neumann(g, hs, 300, lossGrad)
	j, err2 := jacobianAt(g, hs)
	if err := claim.FirstErr(err1, err2); err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	kappa, err := amplification(j)
	if err != nil {
		return append(out, claim.Failed("RBP-9 gradient", err))
	}
	b := make([]float64, n)
	lossGrad(b, hs)
	return append(out, fdCheck("RBP-9 graph Neumann-RBP gradient vs finite differences", grad[:c.K*c.K], g, kappa, lossGrad, 0.5*floats.Dot(b, b), b, hs))
}

// RBP9Identity checks Neumann-RBP(Steps) = TBPTT(Steps + Offset) on the graph at its fixed point.
func RBP9Identity(c GraphCase) claim.Result {
	what := fmt.Sprintf("RBP-9 graph Neumann(K=%d) = TBPTT(%d) at h*", c.Steps, c.Steps+c.Offset)
	g, y, err := c.build()
	if err != nil {
		return claim.Failed(what, err)
	}
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	hs, rep, err := simrbp.FixedPoint(g, make([]float64, g.Dim()), 1e-15, 100000)
	if err != nil || !rep.Converged {
		return claim.Failed(what, fmt.Errorf("propagation: %+v %v", rep, err))
	}
	neu, err1 := simrbp.Neumann(g, hs, c.Steps, lossGrad)
	tb, _, err2 := simrbp.TBPTT(g, hs, c.Steps+c.Offset, lossGrad)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return identityCheck(what, g, hs, c.Steps, neu, tb, lossGrad)
}
