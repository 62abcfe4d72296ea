package cnnbound

import (
	"errors"
	"fmt"
	"math"
)

// Layer is one convolutional layer: D kernels of size K x K x (the previous depth), stride S, the
// rank bound A of the matrix of its vectorised kernels, and the Frobenius-norm bound B of each
// kernel (catalogue, Model).
type Layer struct {
	K, S, D, A int
	B          float64
}

// Arch is a CNN of the paper: an R0 x C0 x D0 input with entries in [0, 1], the convolutional
// Layers, each followed by a sigmoid and non-overlapping P x P average pooling, and a fully
// connected output layer of Out classes with rank bound OutA and Frobenius-norm bound OutB, then
// a softmax and the squared loss.
type Arch struct {
	Name       string
	R0, C0, D0 int
	P          int
	Layers     []Layer
	Out, OutA  int
	OutB       float64
}

// Size is a feature map's rows, columns and depth.
type Size struct{ R, C, D int }

// Sizes returns, per layer, the convolution's output before pooling (r_i, c_i, d_i) and after
// pooling (rt_i = r_i / p, ct_i, d_i), by the recursion r_i = (rt_{i-1} - k_i)/s_i + 1 with
// rt_0 = r0 (catalogue, Model). Errors: an invalid architecture (see Validate).
func (a Arch) Sizes() (conv, pooled []Size, err error) {
	if err := a.counts(); err != nil {
		return nil, nil, err
	}
	in := Size{a.R0, a.C0, a.D0}
	for i, l := range a.Layers {
		if l.K > in.R || l.K > in.C {
			return nil, nil, fmt.Errorf("cnnbound: layer %d: kernel %d larger than its %d x %d input", i+1, l.K, in.R, in.C)
		}
		if (in.R-l.K)%l.S != 0 || (in.C-l.K)%l.S != 0 {
			return nil, nil, fmt.Errorf("cnnbound: layer %d: stride %d does not divide %d - %d (or %d - %d)", i+1, l.S, in.R, l.K, in.C, l.K)
		}
		c := Size{(in.R-l.K)/l.S + 1, (in.C-l.K)/l.S + 1, l.D}
		if c.R%a.P != 0 || c.C%a.P != 0 {
			return nil, nil, fmt.Errorf("cnnbound: layer %d: pooling %d does not divide its %d x %d output", i+1, a.P, c.R, c.C)
		}
		conv = append(conv, c)
		in = Size{c.R / a.P, c.C / a.P, l.D}
		pooled = append(pooled, in)
	}
	return conv, pooled, nil
}

// maxCount caps every size and count of an architecture (2^12: four of them multiply to at most
// 2^48).
const maxCount = 1 << 12

// counts checks the architecture's counts and bounds, not its sizes.
func (a Arch) counts() error {
	if a.R0 < 1 || a.C0 < 1 || a.D0 < 1 || a.P < 1 || a.Out < 1 || a.OutA < 1 {
		return fmt.Errorf("cnnbound: %s: input %d x %d x %d, pooling %d, %d classes and output rank %d must all be >= 1", a.Name, a.R0, a.C0, a.D0, a.P, a.Out, a.OutA)
	}
	if len(a.Layers) == 0 {
		return errors.New("cnnbound: an architecture needs at least one convolutional layer")
	}
	// Caps that keep every size product (at most four of them) inside int and float64's exact
	// integers.
	if a.R0 > maxCount || a.C0 > maxCount || a.D0 > maxCount || a.Out > maxCount || a.OutA > maxCount || a.P > maxCount || len(a.Layers) > maxCount {
		return fmt.Errorf("cnnbound: %s: a size or count above %d", a.Name, maxCount)
	}
	if !(a.OutB > 0) || math.IsInf(a.OutB, 0) {
		return fmt.Errorf("cnnbound: output norm bound b = %v must be finite and > 0", a.OutB)
	}
	for i, l := range a.Layers {
		if l.K > maxCount || l.S > maxCount || l.D > maxCount || l.A > maxCount {
			return fmt.Errorf("cnnbound: layer %d: a size or count above %d", i+1, maxCount)
		}
		if l.K < 1 || l.S < 1 || l.D < 1 || l.A < 1 {
			return fmt.Errorf("cnnbound: layer %d: k = %d, s = %d, d = %d, a = %d must all be >= 1", i+1, l.K, l.S, l.D, l.A)
		}
		if l.K < l.S {
			return fmt.Errorf("cnnbound: layer %d: kernel %d smaller than its stride %d (the bound needs k >= s)", i+1, l.K, l.S)
		}
		if !(l.B > 0) || math.IsInf(l.B, 0) {
			return fmt.Errorf("cnnbound: layer %d: norm bound b = %v must be finite and > 0", i+1, l.B)
		}
	}
	return nil
}

// Validate returns an error naming what is wrong with the architecture, or nil.
func (a Arch) Validate() error {
	_, _, err := a.Sizes()
	return err
}

// Theta is the freedom degree (catalogue, Closed forms):
// theta = a_{l+1} (d_{l+1} + rt_l ct_l d_l + 1) + sum_i a_i (k_i^2 d_{i-1} + d_i + 1), a rank-a
// m1 x m2 block counted as a (m1 + m2 + 1). Dimensionless.
func (a Arch) Theta() (float64, error) {
	_, pooled, err := a.Sizes()
	if err != nil {
		return 0, err
	}
	last := pooled[len(pooled)-1]
	theta := float64(a.OutA) * float64(a.Out+last.R*last.C*last.D+1)
	prev := a.D0
	for _, l := range a.Layers {
		theta += float64(l.A) * float64(l.K*l.K*prev+l.D+1)
		prev = l.D
	}
	return theta, nil
}

// Params is the total number of weights d = rt_l ct_l d_l d_{l+1} + sum_i k_i^2 d_{i-1} d_i (no
// biases; catalogue, Closed forms).
func (a Arch) Params() (int, error) {
	_, pooled, err := a.Sizes()
	if err != nil {
		return 0, err
	}
	last := pooled[len(pooled)-1]
	d := last.R * last.C * last.D * a.Out
	prev := a.D0
	for _, l := range a.Layers {
		d += l.K * l.K * prev * l.D
		prev = l.D
	}
	return d, nil
}

// Varrho is the magnitude term of Theorem 1 (catalogue, Closed forms):
// varrho = sum_i ln(sqrt(d_i) b_i (k_i - s_i + 1) / (4p)) + ln(b_{l+1}) + ln(n / (128 p^2)).
// It may be negative. Errors: an invalid architecture, n not finite and > 0.
func (a Arch) Varrho(n float64) (float64, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	if !(n > 0) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("cnnbound: sample size n = %v must be finite and > 0", n)
	}
	p := float64(a.P)
	v := ln(a.OutB) + ln(n) - ln(128*p*p)
	for _, l := range a.Layers {
		// A sum of logarithms: the product sqrt(d_i) b_i (k_i - s_i + 1) overflows for b_i near
		// the largest float.
		v += 0.5*ln(float64(l.D)) + ln(l.B) + ln(float64(l.K-l.S+1)) - ln(4*p)
	}
	return v, nil
}

// Bound is Theorem 1's bound on the expected generalisation gap, holding with probability at least
// 1 - eps: B(n) = sqrt((theta varrho + ln(4/eps)) / (2n)), in units of the loss (which lies in
// [0, 1]). ln(4/eps) is computed as ln 4 - ln eps (4/eps overflows for subnormal eps). Errors: an
// invalid architecture, n not finite and > 0, eps outside (0, 1), theta varrho + ln(4/eps) <= 0
// (the bound is undefined there), and a bound that is not a finite normal float.
func (a Arch) Bound(n, eps float64) (float64, error) {
	num, err := a.boundNumerator(n, eps, 0)
	if err != nil {
		return 0, err
	}
	return perSample(num, n)
}

// perSample returns sqrt(num / (2n)) for num > 0, dividing by n before halving (2n overflows for n
// near the largest float). When num / n / 2 is not a normal float (num / n overflows for subnormal
// n, although the root itself is at most about 1e+174) it is sqrt(num / 2) / sqrt(n), whose three
// operations stay in range. An error when the result under- or overflows.
func perSample(num, n float64) (float64, error) {
	if q := num / n / 2; q >= minNormal && q <= math.MaxFloat64 {
		return positive(fmt.Sprintf("sqrt(%v / (2n)) at n = %v", num, n), math.Sqrt(q))
	}
	return positive(fmt.Sprintf("sqrt(%v / (2n)) at n = %v", num, n), math.Sqrt(num/2)/math.Sqrt(n))
}

// boundNumerator returns extra + theta varrho + ln(4/eps), checked positive.
func (a Arch) boundNumerator(n, eps, extra float64) (float64, error) {
	theta, err := a.Theta()
	if err != nil {
		return 0, err
	}
	v, err := a.Varrho(n)
	if err != nil {
		return 0, err
	}
	if !(eps > 0 && eps < 1) {
		return 0, fmt.Errorf("cnnbound: eps = %v must be in (0, 1)", eps)
	}
	// ln(4/eps) as ln 4 - ln eps: 4/eps overflows to +Inf for eps below 4/MaxFloat64 (subnormal),
	// where ln 4 - ln eps is at most about 746.
	num := extra + theta*v + (ln(4) - ln(eps))
	if math.IsInf(num, 0) || math.IsNaN(num) {
		return 0, fmt.Errorf("cnnbound: n = %v, eps = %v: theta varrho + ln(4/eps) = %v is not finite", n, eps, num-extra)
	}
	if !(num > 0) {
		return 0, fmt.Errorf("cnnbound: theta varrho + ln(4/eps) = %v <= 0 at n = %v: the bound is undefined", num-extra, n)
	}
	return num, nil
}

// Beta2 is beta^2 of Theorem 2 (catalogue, Closed forms), read with r_i, c_i the convolution's
// output of layer i before pooling and r_0, c_0 the input's size:
// beta^2 = r_l c_l d_l / (8 p^2) + sum_i [b_{l+1}^2 d_{i-1} r_{i-1} c_{i-1} / (8 p^2 b_i^2 d_i)]
// prod_{j=i..l} d_j b_j^2 (k_j - s_j + 1)^2 / (16 p^2). Its first term carries the paper's 1/8
// (the catalogue's corrected constant is 128/729). Each layer term is summed as a logarithm (its
// factors over- and underflow separately for norm bounds near 1e+-200, where the term itself is
// finite; the exponential rounds each term to about |ln term| ulp). Units: a squared gradient
// norm. Errors: an invalid architecture, beta^2 above the largest float.
func (a Arch) Beta2() (float64, error) {
	conv, _, err := a.Sizes()
	if err != nil {
		return 0, err
	}
	p2 := float64(a.P * a.P)
	l := len(a.Layers)
	last := conv[l-1]
	beta2 := float64(last.R*last.C*last.D) / (8 * p2)
	for i := range l {
		beta2 += math.Exp(a.logLayerTerm(conv, i))
	}
	return finite("beta^2", beta2)
}

// logLayerTerm returns the logarithm of beta^2's term of layer i (from 0; conv as Sizes gives it).
func (a Arch) logLayerTerm(conv []Size, i int) float64 {
	in := Size{a.R0, a.C0, a.D0}
	if i > 0 {
		in = conv[i-1]
	}
	li := a.Layers[i]
	logP2 := 2 * ln(float64(a.P))
	t := 2*ln(a.OutB) + ln(float64(in.D*in.R*in.C)) - ln(8) - logP2 - 2*ln(li.B) - ln(float64(li.D))
	for _, lj := range a.Layers[i:] {
		t += ln(float64(lj.D)) + 2*ln(lj.B) + 2*ln(float64(lj.K-lj.S+1)) - ln(16) - logP2
	}
	return t
}

// GradBound is Theorem 2's bound on the uniform deviation of the empirical gradient:
// G(n) = c_g beta sqrt((2d + theta varrho + ln(4/eps)) / (2n)), c_g > 0 the constant the paper
// leaves open (12 suffices in its proof). Errors: as Bound, c_g not finite and > 0, beta^2 above
// the largest float, and G(n) not a finite normal float.
func (a Arch) GradBound(n, eps, cg float64) (float64, error) {
	if !(cg > 0) || math.IsInf(cg, 0) {
		return 0, fmt.Errorf("cnnbound: constant c_g = %v must be finite and > 0", cg)
	}
	d, err := a.Params()
	if err != nil {
		return 0, err
	}
	num, err := a.boundNumerator(n, eps, 2*float64(d))
	if err != nil {
		return 0, err
	}
	b2, err := a.Beta2()
	if err != nil {
		return 0, err
	}
	per, err := perSample(num, n)
	if err != nil {
		return 0, err
	}
	return positive(fmt.Sprintf("G(n) at n = %v, eps = %v, c_g = %v", n, eps, cg), product(cg, math.Sqrt(b2), per))
}

// product returns the product of positive finite factors, left to right, on their mantissas with
// the powers of two summed apart: the same rounding as x1 * x2 * ... wherever that stays in range,
// and no intermediate over- or underflow where only the result is in range (c_g = 1e300 with
// beta near 1e10 and a small sqrt(.../(2n)), say). The result may be +Inf, 0 or subnormal: check it
// with positive.
func product(xs ...float64) float64 {
	m, e := 1.0, 0
	for _, x := range xs {
		f, k := math.Frexp(x)
		f, j := math.Frexp(m * f)
		m, e = f, e+k+j
	}
	return math.Ldexp(m, e)
}

// finite returns v, or an error naming what when v is infinite or not a number.
func finite(what string, v float64) (float64, error) {
	if math.IsNaN(v) {
		return 0, fmt.Errorf("cnnbound: %s is not a number", what)
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("cnnbound: %s = %v overflows", what, v)
	}
	return v, nil
}

// positive returns v, a result whose exact value is positive, or an error naming what when v is
// not finite (overflow, NaN) or below the smallest normal float 2^-1022 (it underflowed, to 0 or
// to a subnormal of fewer than 53 significant bits).
func positive(what string, v float64) (float64, error) {
	if _, err := finite(what, v); err != nil {
		return 0, err
	}
	if !(v >= minNormal) {
		return 0, fmt.Errorf("cnnbound: %s = %v underflows (below the smallest normal float %v)", what, v, minNormal)
	}
	return v, nil
}

// minNormal is the smallest positive normal float64, 2^-1022.
const minNormal = 0x1p-1022

// ln is the natural logarithm, correct for a subnormal x too: Go's amd64 math.Log reads a
// subnormal's exponent as that of 2^-1023 (golang/go#56600: math.Log(1e-320) = -709.09, not
// -736.83), so a subnormal is first scaled into the normal range by 2^54 (exact).
func ln(x float64) float64 {
	if x > 0 && x < minNormal {
		return math.Log(x*0x1p54) - 54*math.Ln2
	}
	return math.Log(x)
}

// StationaryDistance is Theorem 3's bound (2/zeta) G(n) on the distance between corresponding
// non-degenerate stationary points of the empirical and population risks, zeta > 0 the
// non-degeneracy level. Errors: as GradBound, zeta not finite and > 0, and the distance not a
// finite normal float.
func (a Arch) StationaryDistance(n, eps, cg, zeta float64) (float64, error) {
	if !(zeta > 0) || math.IsInf(zeta, 0) {
		return 0, fmt.Errorf("cnnbound: non-degeneracy zeta = %v must be finite and > 0", zeta)
	}
	g, err := a.GradBound(n, eps, cg)
	if err != nil {
		return 0, err
	}
	// 2 (G / zeta), not (2 / zeta) G: 2/zeta overflows for subnormal zeta where the distance is
	// finite (G = 1e-20, zeta = 1e-320: 2e300).
	return positive(fmt.Sprintf("(2/zeta) G(n) at zeta = %v", zeta), 2*(g/zeta))
}

// SunRademacher is the Rademacher term of the earlier CNN bound of Sun et al. (2016) (catalogue,
// Closed forms): R_m = bx (2 p b~)^{l+1} sqrt(ln(r0 c0)) / sqrt(n), bx >= the input entries and
// b~ >= every kernel's and the output layer's entrywise l1 norm. Units: those of the loss. It is 0
// exactly when r0 c0 = 1. Where a factor over- or underflows although R_m does not (b~ = 1e-300
// with n = 1e-320, say, where the direct product is 0 x Inf), R_m is exp of its logarithm,
// rounded to about |ln R_m| ulp. Errors: an invalid architecture, bx, b~ or n not finite and > 0,
// R_m above the largest float or (r0 c0 > 1) below the smallest normal float 2^-1022.
func (a Arch) SunRademacher(n, bx, btilde float64) (float64, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	for _, v := range []float64{n, bx, btilde} {
		if !(v > 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("cnnbound: n = %v, bx = %v and b~ = %v must be finite and > 0", n, bx, btilde)
		}
	}
	lnRC := ln(float64(a.R0 * a.C0))
	if lnRC == 0 {
		return 0, nil
	}
	what := fmt.Sprintf("the Sun et al. term at n = %v, bx = %v, b~ = %v", n, bx, btilde)
	l1 := float64(len(a.Layers) + 1)
	base := 2 * float64(a.P) * btilde
	pow := math.Pow(base, l1)
	root := math.Sqrt(lnRC / n)
	head := bx * pow
	r := head * root
	if normal(base) && normal(pow) && normal(lnRC/n) && normal(head) && normal(r) {
		return r, nil
	}
	// ln R_m = ln bx + (l+1) (ln 2p + ln b~) + (ln ln(r0 c0) - ln n) / 2, every term finite.
	logR := ln(bx) + l1*(ln(2*float64(a.P))+ln(btilde)) + (ln(lnRC)-ln(n))/2
	if logR > ln(math.MaxFloat64) {
		return 0, fmt.Errorf("cnnbound: %s = exp(%v) overflows", what, logR)
	}
	return positive(what, math.Exp(logR))
}

// normal reports whether v is a finite normal float: in [2^-1022, MaxFloat64].
func normal(v float64) bool { return v >= minNormal && v <= math.MaxFloat64 }

// Output-layer gradient constants (catalogue, Lemma 11): the paper's |grad_{W_{l+1}} f|_F^2 <=
// rt_l ct_l d_l / 8, and the corrected 128/729: the largest squared norm of
// (diag(v) - v v^T)(v - y) over softmax outputs v and one-hot y (two classes, v = (p, 1 - p),
// y = e_1, 8 p^2 (1 - p)^4 at p = 1/3).
const (
	PaperOutputConst     = 1.0 / 8
	CorrectedOutputConst = 128.0 / 729
)

// OutputGradBound returns c rt_l ct_l d_l, the per-sample output-layer gradient bound with
// constant c (PaperOutputConst or CorrectedOutputConst; 1 gives rt_l ct_l d_l), in units of a
// squared gradient norm. Errors: an invalid architecture, c not finite and > 0, and the bound not
// a finite normal float (c near the largest float or subnormal).
func (a Arch) OutputGradBound(c float64) (float64, error) {
	if !(c > 0) || math.IsInf(c, 0) {
		return 0, fmt.Errorf("cnnbound: output-layer constant c = %v must be finite and > 0", c)
	}
	_, pooled, err := a.Sizes()
	if err != nil {
		return 0, err
	}
	last := pooled[len(pooled)-1]
	return positive(fmt.Sprintf("c rt_l ct_l d_l at c = %v", c), c*float64(last.R*last.C*last.D))
}

// Reference returns the catalogue's reference architectures A1, A2 and A3 (golden grid).
func Reference(name string) (Arch, error) {
	switch name {
	case "A1":
		return Arch{Name: "A1", R0: 28, C0: 28, D0: 1, P: 2, Layers: []Layer{{K: 5, S: 1, D: 8, A: 4, B: 2}}, Out: 10, OutA: 5, OutB: 3}, nil
	case "A2":
		return Arch{Name: "A2", R0: 28, C0: 28, D0: 1, P: 2, Layers: []Layer{{K: 5, S: 1, D: 8, A: 4, B: 2}, {K: 3, S: 1, D: 16, A: 8, B: 2}}, Out: 10, OutA: 5, OutB: 3}, nil
	case "A3":
		return Arch{Name: "A3", R0: 32, C0: 32, D0: 3, P: 2, Layers: []Layer{{K: 5, S: 1, D: 16, A: 8, B: 3}, {K: 5, S: 1, D: 32, A: 16, B: 3}}, Out: 10, OutA: 10, OutB: 5}, nil
	}
	return Arch{}, fmt.Errorf("cnnbound: no reference architecture %q (A1, A2, A3)", name)
}
