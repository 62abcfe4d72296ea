package props

import (
	"fmt"
	"math"
	"math/rand/v2"

	simcnn "github.com/dlt5/verify/numeric/cnnbound"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// CNN1 checks the bookkeeping: the CNN built as real layers (numeric/cnnbound) has the conv
// output sizes of the recursion and exactly d weights; and when every block's rank bound
// satisfies a (m1 + m2 + 1) < m1 m2, theta < d. size, when not nil, replaces the recursion
// (r - k)/s + 1 (the control).
func CNN1(a cnnbound.Arch, size func(r, k, s int) int) []claim.Result {
	what := "CNN-1 " + a.Name
	n, err := simcnn.New(a)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	d, err1 := a.Params()
	theta, err2 := a.Theta()
	if err := claim.FirstErr(err1, err2); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	built := n.ConvSizes()
	if size == nil {
		size = func(r, k, s int) int { return (r-k)/s + 1 }
	}
	mism, r, c := 0, a.R0, a.C0
	for i, l := range a.Layers {
		want, wantC := size(r, l.K, l.S), size(c, l.K, l.S)
		if built[i].R != want || built[i].C != wantC || built[i].D != l.D {
			mism++
		}
		r, c = want/a.P, wantC/a.P
	}
	sizes := claim.Result{Case: what + " built conv sizes = the recursion", Measured: float64(mism), Pass: mism == 0, Detail: fmt.Sprintf("built %v", built)}
	count := claim.RelCheck(what+" built weights = d", float64(n.NumWeights()), float64(d), 0, 0)
	// theta < d when every block is low-rank enough.
	_, pooled, err := a.Sizes()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	low := true
	prev := a.D0
	for _, l := range a.Layers {
		m1, m2 := l.K*l.K*prev, l.D
		low = low && l.A*(m1+m2+1) < m1*m2
		prev = l.D
	}
	last := pooled[len(pooled)-1]
	m1, m2 := last.R*last.C*last.D, a.Out
	low = low && a.OutA*(m1+m2+1) < m1*m2
	lowRank := claim.Result{Case: what + " theta < d when every block has a (m1 + m2 + 1) < m1 m2", Pass: !low || theta < float64(d),
		Detail: fmt.Sprintf("theta %.0f, d %d, every block low-rank: %v", theta, d, low)}
	return []claim.Result{sizes, count, lowRank}
}

// ProofCase is a CNN-6 case: Nets random nets (weights N(0, 1) projected onto the norm bounds) of
// the architecture, each on Inputs uniform inputs with random classes, from Seed.
type ProofCase struct {
	Arch          cnnbound.Arch
	Nets, Inputs  int
	Seed          uint64
	OutConst      float64 // the output-layer constant held (CorrectedOutputConst; the paper's is the control)
	AdversarialQs []float64
}

// proofMax returns, over the case's random nets and inputs, the largest loss, the largest
// |grad_out|^2 / (rt ct d_l) and the largest |grad|^2 / beta^2, and the smallest loss.
func (c ProofCase) proofMax() (lo, hi, out, all float64, err error) {
	beta2, err := c.Arch.Beta2()
	if err != nil {
		return 0, 0, 0, 0, err
	}
	z, err := c.Arch.OutputGradBound(1)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	lo = math.Inf(1)
	for i := range c.Nets {
		n, err := simcnn.New(c.Arch)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		if err := n.Randomize(1, c.Seed+uint64(i)); err != nil {
			return 0, 0, 0, 0, err
		}
		rng := rand.New(rand.NewPCG(c.Seed+uint64(i), 0x1a9))
		g, err := n.NewGrad()
		if err != nil {
			return 0, 0, 0, 0, err
		}
		for range c.Inputs {
			x, err := n.RandomInput(rng)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			loss, err := n.Gradient(x, rng.IntN(c.Arch.Out), g)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			o, a := g.SquaredNorms()
			lo, hi = math.Min(lo, loss), math.Max(hi, loss)
			out, all = math.Max(out, o/z), math.Max(all, a/beta2)
		}
	}
	return lo, hi, out, all, nil
}

// adversarialNorms returns |grad_out|^2 / (rt ct d_l) and |grad|^2 / beta^2 at the adversarial
// weights for target probability q (the saturating construction, or the flat one when flat), on
// the all-ones input with class 0.
func adversarialNorms(a cnnbound.Arch, q float64, flat bool) (out, all float64, err error) {
	n, err := simcnn.New(a)
	if err != nil {
		return 0, 0, err
	}
	set := n.Adversarial
	if flat {
		set = n.AdversarialFlat
	}
	if err := set(0, q); err != nil {
		return 0, 0, err
	}
	x := make([]float64, a.R0*a.C0*a.D0)
	for i := range x {
		x[i] = 1
	}
	g, err := n.NewGrad()
	if err != nil {
		return 0, 0, err
	}
	if _, err := n.Gradient(x, 0, g); err != nil {
		return 0, 0, err
	}
	beta2, err1 := a.Beta2()
	z, err2 := a.OutputGradBound(1)
	if err := claim.FirstErr(err1, err2); err != nil {
		return 0, 0, err
	}
	o, t := g.SquaredNorms()
	return o / z, t / beta2, nil
}

// CNN6 checks the proof's deterministic facts on random nets inside the norm bounds: the loss in
// [0, 1]; |grad_{W_{l+1}} f|^2 <= OutConst rt ct d_l; |grad_w f|^2 <= beta^2; and at the
// adversarial weights (each q of AdversarialQs) the output-layer gradient against OutConst and the
// whole gradient against beta^2. It also returns the adversarial |grad_out|^2/(rt ct d_l) per q.
func CNN6(c ProofCase) ([]claim.Result, []float64) {
	what := fmt.Sprintf("CNN-6 %s", c.Arch.Name)
	lo, hi, out, all, err := c.proofMax()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}, nil
	}
	rows := []claim.Result{
		{Case: fmt.Sprintf("%s random (%d nets x %d inputs): loss in [0, 1]", what, c.Nets, c.Inputs), Measured: hi, Bound: 1, Pass: lo >= 0 && hi <= 1,
			Detail: fmt.Sprintf("loss in [%.4g, %.4g]", lo, hi)},
		claim.Check(fmt.Sprintf("%s random: |grad_out|^2/(rt ct d_l) <= %.4g", what, c.OutConst), out, c.OutConst, "largest over the samples"),
		claim.Check(what+" random: |grad|^2 / beta^2 <= 1", all, 1, "largest over the samples"),
	}
	var adv []float64
	for _, q := range c.AdversarialQs {
		o, a, err := adversarialNorms(c.Arch, q, false)
		if err != nil {
			return append(rows, claim.Failed(what, err)), adv
		}
		adv = append(adv, o)
		rows = append(rows,
			claim.Check(fmt.Sprintf("%s adversarial q=%.4g: |grad_out|^2/(rt ct d_l) <= %.4g", what, q, c.OutConst), o, c.OutConst, fmt.Sprintf("8 q^2 (1-q)^4 = %.4g", 8*q*q*math.Pow(1-q, 4))),
			claim.Check(fmt.Sprintf("%s adversarial q=%.4g: |grad|^2 / beta^2 <= 1", what, q), a, 1, ""))
	}
	return rows, adv
}

// CNN6Flat checks, at the flat adversarial weights (numeric/cnnbound AdversarialFlat: zero kernels,
// an output layer that back-propagates as much as its norm bound allows), the corrected
// output-layer bound and the beta^2 bound of the whole gradient. On A1 the second fails (the
// beta-bound finding).
func CNN6Flat(a cnnbound.Arch, q float64) []claim.Result {
	what := fmt.Sprintf("CNN-6 %s flat adversarial q=%.4g", a.Name, q)
	o, all, err := adversarialNorms(a, q, true)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	return []claim.Result{
		claim.Check(what+": |grad_out|^2/(rt ct d_l) <= 128/729", o, cnnbound.CorrectedOutputConst, ""),
		claim.Check(what+": |grad|^2 / beta^2 <= 1", all, 1, "zero kernels, sigmoids at slope 1/4, output rows along the logit gradient with signs alternating by channel"),
	}
}
