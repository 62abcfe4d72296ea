package conform

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/theory/dae"
	"pgregory.net/rapid"
)

// daeCase is one dae.u request (tau = 1 units: t = learning rate x steps, the per-mode flow
// du/dt = 2u [(lambda - gamma) - (lambda + sigma2) u]).
type daeCase struct {
	Lambda float64 `json:"lambda"`
	Sigma2 float64 `json:"sigma2"`
	Gamma  float64 `json:"gamma"`
	U0     float64 `json:"u0"`
	T      float64 `json:"t"`
}

func (c daeCase) mode() dae.Mode { return dae.Mode{Lambda: c.Lambda, Sigma2: c.Sigma2, Gamma: c.Gamma} }

func (c daeCase) inputs() map[string]any {
	return map[string]any{"lambda": c.Lambda, "sigma2": c.Sigma2, "gamma": c.Gamma, "u0": c.U0, "t": c.T}
}

func (c daeCase) modeInputs() map[string]any {
	return map[string]any{"lambda": c.Lambda, "sigma2": c.Sigma2, "gamma": c.Gamma}
}

// drawMode draws lambda, sigma2, gamma over [0, hi] with the edges where the closed form changes
// form: lambda = gamma (a = 0), gamma within a relative 1e-9 of lambda (a -> 0, where only expm1
// keeps the digits), lambda = sigma2 = 0 (b = 0), lambda < gamma (u decays to 0).
func drawMode(t *rapid.T, hi float64) (lambda, sigma2, gamma float64) {
	lambda = edged(t, "lambda", rapid.Float64Range(0, hi), 0, 1, hi)
	sigma2 = edged(t, "sigma2", rapid.Float64Range(0, hi), 0, 0.5, hi)
	switch rapid.IntRange(0, 3).Draw(t, "gamma kind") {
	case 0:
		gamma = lambda
	case 1:
		gamma = lambda * (1 + rapid.Float64Range(-1e-9, 1e-9).Draw(t, "gamma offset"))
	default:
		gamma = edged(t, "gamma", rapid.Float64Range(0, hi), 0, 0.05, hi)
	}
	return lambda, sigma2, gamma
}

func drawDAE(t *rapid.T) daeCase {
	l, s, g := drawMode(t, 10)
	return daeCase{Lambda: l, Sigma2: s, Gamma: g,
		U0: edged(t, "u0", rapid.Float64Range(0, 10).Filter(func(u float64) bool { return u > 0 }), 1e-300, 1e-3, 1, 10),
		T:  rapid.OneOf(rapid.Float64Range(0, 100), rapid.Float64Range(0, 100), rapid.SampledFrom([]float64{0, 1e-12, 1e6, 1e300})).Draw(t, "t")}
}

// uTolerance is the tolerance of u(t), the closed form evaluated as 1 / (b g + e^{-2at}/u0),
// g = -expm1(-2at)/a (a = lambda - gamma, b = lambda + sigma2): relative
// 16 eps (4 + (|2at| + |ln u0|) w + |2at| [a < 0]), w = (e^{-2at}/u0) / (b g + e^{-2at}/u0), the
// share of the term whose exponent carries an absolute rounding error of eps (|2at| + |ln u0|)
// (and, for a < 0, that of e^{2|a|t} in g); the denominator is a sum of non-negative terms (no
// cancellation). An absolute floor of the smallest normal float admits an answer that underflows.
func uTolerance(c daeCase, u float64) float64 {
	a, b := c.Lambda-c.Gamma, c.Lambda+c.Sigma2
	x := 2 * a * c.T
	g := 2 * c.T
	if a != 0 {
		g = -math.Expm1(-x) / a
	}
	e := math.Exp(-x - math.Log(c.U0))
	den := e
	if b != 0 {
		den += b * g
	}
	w := 1.0
	if !math.IsInf(den, 0) && den > 0 {
		w = e / den
	}
	rel := 4 + (math.Abs(x)+math.Abs(math.Log(c.U0)))*w
	if a < 0 {
		rel += math.Abs(x)
	}
	return 16*eps*rel*u + 0x1p-1022
}

// monotoneCase is a dae.u/monotone case: one mode and start, u at t = 0 and 2^-j t_max.
type monotoneCase struct {
	Lambda float64 `json:"lambda"`
	Sigma2 float64 `json:"sigma2"`
	Gamma  float64 `json:"gamma"`
	U0     float64 `json:"u0"`
}

// approach is the relative distance |u(t_max) - u*| / |u0 - u*| that t_max guarantees.
const approach = 1e-6

// tMax returns the time after which the closed form is within approach |u0 - u*| of u*
// (derived from it): for a > 0, (u - u*)/(u0 - u*) = (a/u0) E / (b (1 - E) + (a/u0) E),
// E = e^{-2at}, below approach once E <= approach b u0 / a and E <= 1/2; for a < 0,
// u <= u0 e^{2at}; for a = 0, u = u0 / (1 + 2 b u0 t). It returns 0 when u never moves
// (lambda = sigma2 = gamma = 0).
func (c monotoneCase) tMax() float64 {
	a, b := c.Lambda-c.Gamma, c.Lambda+c.Sigma2
	switch {
	case a > 0:
		return math.Max(math.Log(a/(approach*b*c.U0)), math.Log(2/approach)) / (2 * a)
	case a < 0:
		return math.Log(1/approach) / (-2 * a)
	case b > 0:
		return (1/approach - 1) / (2 * b * c.U0)
	}
	return 0
}

func init() {
	define("dae.u/theory",
		"u(t) of a balanced mode (t = learning rate x steps) agrees with theory/dae's closed form a e^{2at} / (b (e^{2at} - 1) + a/u0) (a = lambda - gamma, b = lambda + sigma2; u0/(1 + 2 b u0 t) at a = 0), to 16 eps (4 + (|2at| + |ln u0|) w + |2at| [a < 0]) relative: the rounding of the exponent's argument, weighted by the share w of its term in the denominator",
		200, []string{"dae.u"}, drawDAE,
		func(s *session, c daeCase) verdict {
			want, err := c.mode().U(c.U0, c.T)
			if err != nil {
				s.refuse("dae.u", c.inputs(), "theory/dae: "+err.Error())
				return verdict{}
			}
			var v verdict
			v.close("u", s.answer("dae.u", c.inputs()).float("u"), want, uTolerance(c, want))
			return v
		})
	defineBad("dae.u", 60, drawDAE, daeCase.inputs, append(append(append(append(badFloats("lambda", 0, math.NaN()),
		badFloats("sigma2", 0, math.NaN())...), badFloats("gamma", 0, math.NaN())...),
		set("u0", "0", "u0 = 0 (it must be > 0)"), set("u0", "-1", "u0 = -1"), set("u0", `"NaN"`, "u0 is NaN"), set("u0", `"Infinity"`, "u0 is +Infinity")),
		badFloats("t", 0, math.NaN())...))

	define("dae.ustar/theory",
		"u* = (lambda - gamma)/(lambda + sigma2) when lambda > gamma, exactly 0 otherwise, agrees with theory/dae to 4 eps relative",
		100, []string{"dae.ustar"}, drawDAE,
		func(s *session, c daeCase) verdict {
			want, err := c.mode().UStar()
			if err != nil {
				panic("conform: UStar on a drawn mode: " + err.Error())
			}
			var v verdict
			v.close("u*", s.answer("dae.ustar", c.modeInputs()).float("ustar"), want, 4*eps*want)
			return v
		})
	defineBad("dae.ustar", 40, drawDAE, daeCase.modeInputs, append(append(badFloats("lambda", 0, math.NaN()),
		badFloats("sigma2", 0, math.NaN())...), badFloats("gamma", 0, math.NaN())...))

	define("dae.u/monotone",
		"reference-free: u(0) = u0, and over t = 2^-j t_max (j = 10..0) u moves monotonically from u0 towards u* (dae.ustar) without passing it, and ends within 2e-6 |u0 - u*| of it, t_max being where the closed form guarantees 1e-6 (all to the tolerance of dae.u/theory); u stays at u0 when lambda = sigma2 = gamma = 0",
		100, []string{"dae.u", "dae.ustar"},
		func(t *rapid.T) monotoneCase {
			l, s, g := drawMode(t, 10)
			return monotoneCase{Lambda: l, Sigma2: s, Gamma: g, U0: edged(t, "u0", rapid.Float64Range(1e-6, 10), 1e-6, 1, 10)}
		},
		func(s *session, c monotoneCase) verdict {
			base := daeCase{Lambda: c.Lambda, Sigma2: c.Sigma2, Gamma: c.Gamma, U0: c.U0}
			ustar := s.answer("dae.ustar", base.modeInputs()).float("ustar")
			var v verdict
			want, _ := base.mode().UStar()
			if !v.close("u*", ustar, want, 4*eps*want) {
				return v
			}
			tmax := c.tMax()
			up := c.U0 <= ustar
			prev, prevTol := math.NaN(), 0.0
			times := []float64{0}
			for j := 10; j >= 0 && tmax > 0; j-- {
				times = append(times, math.Ldexp(tmax, -j))
			}
			for _, tt := range times {
				q := base
				q.T = tt
				u := s.answer("dae.u", q.inputs()).float("u")
				tol := uTolerance(q, math.Abs(u))
				if math.IsNaN(u) || math.IsInf(u, 0) {
					v.close(fmt.Sprintf("u(%g)", tt), u, c.U0, tol)
					return v
				}
				if tt == 0 {
					v.close("u(0) - u0", u, c.U0, tol)
				} else {
					dir := u - prev // must have the sign of u* - u0
					if up {
						dir = -dir
					}
					v.le(fmt.Sprintf("u moving away from u* at t = %g", tt), dir, tol+prevTol)
				}
				past := u - ustar // must not pass u*
				if !up {
					past = -past
				}
				v.le(fmt.Sprintf("u passing u* at t = %g", tt), past, tol+4*eps*ustar)
				prev, prevTol = u, tol
			}
			if tmax > 0 {
				v.le("|u(t_max) - u*| - 2e-6 |u0 - u*|", math.Abs(prev-ustar)-2*approach*math.Abs(c.U0-ustar), prevTol+4*eps*ustar)
			} else {
				v.close("u(1) (a mode that cannot move)", s.answer("dae.u", daeCase{U0: c.U0, T: 1}.inputs()).float("u"), c.U0, 4*eps*c.U0)
			}
			return v
		})
}
