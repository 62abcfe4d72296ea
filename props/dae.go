package props

// DAE: Pretorius, Kroon, Kamper, "Learning Dynamics of Linear Denoising Autoencoders" (ICML
// 2018); the claims are DAE-1 .. DAE-9 of CLAIMS.md. Closed forms: theory/dae; simulations:
// numeric/dae.

import (
	"fmt"
	"math"
	"math/rand/v2"

	simdae "github.com/dlt5/verify/numeric/dae"
	"github.com/dlt5/verify/numeric/orthogonal"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
	"gonum.org/v1/gonum/mat"
)

// NoiseCase is one DAE-1 case: a random W (D x D, entries N(0, 1/D)) and x (N(0, 1)) from Seed,
// noise variance Sigma2, Pairs antithetic noise pairs. Factor multiplies the noise term's
// closed form (1: the claim; 1/2: the control that halves sigma2 |W|^2).
type NoiseCase struct {
	D, Pairs      int
	Sigma2        float64
	Seed          uint64
	Factor        float64
	PowerFraction float64 // when not 0, the whole expectation is multiplied by it (power control)
	// Single uses one noise draw per sample instead of an antithetic pair: the cross term
	// -2 (x - W x)^T W e stays in the sample, so its zero mean is tested too (at a wider MDE).
	Single bool
	// Target, when not 0, sizes the sample for that detectable error: a pilot of pilotPairs
	// (its own seed) measures each row's MDE, and Pairs becomes what the worst row needs
	// (MDE falls as 1/sqrt(pairs)), at most MaxPairs.
	Target   float64
	MaxPairs int
	// Fresh, when not 0, seeds the noise instead of Seed, which still draws W and x: the power
	// control's independent run of the same problem.
	Fresh uint64
	pilot bool // the sizing pilot: the same W and x, noise from another stream
}

// daeNoiseTarget is the command's detectable-error target for DAE-1 (the catalogue asks for 5%).
const daeNoiseTarget = 0.04

// pilotPairs is the pilot sample that sizes a DAE-1 case with a Target.
const pilotPairs = 1000

// sized returns the case with Pairs set for its Target (unchanged without one).
func (c NoiseCase) sized() NoiseCase {
	if c.Target == 0 {
		return c
	}
	pilot := c
	pilot.Target, pilot.Pairs, pilot.pilot = 0, pilotPairs, true
	worst := 0.0
	rows, ests := dae1(pilot)
	for _, r := range rows {
		worst = math.Max(worst, r.MDE)
	}
	if len(ests) != len(rows) || math.IsNaN(worst) || math.IsInf(worst, 0) {
		return c // the run itself reports what went wrong
	}
	need := float64(pilotPairs) * (1.2 * worst / c.Target) * (1.2 * worst / c.Target)
	need = math.Max(need, skewPairs())
	c.Pairs = int(math.Min(math.Max(math.Ceil(need), pilotPairs), float64(c.MaxPairs)))
	return c
}

// maxSkew bounds the skewness of every DAE-1 sample: each is a quadratic form in Gaussian noise
// plus a linear term (a pair's mean: the quadratic form alone), sum_i l_i (Z_i + d_i)^2 up to a
// constant, with cumulants k2 = 2 sum l_i^2 (1 + 2 d_i^2) and k3 = 8 sum l_i^3 (1 + 3 d_i^2);
// each term's |k3| is at most sqrt(8) k2^(3/2) ((1 + 3u)^2 <= (1 + 2u)^3), and sum a_i^(3/2) <=
// (sum a_i)^(3/2): chi-square with one degree of freedom's sqrt(8) is the largest (a linear part
// in the form's null space adds a Gaussian term, k3 = 0, which only lowers it).
var maxSkew = math.Sqrt(8)

// skewPairs is the sample size at which NormalApproxOK, |g1| z^3 / (6 sqrt(n)) <= 1, holds at the
// bound maxSkew: 16,255 at the budget's z. A pilot's sample skewness with a margin of 1.5, the old
// rule, sized a random seed's case (D = 6, sigma2 = 1, seed 0x1a1) to 12,315 pairs, whose sample
// skewness 2.65 then failed the limit 2.46.
func skewPairs() float64 {
	z := claim.Z()
	return math.Pow(maxSkew*z*z*z/6, 2)
}

// noiseSetup draws W, x and a random direction for the gradient from the case's seed.
func (c NoiseCase) setup() (w, dir *mat.Dense, x []float64) {
	rng := rand.New(rand.NewPCG(c.Seed, 0xd1))
	w, dir = mat.NewDense(c.D, c.D, nil), mat.NewDense(c.D, c.D, nil)
	x = make([]float64, c.D)
	for i := range c.D {
		x[i] = rng.NormFloat64()
		for j := range c.D {
			w.Set(i, j, rng.NormFloat64()/math.Sqrt(float64(c.D)))
			dir.Set(i, j, rng.NormFloat64())
		}
	}
	return w, dir, x
}

// DAE1 checks the noise marginalisation: the Monte-Carlo mean of |x - W(x + e)|^2 against
// |x - W x|^2 + sigma2 |W|_F^2, and of its gradient's component along a random direction against
// that of -2 (x - W x) x^T + 2 sigma2 W (t-tests over antithetic pairs, 16 batches).
func DAE1(c NoiseCase) []claim.Result {
	rows, _ := dae1(c.sized())
	return rows
}

// dae1 is DAE1 at the case's Pairs, with the estimates behind its rows (for the pilot's sizing).
func dae1(c NoiseCase) ([]claim.Result, []stats.Estimate) {
	label := fmt.Sprintf("DAE-1 D=%d sigma2=%.3g", c.D, c.Sigma2)
	if c.Single {
		label += " single draws"
	}
	w, dir, x := c.setup()
	xv := mat.NewVecDense(c.D, x)
	var r mat.VecDense
	r.MulVec(w, xv)
	r.SubVec(xv, &r) // x - W x
	wn := mat.Norm(w, 2)
	var g mat.Dense
	g.Outer(-2, &r, xv)
	var sw mat.Dense
	sw.Scale(2*c.Sigma2*c.Factor, w)
	g.Add(&g, &sw)
	dot := func(a, b *mat.Dense) float64 {
		var m mat.Dense
		m.MulElem(a, b)
		return mat.Sum(&m)
	}
	// The direction W (I + A A^T), A random: random, yet the noise term's component along it,
	// 2 sigma2 tr(W^T W (I + A A^T)), is positive (a relative error means something).
	var spd, gd mat.Dense
	spd.Mul(dir, dir.T())
	for i := range c.D {
		spd.Set(i, i, spd.At(i, i)+1)
	}
	gd.Mul(w, &spd)
	noiseSeed := c.Seed
	if c.Fresh != 0 {
		noiseSeed = c.Fresh
	}
	if c.pilot {
		noiseSeed ^= 0x5851f42d4c957f2d // not freshSeed, which the power control adds to the seed
	}
	loss, grad, err := simdae.NoiseSamples(w, x, c.Sigma2, []*mat.Dense{&gd}, c.Pairs, !c.Single, noiseSeed)
	if err != nil {
		return []claim.Result{claim.Failed(label, err)}, nil
	}
	// Each row tests the noise term: the sample less the claim's noise-free part (exactly known,
	// no variance) against the claimed noise term, so that the MDE is relative to what the noise
	// contributes, not to a total dominated by |x - W x|^2.
	var g0 mat.Dense
	g0.Outer(-2, &r, xv)
	free := []float64{mat.Dot(&r, &r), dot(&g0, &gd)}
	wants := []float64{mat.Dot(&r, &r) + c.Factor*c.Sigma2*wn*wn, dot(&g, &gd)}
	names := []string{"loss noise term", "gradient noise term along W (I + A A^T)"}
	samples := append([][]float64{loss}, grad...)
	var out []claim.Result
	var ests []stats.Estimate
	for k, want := range wants {
		xs := make([]float64, len(samples[k]))
		for i, v := range samples[k] {
			xs[i] = v - free[k]
		}
		want -= free[k]
		est, err := stats.FromSample(xs, 16)
		if err != nil {
			return append(out, claim.Failed(label, err)), nil
		}
		ests = append(ests, est)
		if c.PowerFraction != 0 {
			want *= c.PowerFraction
		}
		what := label + " " + names[k]
		// The gate takes the bound sqrt(8) on the samples' skewness (skewPairs), not the sample
		// skewness: its heavy right tail would itself raise false alarms at the budget's rate.
		if !c.pilot && !claim.NormalApproxOK(stats.Estimate{N: est.N, Skewness: maxSkew}) {
			out = append(out, claim.Failed(what, fmt.Errorf("the z-test needs a sample mean closer to normal: %d samples of skewness up to sqrt(8) fail NormalApproxOK (raise MaxPairs; the sample's skewness is %.3g)", est.N, est.Skewness)))
			continue
		}
		out = append(out, claim.MeanCheck(what, est, want, c.Seed))
	}
	return out, ests
}

// FlowCase is a DAE-2 / DAE-4 / DAE-7 case: gradient descent on D modes of eigenvalues Lambda
// (pixel space with a Haar-rotated covariance when Rotated, else the eigenbasis), noise Sigma2,
// weight decay Gamma, from the decoupled balanced start at strength U0 on the first H modes, up to
// time T at step rate Alpha (and Alpha/10 for the order). SumN > 0 runs the authors' summed units
// over SumN data (rate Alpha/SumN, the closed form with lambda, sigma2, gamma times SumN).
type FlowCase struct {
	Lambda        []float64
	H             int
	Sigma2, Gamma float64
	U0, T, Alpha  float64
	Rotated       bool
	SumN          int
	Seed          uint64
	// Perturb, when not 0, adds i.i.d. N(0, Perturb^2) to every weight of the decoupled start, so
	// that directions the start leaves exactly at 0 (across modes) are excited (DAE-3).
	Perturb float64
	// Formula, when not nil, replaces the closed form (the controls).
	Formula func(m dae.Mode, u0, t float64) (float64, error)
}

// problem returns the case's problem (in the convention's units), its eigenvectors (nil in the
// eigenbasis) and the step rate for learning rate alpha.
func (c FlowCase) problem(alpha float64) (simdae.Problem, *mat.Dense, float64, error) {
	d := len(c.Lambda)
	p := simdae.Problem{Lambda: c.Lambda, Sigma2: c.Sigma2, Gamma: c.Gamma}
	var v *mat.Dense
	if c.Rotated {
		var err error
		if v, err = orthogonal.Haar(rand.New(rand.NewPCG(c.Seed, 0x707)), d); err != nil {
			return p, nil, 0, err
		}
		var vl, s mat.Dense
		vl.Mul(v, mat.NewDiagDense(d, c.Lambda))
		s.Mul(&vl, v.T())
		sym := mat.NewSymDense(d, nil)
		for i := range d {
			for j := i; j < d; j++ {
				sym.SetSym(i, j, (s.At(i, j)+s.At(j, i))/2)
			}
		}
		p = simdae.Problem{Sigma: sym, Sigma2: c.Sigma2, Gamma: c.Gamma}
	}
	rate := alpha
	if c.SumN > 0 {
		var err error
		if p, err = p.Summed(c.SumN); err != nil {
			return p, nil, 0, err
		}
		rate = alpha / float64(c.SumN)
	}
	return p, v, rate, nil
}

// mode returns mode i's closed-form parameters in the convention's units.
func (c FlowCase) mode(i int) dae.Mode {
	f := 1.0
	if c.SumN > 0 {
		f = float64(c.SumN)
	}
	return dae.Mode{Lambda: f * c.Lambda[i], Sigma2: f * c.Sigma2, Gamma: f * c.Gamma}
}

// run descends at learning rate alpha up to time T and returns the step rate and the strengths of
// the first H modes at every step.
func (c FlowCase) run(alpha float64) (float64, [][]float64, error) {
	p, v, rate, err := c.problem(alpha)
	if err != nil {
		return 0, nil, err
	}
	u0 := make([]float64, c.H)
	for i := range u0 {
		u0[i] = c.U0
	}
	n, err := simdae.Decoupled(len(c.Lambda), v, u0, c.Seed)
	if err != nil {
		return 0, nil, err
	}
	if c.Perturb != 0 {
		e, err := simdae.RandomStart(len(c.Lambda), c.H, c.Perturb, c.Seed+3)
		if err != nil {
			return 0, nil, err
		}
		n.W1.Add(n.W1, e.W1)
		n.W2.Add(n.W2, e.W2)
	}
	g, err := simdae.NewGD(p, c.H, rate)
	if err != nil {
		return 0, nil, err
	}
	steps := int(math.Round(c.T / alpha))
	var us [][]float64
	err = g.Run(n, steps, func(int) error {
		u, err := n.Strengths(v, c.H)
		us = append(us, u)
		return err
	})
	return rate, us, err
}

// maxError returns the largest |u_i(k rate) - closed form| over modes and steps.
func (c FlowCase) maxError(rate float64, us [][]float64) (float64, error) {
	formula := c.Formula
	if formula == nil {
		formula = func(m dae.Mode, u0, t float64) (float64, error) { return m.U(u0, t) }
	}
	worst := 0.0
	for k, u := range us {
		for i, v := range u {
			want, err := formula(c.mode(i), c.U0, float64(k)*rate)
			if err != nil {
				return 0, err
			}
			worst = math.Max(worst, math.Abs(v-want))
		}
	}
	return worst, nil
}

// orderTol is the allowed relative departure of the error ratio from 10. The Euler error is
// E(h) = C h (1 + x) with x = O(h), so the ratio E(h)/E(h/10) is 10 (1 + x)/(1 + x/10), about
// 10 (1 + 0.9 x). The largest x comes from a horizon that ends while a mode still grows
// exponentially: Euler grows by (1 + 2ah)^(t/h) = e^{2at} e^{-2 a^2 h t (1 + O(ah))}, so the error is
// 1 - e^{-y} with y = 2 a^2 h t and x = -y/2: the ratio sits near 10 (1 - 0.45 y), and
// y <= 2 (alpha lambda_1) (lambda_1 t). Measured (one mode, lambda_1 in 0.2..3, u0 in 1e-3..0.1,
// sigma2 in {0, 1}, t = 8): the ratio lies in [9.51, 10.18] at alpha lambda_1 = 0.04, [9.75, 10.09]
// at 0.02 and [9.87, 10.05] at 0.01 (linear in the step, as derived); seed 12506 drew
// lambda_1 = 0.2656, u0 = 0.001 at 0.04 (y = 0.17) and the ratio 9.47 failed. The generators step at
// alpha lambda_1 = orderStep, where the second-order part is at most 1.3%, a quarter of orderTol.
const orderTol = 0.05

// orderStep is alpha lambda_1 in the drawn DAE-2 cases (see orderTol).
const orderStep = 0.01

// DAE2 checks that gradient descent follows the closed form with an O(alpha) error: the ratio of
// the largest errors over every mode and step at alpha and alpha/10 is 10 within orderTol. It
// also returns the two errors.
func DAE2(c FlowCase) (claim.Result, [2]float64) {
	conv := "mean"
	if c.SumN > 0 {
		conv = fmt.Sprintf("sum n=%d", c.SumN)
	}
	basis := "eigenbasis"
	if c.Rotated {
		basis = "rotated"
	}
	what := fmt.Sprintf("DAE-2 %s %s D=%d H=%d sigma2=%.3g gamma=%.3g alpha=%.3g error ratio", basis, conv, len(c.Lambda), c.H, c.Sigma2, c.Gamma, c.Alpha)
	var errs [2]float64
	for k, a := range []float64{c.Alpha, c.Alpha / 10} {
		rate, us, err := c.run(a)
		if err != nil {
			return claim.Failed(what, err), errs
		}
		if errs[k], err = c.maxError(rate, us); err != nil {
			return claim.Failed(what, err), errs
		}
	}
	r := claim.RelCheck(what, errs[0]/errs[1], 10, 10, orderTol)
	r.Detail += fmt.Sprintf("; max |u - u(t)| %.3g at alpha, %.3g at alpha/10", errs[0], errs[1])
	return r, errs
}

// WrongRate is the closed form with the ODE's factor 2 dropped (u(t) with a and b halved: the
// control of DAE-8).
func WrongRate(m dae.Mode, u0, t float64) (float64, error) { return m.U(u0, t/2) }

// SlowRate is the closed form with its time scale off by 1% (u(1.01 t): a rate 2.02 a, the near
// miss of a mis-scaled time unit), the control of DAE-2: its error at alpha/10 no longer shrinks.
func SlowRate(m dae.Mode, u0, t float64) (float64, error) { return m.U(u0, 1.01*t) }
