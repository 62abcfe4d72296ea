package conform

import (
	"math"

	"github.com/dlt5/verify/theory/meanfield"
	"pgregory.net/rapid"
)

// quadEps is the relative accuracy the meanfield tolerances start from: PROTOCOL.md asks for
// Gaussian expectations to 1e-11 relative, and the suite's quadrature reaches about 1e-14
// (theory/meanfield.Expect); 1e-10 leaves a factor 10 for both. A quantity found as a fixed point
// x = f(x) is then accurate to quadEps / (1 - f'(x)) (the map's own error divided by the distance
// of its slope from 1), which the tolerances below carry.
const quadEps = 1e-10

// vanillaCase is a vanilla tanh RNN: sw2, sv2, sb2 are variances (W_ij ~ N(0, sw2/N)), R the
// input's per-unit second moment; the drive is s = sv2 R + sb2, of which sequences with
// independent inputs share sb2.
type vanillaCase struct {
	SW2 float64 `json:"sw2"`
	SV2 float64 `json:"sv2"`
	SB2 float64 `json:"sb2"`
	R   float64 `json:"R"`
}

func (c vanillaCase) inputs() map[string]any {
	return map[string]any{"sw2": c.SW2, "sv2": c.SV2, "sb2": c.SB2, "R": c.R}
}

func (c vanillaCase) drive() float64 { return c.SV2*c.R + c.SB2 }

// drawTimescale is drawVanilla with the shared drive sb2 and the independent part sv2 R either 0
// or at least 1e-6. Between, the stationary covariance (near sb2) is below the quadrature's
// absolute error (~1e-17) in the covariance map, and theory/meanfield.VanillaCorrelation can take
// the wrong root: at sw2 = 7.08, sv2 R = 4.3e-61, sb2 = 5.0e-133 it returns c* = 1 with
// chi_c* = 1.69 (no timescale), where c* ~ 3e-133 and chi_c* = 0.63 (found by this property
// against the Python program).
func drawTimescale(t *rapid.T) vanillaCase {
	c := drawVanilla(t)
	if c.SB2 < 1e-6 {
		c.SB2 = 0
	}
	if c.SV2*c.R < 1e-6 {
		c.R = 0
	}
	return c
}

// drawVanilla draws the variances over [0, 10] with their edges, and one case in eight at the
// critical point sw2 = 1 with no drive (q* = 0, chi_1 = 1; the variance map's slope is 1 there and
// a program that iterates the map creeps towards 0 as 1/(2t)), which the edges alone reach about
// once in 400 cases.
func drawVanilla(t *rapid.T) vanillaCase {
	c := vanillaCase{
		SW2: edged(t, "sw2", rapid.Float64Range(0, 10), 0, 1, 10),
		SV2: edged(t, "sv2", rapid.Float64Range(0, 10), 0, 10),
		SB2: edged(t, "sb2", rapid.Float64Range(0, 10), 0, 1e-3, 10),
		R:   edged(t, "R", rapid.Float64Range(0, 10), 0, 1, 10),
	}
	if rapid.IntRange(0, 7).Draw(t, "critical") == 7 {
		c.SW2, c.SB2, c.R = 1, 0, 0
	}
	return c
}

// vanillaRef returns q*, chi_1 and the conditioning k = 1/(1 - V'(q*)) of the fixed point (V the
// variance map; its slope by a central difference; V'(0) = sw2). With no drive and sw2 <= 1, q* = 0
// exactly (PROTOCOL.md) and chi_1 = sw2 E[tanh'(0)^2] = sw2: k = 1, so that q* must be 0 and
// chi_1 within 3e-10 of sw2 there. (The conditioning 1/(1 - sw2) was +Inf at the critical point
// sw2 = 1, and made the tolerance +Inf: any q* and chi_1 passed.)
func vanillaRef(c vanillaCase) (q, chi, k float64) {
	s := c.drive()
	q, err := meanfield.VanillaFixedPoint(c.SW2, s)
	if err != nil {
		panic("conform: VanillaFixedPoint on a drawn case: " + err.Error())
	}
	if chi, err = meanfield.VanillaChi1(c.SW2, q); err != nil {
		panic("conform: VanillaChi1 on a drawn case: " + err.Error())
	}
	if s == 0 && c.SW2 <= 1 {
		return q, chi, 1
	}
	slope := c.SW2
	if q > 0 {
		const h = 1e-5
		hi, err1 := meanfield.VarianceMap(q*(1+h), c.SW2, s)
		lo, err2 := meanfield.VarianceMap(q*(1-h), c.SW2, s)
		if err1 != nil || err2 != nil {
			panic("conform: VarianceMap on a drawn case")
		}
		slope = (hi - lo) / (2 * q * h)
	}
	return q, chi, conditioning(slope)
}

// conditioning is 1/(1 - slope), +Inf at or beyond a slope of 1.
func conditioning(slope float64) float64 {
	if slope >= 1 {
		return math.Inf(1)
	}
	return 1 / (1 - slope)
}

// relTol returns rel |x|, or 0 for x = 0 with a finite rel, +Inf for an infinite rel.
func relTol(rel, x float64) float64 {
	if math.IsInf(rel, 1) {
		return rel
	}
	return rel * math.Abs(x)
}

// minimalCase is a minimalRNN: gate mean mu_b, standard deviations sw, sv, sb (W_ij ~ N(0,
// sw^2/N)), input second moment R.
type minimalCase struct {
	MuB float64 `json:"mu_b"`
	SW  float64 `json:"sw"`
	SV  float64 `json:"sv"`
	SB  float64 `json:"sb"`
	R   float64 `json:"R"`
}

func (c minimalCase) model() meanfield.Minimal {
	return meanfield.Minimal{MuB: c.MuB, SW: c.SW, SV: c.SV, SB: c.SB, R: c.R}
}

func (c minimalCase) inputs() map[string]any {
	return map[string]any{"mu_b": c.MuB, "sw": c.SW, "sv": c.SV, "sb": c.SB, "R": c.R}
}

func drawMinimal(t *rapid.T) minimalCase {
	return minimalCase{
		MuB: edged(t, "mu_b", rapid.Float64Range(-6, 6), -6, 0, 6),
		SW:  edged(t, "sw", rapid.Float64Range(0, 3), 0, 3),
		SV:  edged(t, "sv", rapid.Float64Range(0, 3), 0, 3),
		SB:  edged(t, "sb", rapid.Float64Range(0, 3), 0, 3),
		R:   edged(t, "R", rapid.Float64Range(0.01, 4), 0.01, 1, 4),
	}
}

// minimalRef is theory/meanfield's answer for a minimalRNN, with the fixed point's conditioning.
type minimalRef struct {
	q, chi, xi float64
	xiOK       bool
	k          float64
}

func minimalReference(c minimalCase) minimalRef {
	m := c.model()
	var r minimalRef
	var err error
	if r.q, err = m.QStar(); err != nil {
		panic("conform: QStar on a drawn case: " + err.Error())
	}
	if r.chi, err = m.Chi1(); err != nil {
		panic("conform: Chi1 on a drawn case: " + err.Error())
	}
	r.xi, err = m.Xi()
	r.xiOK = err == nil
	const h = 1e-5
	hi, err1 := m.QMap(r.q * (1 + h))
	lo, err2 := m.QMap(r.q * (1 - h))
	if err1 != nil || err2 != nil {
		panic("conform: QMap on a drawn case")
	}
	r.k = conditioning((hi - lo) / (2 * r.q * h))
	return r
}

func init() {
	define("meanfield.vanilla/theory",
		"q* (the fixed point of q = sw2 E[tanh(sqrt(q) z)^2] + sv2 R + sb2) and chi_1 = sw2 E[tanh'(sqrt(q*) z)^2] agree with theory/meanfield to 1e-10 k and 1e-10 (2 + k) relative, k = 1/(1 - V'(q*)) the fixed point's conditioning (q* = 0 exactly when sv2 R + sb2 = 0 and sw2 <= 1)",
		60, []string{"meanfield.vanilla"}, drawVanilla,
		func(s *session, c vanillaCase) verdict {
			q, chi, k := vanillaRef(c)
			res := s.answer("meanfield.vanilla", c.inputs())
			var v verdict
			v.close("qstar", res.float("qstar"), q, relTol(quadEps*k, q))
			v.close("chi1", res.float("chi1"), chi, relTol(quadEps*(2+k), chi))
			return v
		})
	defineBad("meanfield.vanilla", 30, drawVanilla, vanillaCase.inputs, append(append(append(badFloats("sw2", 0, math.NaN()),
		badFloats("sv2", 0, math.NaN())...), badFloats("sb2", 0, math.NaN())...), badFloats("R", 0, math.NaN())...))

	define("meanfield.vanilla_timescale/theory",
		"the timescale xi = -1/ln chi_c* of two sequences with independent inputs through the same vanilla network (they share sb2 of the drive) agrees with theory/meanfield.VanillaCorrelation to 1e-10 (2 + k + k_c) / |ln chi_c*| relative, k_c = 1/(1 - chi_c*) the conditioning of the stationary covariance; null exactly when there is none (q* = 0, or chi_c* >= 1), either when the tolerance reaches 1; sb2 and sv2 R are 0 or >= 1e-6 (below, the reference takes the wrong root)",
		16, []string{"meanfield.vanilla_timescale"}, drawTimescale,
		func(s *session, c vanillaCase) verdict {
			type ref struct {
				corr  meanfield.Correlation
				err   error
				k     float64
				hasXi bool
			}
			done := make(chan ref, 1)
			go func() { // the reference costs as much as the answer: compute it meanwhile
				var r ref
				_, _, r.k = vanillaRef(c)
				r.corr, r.err = meanfield.VanillaCorrelation(c.SW2, c.drive(), c.SB2)
				r.hasXi = r.err == nil && r.corr.ChiC > 0 && r.corr.ChiC < 1
				done <- r
			}()
			res := s.answer("meanfield.vanilla_timescale", c.inputs())
			r := <-done
			got, ok := res.maybeFloat("timescale")
			var v verdict
			if !r.hasXi {
				if ok {
					failNow(classWrong, "a timescale where there is none (theory/meanfield: q* = 0 or chi_c* >= 1)")
				}
				return v
			}
			chi := r.corr.ChiC
			xi := -1 / math.Log(chi)
			rel := quadEps * (2 + r.k + conditioning(chi)) / math.Abs(math.Log(chi))
			if !ok {
				if rel < 1 {
					failNow(classWrong, "null where the timescale is finite")
				}
				return v
			}
			v.close("timescale", got, xi, relTol(rel, xi))
			return v
		})
	defineBad("meanfield.vanilla_timescale", 20, drawVanilla, vanillaCase.inputs, append(append(append(badFloats("sw2", 0, math.NaN()),
		badFloats("sv2", 0, math.NaN())...), badFloats("sb2", 0, math.NaN())...), badFloats("R", 0, math.NaN())...))

	define("meanfield.minimal/theory",
		"the minimalRNN's Q* (self-consistent Q = R E[(1-u)^2]/(1 - E[u^2]), gate u = sigmoid(e), e ~ N(mu_b, sw^2 Q + sv^2 R + sb^2), sw, sv, sb standard deviations), chi_1 = E[u^2] + sw^2 E[u'^2](Q* + R) and xi = -1/ln chi_ab (independent inputs) agree with theory/meanfield to 1e-10 k, 1e-10 (2 + k) and 1e-10 (2 + k) d/((1 - d)|ln(1 - d)|) relative, k = 1/(1 - dQmap/dQ at Q*), d = 1 - chi_ab",
		20, []string{"meanfield.minimal"}, drawMinimal,
		func(s *session, c minimalCase) verdict {
			done := make(chan minimalRef, 1)
			go func() { done <- minimalReference(c) }()
			res := s.answer("meanfield.minimal", c.inputs())
			r := <-done
			var v verdict
			v.close("Qstar", res.float("Qstar"), r.q, relTol(quadEps*r.k, r.q))
			v.close("chi1", res.float("chi1"), r.chi, relTol(quadEps*(2+r.k), r.chi))
			xi, ok := res.maybeFloat("xi")
			switch {
			case ok && r.xiOK:
				d := -math.Expm1(-1 / r.xi)
				v.close("xi", xi, r.xi, relTol(quadEps*(2+r.k)*d/((1-d)*math.Abs(math.Log1p(-d))), r.xi))
			case ok != r.xiOK:
				failNow(classWrong, "xi is null exactly when theory/meanfield has no finite timescale; here the program and theory differ")
			}
			return v
		})
	defineBad("meanfield.minimal", 30, drawMinimal, minimalCase.inputs, append(append(append(append(badFloats("mu_b", math.NaN(), math.NaN()),
		badFloats("sw", 0, math.NaN())...), badFloats("sv", 0, math.NaN())...), badFloats("sb", 0, math.NaN())...),
		set("R", "0", "R = 0 (it must be > 0)"), set("R", "-1", "R = -1"), set("R", `"NaN"`, "R is NaN"), set("R", `"Infinity"`, "R is +Infinity")))
}
