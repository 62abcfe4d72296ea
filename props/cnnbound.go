package props

// CNN: Zhou, Feng, "Understanding Generalization and Optimization Performance of Deep CNNs" (ICML
// 2018); the claims are CNN-1 .. CNN-7 of CLAIMS.md. Closed forms: theory/cnnbound.

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// derivTol is the relative tolerance of the log-space slopes: 2n B^2 is exactly affine in ln n,
// ln b_i and ln(1/eps), so a central difference of step 0.01 is exact up to rounding (measured errors
// ~1e-12).
const derivTol = 1e-10

// twoNB2 returns 2 n B(n)^2 = theta varrho + ln(4/eps) for the architecture, through the case's
// Bound.
func (c BoundCase) twoNB2(a cnnbound.Arch, n, eps float64) (float64, error) {
	b, err := orTheory(c.Forms).Bound(a, n, eps)
	return 2 * n * b * b, err
}

// logSlope returns d f / d ln x at x by a central difference with step 0.01 in ln x (exact for f
// affine in ln x, which every use here is).
func logSlope(f func(x float64) (float64, error), x float64) (float64, error) {
	const h = 0.01
	hi, err1 := f(x * math.Exp(h))
	lo, err2 := f(x * math.Exp(-h))
	return (hi - lo) / (2 * h), claim.FirstErr(err1, err2)
}

// BoundCase is a CNN-2 .. CNN-4 case: an architecture, a sample size and eps. Slope, when not 0,
// replaces the claimed slope theta of 2 n B^2 in ln n and ln b_i (the control); Forms, when not
// nil, replaces theory/cnnbound's closed forms (a perturbed formula, the control of
// independence).
type BoundCase struct {
	Arch   cnnbound.Arch
	N, Eps float64
	Slope  float64
	Forms  *cnnForms
}

// slope returns theta recomputed from the built network (builtArch, not theory's Theta: the
// derivatives of theory's B are held to an independent theta) and the slope of 2n B^2 the case
// holds the bound to (theta, or Slope for a control).
func (c BoundCase) slope() (theta, want float64, err error) {
	b, err := newBuilt(c.Arch)
	if err != nil {
		return 0, 0, err
	}
	theta = b.theta()
	want = theta
	if c.Slope != 0 {
		want = c.Slope
	}
	return theta, want, nil
}

func (c BoundCase) label(id string) string {
	return fmt.Sprintf("%s %s n=%.3g eps=%.3g", id, c.Arch.Name, c.N, c.Eps)
}

// CNN2 checks the dependence on n, theta recomputed from the built network: B(n) equals its
// recomputation from the built network (1e-12); d(2n B^2)/d ln n = theta (central difference,
// derivTol); B decreases in n exactly when theta varrho + ln(4/eps) > theta; and B sqrt(n) is not
// constant: (B sqrt(n))^2 grows by theta ln(10)/2 from n to 10 n (1e-10).
func CNN2(c BoundCase) []claim.Result {
	what := c.label("CNN-2")
	theta, want, err := c.slope()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	f := orTheory(c.Forms)
	s, err1 := logSlope(func(n float64) (float64, error) { return c.twoNB2(c.Arch, n, c.Eps) }, c.N)
	num, err2 := c.twoNB2(c.Arch, c.N, c.Eps)
	b0, err3 := f.Bound(c.Arch, c.N, c.Eps)
	b1, err4 := f.Bound(c.Arch, c.N*1.001, c.Eps)
	b10, err5 := f.Bound(c.Arch, 10*c.N, c.Eps)
	built, err6 := newBuilt(c.Arch)
	if err := claim.FirstErr(err1, err2, err3, err4, err5, err6); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	decreasing := b1 < b0
	mono := claim.Result{Case: what + " B decreases in n iff theta varrho + ln(4/eps) > theta", Pass: decreasing == (num > theta),
		Detail: fmt.Sprintf("theta varrho + ln(4/eps) = %.6g, theta = %.6g, B(n) = %.6g, B(1.001 n) = %.6g", num, theta, b0, b1)}
	if !mono.Pass {
		mono.Measured = 1
	}
	grow := 10*c.N*b10*b10 - c.N*b0*b0
	return []claim.Result{
		claim.RelCheck(what+" d(2n B^2)/d ln n = theta", s, want, want, derivTol),
		boundRow(what+" B(n) = the built network's", c.Arch, built, f, c.N, c.Eps),
		mono,
		claim.RelCheck(what+" (B sqrt n)^2 grows by theta ln(10)/2 from n to 10n", grow, theta*math.Ln10/2, theta*math.Ln10/2, 1e-10),
	}
}

// scaleB returns the architecture with every norm bound (or only layer i's, i = len(Layers) for
// the output layer; i < 0 for all) multiplied by c.
func scaleB(a cnnbound.Arch, i int, c float64) cnnbound.Arch {
	out := a
	out.Layers = append([]cnnbound.Layer(nil), a.Layers...)
	for j := range out.Layers {
		if i < 0 || i == j {
			out.Layers[j].B *= c
		}
	}
	if i < 0 || i == len(a.Layers) {
		out.OutB *= c
	}
	return out
}

// CNN3 checks the logarithmic dependence on magnitudes: d(2n B^2)/d ln b_i = theta for every layer
// and the output (central differences, derivTol); scaling every b by c adds (l + 1) theta ln c /
// (2n) to B^2 (1e-10); and against the Sun et al. term (bx = 1, b~ = the largest b) the ratio
// R_m / B grows with c over cs.
func CNN3(c BoundCase, cs []float64) []claim.Result {
	what := c.label("CNN-3")
	theta, want, err := c.slope()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	var out []claim.Result
	for i := 0; i <= len(c.Arch.Layers); i++ {
		s, err := logSlope(func(x float64) (float64, error) {
			return c.twoNB2(scaleB(c.Arch, i, x), c.N, c.Eps)
		}, 1)
		if err != nil {
			return append(out, claim.Failed(what, err))
		}
		out = append(out, claim.RelCheck(fmt.Sprintf("%s d(2n B^2)/d ln b_%d = theta", what, i+1), s, want, want, derivTol))
	}
	l := float64(len(c.Arch.Layers))
	prev := 0.0
	ratioUp := claim.Result{Case: fmt.Sprintf("%s Sun et al. / B grows with the magnitude scale over %v", what, cs), Pass: true}
	for _, k := range cs {
		b0, err1 := orTheory(c.Forms).Bound(c.Arch, c.N, c.Eps)
		bc, err2 := orTheory(c.Forms).Bound(scaleB(c.Arch, -1, k), c.N, c.Eps)
		sun, err3 := scaleB(c.Arch, -1, k).SunRademacher(c.N, 1, k*maxB(c.Arch))
		if err := claim.FirstErr(err1, err2, err3); err != nil {
			return append(out, claim.Failed(what, err))
		}
		add := (l + 1) * theta * math.Log(k) / (2 * c.N)
		out = append(out, claim.RelCheck(fmt.Sprintf("%s B^2 at c=%.3g adds (l+1) theta ln c/(2n)", what, k), bc*bc-b0*b0, add, math.Max(add, b0*b0), 1e-10))
		r := sun / bc
		if !(r > prev) {
			ratioUp.Pass, ratioUp.Measured = false, r-prev
		}
		ratioUp.Detail += fmt.Sprintf("%.4g ", r)
		prev = r
	}
	return append(out, ratioUp)
}

// maxB returns the largest norm bound of the architecture (the Sun et al. b~ used here).
func maxB(a cnnbound.Arch) float64 {
	m := a.OutB
	for _, l := range a.Layers {
		m = math.Max(m, l.B)
	}
	return m
}

// varrhoDiff returns varrho(b) - varrho(a) at n by the case's Varrho (the architectures' own theta
// is not used: the catalogue's CNN-4 statements hold theta fixed).
func (c BoundCase) varrhoDiff(a, b cnnbound.Arch, n float64) (float64, error) {
	f := orTheory(c.Forms)
	va, err1 := f.Varrho(a, n)
	vb, err2 := f.Varrho(b, n)
	return vb - va, claim.FirstErr(err1, err2)
}

// CNN4 checks, at fixed theta (2n B^2 = theta varrho + ln(4/eps) with the base architecture's
// theta), the dependence on layer 1's kernel and stride, the pooling, the channels and eps:
// varrho rises with k_1 and falls with s_1 and is unchanged under (k_1, s_1) -> (k_1 + 1, s_1 + 1);
// doubling p changes 2n B^2 by -(l + 2) theta ln 2 (pLevels, when not 0, replaces l + 2: the
// control); quadrupling d_1 by theta ln(4)/2; d(2n B^2)/d ln(1/eps) = 1; and B^2 is affine in theta
// with slope varrho/(2n) when a rank bound moves theta alone.
func CNN4(c BoundCase, pLevels float64) []claim.Result {
	what := c.label("CNN-4")
	a := c.Arch
	theta, _, err := c.slope()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	l := float64(len(a.Layers))
	if pLevels == 0 {
		pLevels = l + 2
	}
	with := func(f func(x *cnnbound.Arch)) cnnbound.Arch {
		b := a
		b.Layers = append([]cnnbound.Layer(nil), a.Layers...)
		f(&b)
		return b
	}
	// varrho does not depend on the input's size: a variant of layer 1 gets the input that keeps
	// its convolution's output, so every later size (and validity) stays the base's.
	conv, _, err := a.Sizes()
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	refit := func(x *cnnbound.Arch) {
		l0 := x.Layers[0]
		x.R0 = (conv[0].R-1)*l0.S + l0.K
		x.C0 = (conv[0].C-1)*l0.S + l0.K
	}
	k1 := with(func(x *cnnbound.Arch) { x.Layers[0].K++; refit(x) })
	s1 := with(func(x *cnnbound.Arch) { x.Layers[0].K++; x.Layers[0].S++; refit(x) })
	p2 := with(func(x *cnnbound.Arch) { x.P *= 2 })
	d4 := with(func(x *cnnbound.Arch) { x.Layers[0].D *= 4 })
	rank := with(func(x *cnnbound.Arch) { x.Layers[0].A++ })
	f := orTheory(c.Forms)
	dk, err1 := c.varrhoDiff(a, k1, c.N)
	ds, err2 := c.varrhoDiff(k1, s1, c.N) // s up by one at k + 1: (k - s + 1) back to a's
	dks, err3 := c.varrhoDiff(a, s1, c.N)
	dp, err4 := c.varrhoDiff(a, p2, c.N)
	dd, err5 := c.varrhoDiff(a, d4, c.N)
	eps, err6 := logSlope(func(inv float64) (float64, error) { return c.twoNB2(a, c.N, 1/inv) }, 1/c.Eps)
	th2, _, err7 := BoundCase{Arch: rank}.slope()
	b0, err8 := f.Bound(a, c.N, c.Eps)
	b1, err9 := f.Bound(rank, c.N, c.Eps)
	built, err10 := newBuilt(a)
	if err := claim.FirstErr(err1, err2, err3, err4, err5, err6, err7, err8, err9, err10); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	v, _ := built.varrho(c.N) // the slope in theta is the built network's varrho over 2n
	sign := func(name string, ok bool, x float64) claim.Result {
		r := claim.Result{Case: what + " " + name, Pass: ok, Detail: fmt.Sprintf("change of varrho %.6g", x)}
		if !ok {
			r.Measured = x
		}
		return r
	}
	slope := (b1*b1 - b0*b0) / (th2 - theta)
	return []claim.Result{
		sign("B rises with k_1", dk > 0, dk),
		sign("B falls with s_1", ds < 0, ds),
		claim.RelCheck(what+" B unchanged under (k_1, s_1) -> (k_1 + 1, s_1 + 1)", dks, 0, math.Abs(v), 1e-12),
		claim.RelCheck(what+" doubling p changes 2n B^2 by -(l+2) theta ln 2", theta*dp, -pLevels*theta*math.Ln2, pLevels*theta*math.Ln2, 1e-10),
		claim.RelCheck(what+" quadrupling d_1 changes 2n B^2 by theta ln(4)/2", theta*dd, theta*math.Log(4)/2, theta*math.Log(4)/2, 1e-10),
		// The slope 1 is a difference of values of size 2n B^2: rounding scales with that size.
		claim.RelCheck(what+" d(2n B^2)/d ln(1/eps) = 1", eps, 1, math.Max(1, 2*c.N*b0*b0), derivTol),
		claim.RelCheck(what+" B^2 affine in theta with slope varrho/(2n)", slope, v/(2*c.N), math.Abs(v/(2*c.N)), 1e-9),
	}
}

// identicalLayers returns an architecture of l identical 1 x 1 layers (k = s = 1, d channels,
// bound b, pooling 1) on an 8 x 8 x d input: the sizes never change, so each layer adds the same
// log term.
func identicalLayers(l, d int, b float64) cnnbound.Arch {
	a := cnnbound.Arch{Name: fmt.Sprintf("1x1^%d", l), R0: 8, C0: 8, D0: d, P: 1, Out: 10, OutA: 5, OutB: 3}
	for range l {
		a.Layers = append(a.Layers, cnnbound.Layer{K: 1, S: 1, D: d, A: 2, B: b})
	}
	return a
}

// CNN5 checks depth: B moves down from shallow to deep for one pair and up for the other (it is
// not monotone in depth); for identical layers varrho is affine in l (second differences 0 to
// 1e-12 of its size) and each added layer adds the built layer's own log term
// ln(sqrt(d) b (k - s + 1) / (4p)) (1e-12). forms nil means theory's closed forms.
func CNN5(down, up [2]cnnbound.Arch, n, eps float64, forms *cnnForms) []claim.Result {
	f := orTheory(forms)
	var out []claim.Result
	for k, pair := range [][2]cnnbound.Arch{down, up} {
		b0, err1 := f.Bound(pair[0], n, eps)
		b1, err2 := f.Bound(pair[1], n, eps)
		if err := claim.FirstErr(err1, err2); err != nil {
			return append(out, claim.Failed("CNN-5", err))
		}
		ok := b1 < b0
		dir := "falls"
		if k == 1 {
			ok, dir = b1 > b0, "rises"
		}
		r := claim.Result{Case: fmt.Sprintf("CNN-5 B %s from %s to %s (n=%.3g)", dir, pair[0].Name, pair[1].Name, n), Pass: ok,
			Detail: fmt.Sprintf("B = %.6g and %.6g", b0, b1)}
		if !ok {
			r.Measured = b1 - b0
		}
		out = append(out, r)
	}
	var vs []float64
	for l := 1; l <= 5; l++ {
		v, err := f.Varrho(identicalLayers(l, 4, 3), n)
		if err != nil {
			return append(out, claim.Failed("CNN-5", err))
		}
		vs = append(vs, v)
	}
	built, err := newBuilt(identicalLayers(1, 4, 3))
	if err != nil {
		return append(out, claim.Failed("CNN-5", err))
	}
	term := built.varrhoTerms(n)[0]
	worst, scale := 0.0, 0.0
	for i := 2; i < len(vs); i++ {
		worst = math.Max(worst, math.Abs(vs[i]-2*vs[i-1]+vs[i-2]))
		scale = math.Max(scale, math.Abs(vs[i]))
	}
	return append(out, claim.RelCheck("CNN-5 identical layers: varrho affine in l (second differences)", worst, 0, scale, 1e-12),
		claim.RelCheck("CNN-5 identical layers: each layer adds the built layer's log term", vs[1]-vs[0], term, scale, 1e-12))
}

// CNN3Depth checks the depth half of CNN-3's comparison: over l identical 1 x 1 layers (l in ls,
// norm bound b, pooling 1; see identicalLayers) the Sun et al. term over B grows with l (Sun et
// al. with bx = 1 and b~ = b: a lower value of their b~, which must bound every entrywise l1 norm,
// so the growth shown is the least theirs can have).
func CNN3Depth(ls []int, b, n, eps float64) claim.Result {
	r := claim.Result{Case: fmt.Sprintf("CNN-3 Sun et al. / B grows with depth over l = %v (b = %.3g, n = %.3g)", ls, b, n), Pass: true}
	prev := 0.0
	for _, l := range ls {
		a := identicalLayers(l, 4, b)
		bb, err1 := a.Bound(n, eps)
		sun, err2 := a.SunRademacher(n, 1, b)
		if err := claim.FirstErr(err1, err2); err != nil {
			return claim.Failed(r.Case, err)
		}
		ratio := sun / bb
		if !(ratio > prev) {
			r.Pass, r.Measured = false, ratio-prev
		}
		r.Detail += fmt.Sprintf("%.4g ", ratio)
		prev = ratio
	}
	return r
}
