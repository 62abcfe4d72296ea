package weights

import (
	"errors"
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Law is a distribution of a weight row w in R^d.
type Law interface {
	// Name is a short label for tables and failure messages.
	Name() string
	// Validate reports a parameter outside the law's domain.
	Validate() error
	// SecondMoment returns E|w|^2 for rows of length d.
	SecondMoment(d int) float64
	// RotationallyInvariant reports whether Qw has the law of w for every orthogonal Q.
	RotationallyInvariant() bool
	// Symmetric reports whether -w has the law of w.
	Symmetric() bool
	// Fill overwrites w with one draw.
	Fill(rng *rand.Rand, w []float64)
}

// Projector is a rotationally invariant law that draws the projection of a row onto k orthonormal
// directions without drawing the row: for such a law Q^T w has the law of w's first k coordinates
// for every d x k matrix Q with orthonormal columns, so a layer's pre-activations W h on m inputs
// (rank <= m) need m draws a row instead of d (numeric/kernel.ProjectedNetwork).
type Projector interface {
	Law
	// Project overwrites p with the first len(p) coordinates of one draw of a row of length d
	// (d < len(p) is read as d = len(p)).
	Project(rng *rand.Rand, d int, p []float64)
}

// FourthMomenter is a law that knows E|w|^4 (needed by robust, moment-based bounds).
type FourthMomenter interface {
	FourthMoment(d int) float64
}

// Check returns an error for a nil law, including a typed nil (a nil pointer to a law, whose
// methods panic), and otherwise the law's own Validate error. Every function that accepts a Law
// calls it first.
func Check(law Law) error {
	if fp.IsNil(law) {
		return errors.New("weights: the law is nil")
	}
	return law.Validate()
}

// pairs returns d (d + 2) in float64 (the int product overflows for d near MaxInt).
func pairs(d int) float64 { return float64(d) * (float64(d) + 2) }

// checkScale returns an error unless s is finite and > 0 with s^2 a normal float64 (about
// 1.5e-154 <= s <= 1.3e154): a coordinate's variance must be representable, or the draws and the
// moments (E|w|^2 = s^2 d) overflow or underflow.
func checkScale(name string, s float64) error {
	if !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("weights: %s scale %v must be finite and > 0", name, s)
	}
	if v := s * s; math.IsInf(v, 0) || v < minVariance {
		return fmt.Errorf("weights: %s scale %v has a variance s^2 = %v outside float64's normal range", name, s, v)
	}
	return nil
}

// minVariance is the smallest normal float64, the least variance a coordinate may have.
const minVariance = 0x1p-1022

// Gaussian is w ~ N(0, Scale^2 I): E|w|^2 = Scale^2 d, E|w|^4 = Scale^4 d (d + 2).
type Gaussian struct{ Scale float64 }

// Name implements Law.
func (g Gaussian) Name() string { return "gauss" }

// Validate implements Law.
func (g Gaussian) Validate() error { return checkScale("gaussian", g.Scale) }

// SecondMoment implements Law.
func (g Gaussian) SecondMoment(d int) float64 { return g.Scale * g.Scale * float64(d) }

// FourthMoment implements FourthMomenter.
func (g Gaussian) FourthMoment(d int) float64 { return math.Pow(g.Scale, 4) * pairs(d) }

// RotationallyInvariant implements Law.
func (g Gaussian) RotationallyInvariant() bool { return true }

// Symmetric implements Law.
func (g Gaussian) Symmetric() bool { return true }

// Fill implements Law.
func (g Gaussian) Fill(rng *rand.Rand, w []float64) {
	for i := range w {
		w[i] = g.Scale * rng.NormFloat64()
	}
}

// Project implements Projector: the coordinates are independent.
func (g Gaussian) Project(rng *rand.Rand, _ int, p []float64) { g.Fill(rng, p) }

// StudentT is the multivariate Student-t law with Nu > 2 degrees of freedom, scaled so each
// coordinate has variance Scale^2: w = Scale sqrt((Nu-2)/Nu) g / sqrt(V/Nu), g ~ N(0, I),
// V ~ chi^2_Nu. E|w|^2 = Scale^2 d; E|w|^4 = Scale^4 d (d+2) (Nu-2)/(Nu-4), infinite for Nu <= 4.
type StudentT struct{ Nu, Scale float64 }

// Name implements Law.
func (t StudentT) Name() string { return fmt.Sprintf("student-t(nu=%g)", t.Nu) }

// Validate implements Law.
func (t StudentT) Validate() error {
	if !(t.Nu > 2) || math.IsInf(t.Nu, 0) {
		return fmt.Errorf("weights: Student-t needs finite nu > 2 for a finite variance, got %v", t.Nu)
	}
	return checkScale("Student-t", t.Scale)
}

// SecondMoment implements Law.
func (t StudentT) SecondMoment(d int) float64 { return t.Scale * t.Scale * float64(d) }

// FourthMoment implements FourthMomenter.
func (t StudentT) FourthMoment(d int) float64 {
	if t.Nu <= 4 {
		return math.Inf(1)
	}
	return math.Pow(t.Scale, 4) * pairs(d) * (t.Nu - 2) / (t.Nu - 4)
}

// RotationallyInvariant implements Law.
func (t StudentT) RotationallyInvariant() bool { return true }

// Symmetric implements Law.
func (t StudentT) Symmetric() bool { return true }

// Fill implements Law.
func (t StudentT) Fill(rng *rand.Rand, w []float64) {
	v := distuv.ChiSquared{K: t.Nu, Src: rng}.Rand()
	c := t.Scale * math.Sqrt((t.Nu-2)/v)
	for i := range w {
		w[i] = c * rng.NormFloat64()
	}
}

// Project implements Projector: given the row's chi^2 the coordinates are independent.
func (t StudentT) Project(rng *rand.Rand, _ int, p []float64) { t.Fill(rng, p) }

// Sphere is w uniform on the sphere of radius Radius: w = Radius g/|g|. E|w|^2 = Radius^2 and
// E|w|^4 = Radius^4 for every d.
type Sphere struct{ Radius float64 }

// Name implements Law.
func (s Sphere) Name() string { return "sphere" }

// Validate implements Law.
func (s Sphere) Validate() error { return checkScale("sphere", s.Radius) }

// SecondMoment implements Law.
func (s Sphere) SecondMoment(int) float64 { return s.Radius * s.Radius }

// FourthMoment implements FourthMomenter.
func (s Sphere) FourthMoment(int) float64 { return math.Pow(s.Radius, 4) }

// RotationallyInvariant implements Law.
func (s Sphere) RotationallyInvariant() bool { return true }

// Symmetric implements Law.
func (s Sphere) Symmetric() bool { return true }

// Fill implements Law: a projection onto all d coordinates.
func (s Sphere) Fill(rng *rand.Rand, w []float64) { s.Project(rng, len(w), w) }

// Project implements Projector: w = Radius g/|g| with g ~ N(0, I_d), of which the first k
// coordinates are drawn and the rest enter only through |g|^2, a chi^2 with d - k degrees of
// freedom.
func (s Sphere) Project(rng *rand.Rand, d int, p []float64) {
	if len(p) == 0 {
		return
	}
	rest := distuv.ChiSquared{K: float64(d - len(p)), Src: rng}
	var n float64
	for n == 0 {
		n = 0
		for i := range p {
			p[i] = rng.NormFloat64()
			n += p[i] * p[i]
		}
		if d > len(p) {
			n += rest.Rand()
		}
	}
	c := s.Radius / math.Sqrt(n)
	for i := range p {
		p[i] *= c
	}
}

// GaussMixture is the Gaussian scale mixture w = Scale sqrt(V) g, g ~ N(0, I), where V = Low with
// probability P and V = (1 - P Low)/(1 - P) otherwise, so E V = 1. Needs 0 < Low <= 1, 0 < P < 1.
// E|w|^2 = Scale^2 d; E|w|^4 = Scale^4 d (d + 2) E V^2.
type GaussMixture struct{ Scale, Low, P float64 }

func (m GaussMixture) high() float64 { return (1 - m.P*m.Low) / (1 - m.P) }

// Name implements Law.
func (m GaussMixture) Name() string { return fmt.Sprintf("gauss-mix(low=%g,p=%g)", m.Low, m.P) }

// Validate implements Law.
func (m GaussMixture) Validate() error {
	if !(m.Low > 0 && m.Low <= 1) || !(m.P > 0 && m.P < 1) {
		return fmt.Errorf("weights: scale mixture needs 0 < Low <= 1 and 0 < P < 1, got Low=%v P=%v", m.Low, m.P)
	}
	return checkScale("scale-mixture", m.Scale)
}

// SecondMoment implements Law.
func (m GaussMixture) SecondMoment(d int) float64 { return m.Scale * m.Scale * float64(d) }

// FourthMoment implements FourthMomenter.
func (m GaussMixture) FourthMoment(d int) float64 {
	h := m.high()
	ev2 := m.P*m.Low*m.Low + (1-m.P)*h*h
	return math.Pow(m.Scale, 4) * pairs(d) * ev2
}

// RotationallyInvariant implements Law.
func (m GaussMixture) RotationallyInvariant() bool { return true }

// Symmetric implements Law.
func (m GaussMixture) Symmetric() bool { return true }

// Fill implements Law.
func (m GaussMixture) Fill(rng *rand.Rand, w []float64) {
	v := m.high()
	if rng.Float64() < m.P {
		v = m.Low
	}
	c := m.Scale * math.Sqrt(v)
	for i := range w {
		w[i] = c * rng.NormFloat64()
	}
}

// Project implements Projector: given the row's scale the coordinates are independent.
func (m GaussMixture) Project(rng *rand.Rand, _ int, p []float64) { m.Fill(rng, p) }

// Uniform has i.i.d. coordinates uniform on [-sqrt(3) Scale, sqrt(3) Scale] (variance Scale^2).
type Uniform struct{ Scale float64 }

// Name implements Law.
func (u Uniform) Name() string { return "iid-uniform" }

// Validate implements Law.
func (u Uniform) Validate() error { return checkScale("uniform", u.Scale) }

// SecondMoment implements Law.
func (u Uniform) SecondMoment(d int) float64 { return u.Scale * u.Scale * float64(d) }

// RotationallyInvariant implements Law.
func (u Uniform) RotationallyInvariant() bool { return false }

// Symmetric implements Law.
func (u Uniform) Symmetric() bool { return true }

// Fill implements Law.
func (u Uniform) Fill(rng *rand.Rand, w []float64) {
	c := math.Sqrt(3) * u.Scale
	for i := range w {
		w[i] = c * (2*rng.Float64() - 1)
	}
}

// Rademacher has i.i.d. coordinates +-Scale with probability 1/2 each.
type Rademacher struct{ Scale float64 }

// Name implements Law.
func (r Rademacher) Name() string { return "iid-rademacher" }

// Validate implements Law.
func (r Rademacher) Validate() error { return checkScale("Rademacher", r.Scale) }

// SecondMoment implements Law.
func (r Rademacher) SecondMoment(d int) float64 { return r.Scale * r.Scale * float64(d) }

// RotationallyInvariant implements Law.
func (r Rademacher) RotationallyInvariant() bool { return false }

// Symmetric implements Law.
func (r Rademacher) Symmetric() bool { return true }

// Fill implements Law.
func (r Rademacher) Fill(rng *rand.Rand, w []float64) {
	for i := 0; i < len(w); i += 64 {
		bits := rng.Uint64()
		for j := i; j < len(w) && j < i+64; j++ {
			w[j] = r.Scale * float64(int64(bits&1)*2-1)
			bits >>= 1
		}
	}
}

// Laplace has i.i.d. Laplace coordinates with variance Scale^2 (density exp(-|u|/b)/(2b),
// b = Scale/sqrt(2)).
type Laplace struct{ Scale float64 }

// Name implements Law.
func (l Laplace) Name() string { return "iid-laplace" }

// Validate implements Law.
func (l Laplace) Validate() error { return checkScale("Laplace", l.Scale) }

// SecondMoment implements Law.
func (l Laplace) SecondMoment(d int) float64 { return l.Scale * l.Scale * float64(d) }

// RotationallyInvariant implements Law.
func (l Laplace) RotationallyInvariant() bool { return false }

// Symmetric implements Law.
func (l Laplace) Symmetric() bool { return true }

// Fill implements Law.
func (l Laplace) Fill(rng *rand.Rand, w []float64) {
	b := l.Scale / math.Sqrt2
	for i := range w {
		e := rng.ExpFloat64()
		if rng.Uint64()&1 == 0 {
			e = -e
		}
		w[i] = b * e
	}
}

// CentredExp has i.i.d. coordinates Scale (E - 1), E ~ Exp(1): mean 0, variance Scale^2, skewed.
type CentredExp struct{ Scale float64 }

// Name implements Law.
func (c CentredExp) Name() string { return "iid-centred-exp" }

// Validate implements Law.
func (c CentredExp) Validate() error { return checkScale("centred exponential", c.Scale) }

// SecondMoment implements Law.
func (c CentredExp) SecondMoment(d int) float64 { return c.Scale * c.Scale * float64(d) }

// RotationallyInvariant implements Law.
func (c CentredExp) RotationallyInvariant() bool { return false }

// Symmetric implements Law.
func (c CentredExp) Symmetric() bool { return false }

// Fill implements Law.
func (c CentredExp) Fill(rng *rand.Rand, w []float64) {
	for i := range w {
		w[i] = c.Scale * (rng.ExpFloat64() - 1)
	}
}

// Scaled is the law of C w for w drawn from Law and a constant C > 0. Scaling keeps rotational
// invariance and symmetry; it multiplies E|w|^2 by C^2 and E|w|^4 by C^4. Valid when C and Law
// are, and the scaled coordinate variance C^2 E|w|^2 (d = 1) is a normal float64.
type Scaled struct {
	Law Law
	C   float64
}

// Name implements Law.
func (s Scaled) Name() string {
	if fp.IsNil(s.Law) {
		return fmt.Sprintf("%g*<nil>", s.C)
	}
	return fmt.Sprintf("%g*%s", s.C, s.Law.Name())
}

// Validate implements Law.
func (s Scaled) Validate() error {
	if fp.IsNil(s.Law) {
		return fmt.Errorf("weights: scaled law has no base law")
	}
	if err := checkScale("scaling constant", s.C); err != nil {
		return err
	}
	if err := s.Law.Validate(); err != nil {
		return err
	}
	if v := s.C * s.C * s.Law.SecondMoment(1); math.IsInf(v, 0) || !(v >= minVariance) {
		return fmt.Errorf("weights: %s has a coordinate variance %v outside float64's normal range", s.Name(), v)
	}
	return nil
}

// SecondMoment implements Law.
func (s Scaled) SecondMoment(d int) float64 { return s.C * s.C * s.Law.SecondMoment(d) }

// RotationallyInvariant implements Law.
func (s Scaled) RotationallyInvariant() bool { return s.Law.RotationallyInvariant() }

// Symmetric implements Law.
func (s Scaled) Symmetric() bool { return s.Law.Symmetric() }

// Fill implements Law.
func (s Scaled) Fill(rng *rand.Rand, w []float64) {
	s.Law.Fill(rng, w)
	for i := range w {
		w[i] *= s.C
	}
}

// FourthMoment returns C^4 E|w|^4, or +Inf when the base law does not know its fourth moment.
func (s Scaled) FourthMoment(d int) float64 {
	if f, ok := s.Law.(FourthMomenter); ok {
		return math.Pow(s.C, 4) * f.FourthMoment(d)
	}
	return math.Inf(1)
}

// RadialKurtosis returns E|w|^4 / (E|w|^2)^2 for rows of length d >= 1. Errors: a nil or invalid
// law (Check), d < 1, a law that does not know its fourth moment or whose fourth moment is
// infinite, and moments that are not representable in float64 at this scale and d (E|w|^4
// overflowing, or E|w|^2 underflowing to 0).
func RadialKurtosis(law Law, d int) (float64, error) {
	if err := Check(law); err != nil {
		return 0, err
	}
	if d < 1 {
		return 0, fmt.Errorf("weights: row length d = %d must be >= 1", d)
	}
	f, ok := law.(FourthMomenter)
	if !ok {
		return 0, fmt.Errorf("weights: %s does not state its fourth moment", law.Name())
	}
	m4, m2 := f.FourthMoment(d), law.SecondMoment(d)
	if math.IsInf(m4, 0) || math.IsNaN(m4) {
		return 0, fmt.Errorf("weights: %s has no finite fourth moment at d = %d (or it overflows float64)", law.Name(), d)
	}
	if !(m2 > 0) || math.IsInf(m2, 0) || !(m4 > 0) {
		return 0, fmt.Errorf("weights: %s has E|w|^2 = %v and E|w|^4 = %v at d = %d, not representable in float64", law.Name(), m2, m4, d)
	}
	k := m4 / (m2 * m2)
	if math.IsInf(m2*m2, 0) {
		k = m4 / m2 / m2 // (E|w|^2)^2 alone overflows
	}
	if !(k > 0) || math.IsInf(k, 0) {
		return 0, fmt.Errorf("weights: the radial kurtosis of %s at d = %d is not representable in float64", law.Name(), d)
	}
	return k, nil
}
