package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PairStep is one step of two sequences a and b through the same network: the per-unit second
// moments of their pre-activations QA = |e^a|^2/N, QB = |e^b|^2/N, QAB = e^a.e^b/N, and
// QD = |e^a - e^b|^2/N, from which 1 - c = (QD - (sqrt QA - sqrt QB)^2) / (2 sqrt(QA QB)) keeps its
// digits when the correlation c is near 1.
type PairStep struct {
	QA, QB, QAB, QD float64
}

// OneMinusC returns 1 - c for the step, c = QAB / sqrt(QA QB), computed from QD without
// cancellation. Dimensionless, in [0, 2]. Errors: QA or QB not positive (a state of zero
// pre-activation has no correlation).
func (p PairStep) OneMinusC() (float64, error) {
	if !(p.QA > 0 && p.QB > 0) {
		return 0, fmt.Errorf("meanfield: 1 - c needs both second moments positive, got %v and %v", p.QA, p.QB)
	}
	d := math.Sqrt(p.QA) - math.Sqrt(p.QB)
	return (p.QD - d*d) / (2 * math.Sqrt(p.QA*p.QB)), nil
}

// Pair runs two sequences through one network of the family for steps steps (catalogue MF-2):
// sequence a from h_0 = 0, sequence b from the family's start (h_0 = tanh(sqrt(Start) xi)), with
// identical inputs x^a_t = x^b_t or independent ones. Everything is drawn from PCG(seed, 0). The
// mean-field theory of the returned moments is CovarianceMap with the shared drive s (identical)
// or SB2 (independent). Units: variances. Errors: invalid parameters, steps outside [1, 2^20], and
// a non-finite state.
func (v Vanilla) Pair(steps int, seed uint64, identical bool) ([]PairStep, error) {
	if err := checkSteps(steps); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	nt, err := v.draw(rng)
	if err != nil {
		return nil, err
	}
	n := v.N
	ha, hb, ea, eb, xa, xb := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	start(rng, hb, v.Start)
	out := make([]PairStep, steps)
	for t := range steps {
		gaussian(rng, xa, 1)
		if identical {
			copy(xb, xa)
		} else {
			gaussian(rng, xb, 1)
		}
		nt.step(ha, xa, ea)
		nt.step(hb, xb, eb)
		var qd float64
		for i, a := range ea {
			qd += (a - eb[i]) * (a - eb[i])
		}
		nf := float64(n)
		out[t] = PairStep{QA: dot(ea, ea) / nf, QB: dot(eb, eb) / nf, QAB: dot(ea, eb) / nf, QD: qd / nf}
		if s := out[t]; math.IsNaN(s.QA+s.QB+s.QAB+s.QD) || math.IsInf(s.QA+s.QB, 0) {
			return nil, fmt.Errorf("meanfield: the pre-activations at step %d are not finite", t+1)
		}
	}
	return out, nil
}
