package meanfield_test

import (
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/numeric/meanfield"
)

// TestPairMomentsIdentity: the squared distance Pair reports is the one its moments imply,
// QD = QA + QB - 2 QAB (each the mean over units of the same pre-activations), and the bias term is
// b.b/N (near SB2), for identical and independent inputs and every start (to 1e-12 of QA + QB).
func TestPairMomentsIdentity(t *testing.T) {
	v := meanfield.Vanilla{N: 40, SW2: 1.5, SV2: 0.3, SB2: 0.2, Start: 0.5, DirectInput: true, Seqs: 3}
	for _, identical := range []bool{false, true} {
		for _, from := range []meanfield.PairStart{meanfield.Apart, meanfield.Together, meanfield.Independent} {
			steps, err := v.Pair(4, 7, identical, from)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range steps {
				if want := s.QA + s.QB - 2*s.QAB; math.Abs(s.QD-want) > 1e-12*(s.QA+s.QB) {
					t.Errorf("identical %v, start %v, step %d: QD = %v, QA + QB - 2 QAB = %v", identical, from, i+1, s.QD, want)
				}
				if !(s.Bias > 0.2*v.SB2 && s.Bias < 5*v.SB2) { // b.b/N of N(0, SB2) entries, N = 40
					t.Errorf("bias term %v against SB2 = %v", s.Bias, v.SB2)
				}
			}
		}
	}
}

// TestOneMinusCValues: 1 - c from QD against 1 - QAB/sqrt(QA QB) on hand cases with QA != QB
// (so that the sqrt(QA) - sqrt(QB) term matters), c from -1 to 1.
func TestOneMinusCValues(t *testing.T) {
	for _, c := range [][3]float64{{4, 1, 1}, {4, 1, -2}, {9, 4, 6}, {2, 8, 0}, {0.25, 1, 0.3}} {
		qa, qb, qab := c[0], c[1], c[2]
		got, err := meanfield.PairStep{QA: qa, QB: qb, QAB: qab, QD: qa + qb - 2*qab}.OneMinusC()
		want := 1 - qab/math.Sqrt(qa*qb)
		if err != nil || math.Abs(got-want) > 1e-14 {
			t.Errorf("QA %v, QB %v, QAB %v: 1 - c = %v (%v), want %v", qa, qb, qab, got, err, want)
		}
	}
}

// TestOneMinusCScale: 1 - c depends on the moments only through their ratios, so the hand cases
// of TestOneMinusCValues scaled by 1e-300 .. 1e300 give the same 1 - c (1e-14). Before, sqrt(QA QB)
// overflowed or underflowed beyond 1e+-154: orthogonal states with moments near 1e200 had 1 - c = 0
// with a nil error, and moments near 1e-200 were a "not finite" error.
func TestOneMinusCScale(t *testing.T) {
	for _, c := range [][3]float64{{4, 1, 1}, {4, 1, -2}, {9, 4, 6}, {2, 8, 0}, {0.25, 1, 0.3}, {1, 1, 1}} {
		qa, qb, qab := c[0], c[1], c[2]
		want := 1 - qab/math.Sqrt(qa*qb)
		for _, s := range []float64{1e-300, 1e-200, 1e-160, 1e160, 1e200, 1e300} {
			p := meanfield.PairStep{QA: s * qa, QB: s * qb, QAB: s * qab, QD: s * (qa + qb - 2*qab)}
			if got, err := p.OneMinusC(); err != nil || math.Abs(got-want) > 1e-14 {
				t.Errorf("%+v: 1 - c = %v (%v), want %v", p, got, err, want)
			}
		}
	}
}

// TestOneMinusCZeroMoment: a zero second moment (QA = 0 or QB = 0, the boundary of "positive") is
// refused by the positivity check itself, whatever QD, not left to become a 0/0 or x/0 later;
// the smallest positive moments are admitted.
func TestOneMinusCZeroMoment(t *testing.T) {
	for _, p := range []meanfield.PairStep{{QA: 0, QB: 1, QD: 1}, {QA: 0, QB: 1, QD: 2}, {QA: 1, QB: 0, QD: 1}, {QA: 1, QB: 0, QD: 0.5}} {
		if d, err := p.OneMinusC(); err == nil || !strings.Contains(err.Error(), "positive") {
			t.Errorf("%+v: 1 - c = %v, %v; want the positivity error", p, d, err)
		}
	}
	tiny := math.SmallestNonzeroFloat64
	if d, err := (meanfield.PairStep{QA: tiny, QB: tiny, QAB: tiny}).OneMinusC(); err != nil || d != 0 {
		t.Errorf("equal states, QA = QB = QAB = %v: 1 - c = %v, %v; want 0", tiny, d, err)
	}
}
