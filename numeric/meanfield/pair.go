package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PairStep is one step of two sequences a and b through the same network: the per-unit second
// moments of their pre-activations QA = |e^a|^2/N, QB = |e^b|^2/N, QAB = e^a.e^b/N, and
// QD = |e^a - e^b|^2/N, from which 1 - c = (QD - (sqrt QA - sqrt QB)^2) / (2 sqrt(QA QB)) keeps its
// digits when the correlation c is near 1. With several pairs (Vanilla.Seqs) each is the mean
// over them. Bias = |b|^2/N is the network's, the same at every step: a control variate of exact
// mean SB2 for the part of QAB that the frozen bias gives both sequences.
type PairStep struct {
	QA, QB, QAB, QD float64
	Bias            float64
}

// OneMinusC returns 1 - c for the step, c = QAB / sqrt(QA QB), computed from QD without
// cancellation. Dimensionless, in [0, 2] up to rounding. Errors: QA or QB not positive or not
// finite (a state of zero pre-activation has no correlation), QD negative, NaN or infinite.
func (p PairStep) OneMinusC() (float64, error) {
	if !(p.QA > 0 && p.QB > 0) || math.IsInf(p.QA, 0) || math.IsInf(p.QB, 0) {
		return 0, fmt.Errorf("meanfield: 1 - c needs both second moments positive and finite, got %v and %v", p.QA, p.QB)
	}
	if !(p.QD >= 0) || math.IsInf(p.QD, 0) {
		return 0, fmt.Errorf("meanfield: 1 - c needs a finite squared distance QD >= 0, got %v", p.QD)
	}
	d := math.Sqrt(p.QA) - math.Sqrt(p.QB)
	r := (p.QD - d*d) / 2 / (math.Sqrt(p.QA) * math.Sqrt(p.QB)) // not sqrt(QA QB): that under- or overflows beyond 1e+-154
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("meanfield: 1 - c is not finite (QA %v, QB %v, QD %v)", p.QA, p.QB, p.QD)
	}
	return r, nil
}

// PairStart says where the two sequences of Pair start.
type PairStart int

const (
	// Apart: sequence a from h_0 = 0, sequence b from the family's start (h_0 = tanh(sqrt(Start) xi)).
	Apart PairStart = iota
	// Together: both from one state drawn from the family's start (c_0 = 1).
	Together
	// Independent: both from independent states drawn from the family's start (c_0 = 0), b's
	// exactly as with Together and a's from the stream PCG(seed, 1), so that a run from Together
	// and one from Independent with the same seed share the network, b's start and every input
	// (common random numbers: their difference is free of the network's own fluctuation).
	Independent
)

// Pair runs two sequences through one network of the family for steps steps (catalogue MF-2),
// started as from says (Apart, Together or Independent), with identical inputs x^a_t = x^b_t or independent ones; with Seqs > 1,
// that many independent pairs through the one network, and the moments are their means.
// Everything is drawn from PCG(seed, 0): the network, the starts, then each step's inputs. The
// mean-field theory of the returned moments is CovarianceMap with the shared drive s (identical)
// or SB2 (independent). Units: variances. Errors: invalid parameters, steps outside [1, 2^20], an
// unknown start, and a non-finite state.
func (v Vanilla) Pair(steps int, seed uint64, identical bool, from PairStart) ([]PairStep, error) {
	if err := checkSteps(steps); err != nil {
		return nil, err
	}
	if from != Apart && from != Together && from != Independent {
		return nil, fmt.Errorf("meanfield: unknown pair start %d", from)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	k := v.seqs()
	nt, err := v.drawFactored(rng, k)
	if err != nil {
		return nil, err
	}
	defer nt.release()
	m := v.N * k
	ha, hb, ea, eb, xa, xb := make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	start(rng, hb, v.Start)
	switch from {
	case Together:
		copy(ha, hb)
	case Independent:
		start(rand.New(rand.NewPCG(seed, 1)), ha, v.Start)
	}
	bias := dot(nt.bias, nt.bias) / float64(v.N)
	out := make([]PairStep, steps)
	nf := float64(m)
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
		out[t] = PairStep{QA: dot(ea, ea) / nf, QB: dot(eb, eb) / nf, QAB: dot(ea, eb) / nf, QD: qd / nf, Bias: bias}
		if s := out[t]; !finite(s.QA, s.QB, s.QAB, s.QD) {
			return nil, fmt.Errorf("meanfield: the pre-activations at step %d are not finite", t+1)
		}
	}
	return out, nil
}
