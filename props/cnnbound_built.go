package props

// The CNN closed forms recomputed from the network numeric/cnnbound builds: its layers' counted
// sizes, kernel lengths, strides and pooling, so that a wrong constant in theory/cnnbound fails a
// property (CNN-1 .. CNN-5), not only the golden file.

import (
	"errors"
	"fmt"
	"math"

	simcnn "github.com/dlt5/verify/numeric/cnnbound"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// builtArch is what the built network says about itself: per conv layer its input, its conv
// output before pooling, its pooled output, its kernel side, stride, pooling block and weights per
// kernel (simcnn.LayerShape), the classes, the output layer's fan-in and the weights it holds; and
// the architecture's rank and norm bounds (bounds, not shapes: the net does not hold them).
type builtArch struct {
	layers            []simcnn.LayerShape
	classes, features int
	weights           int
	ranks             []int
	bounds            []float64
	outRank           int
	outB              float64
}

// newBuilt builds a's network and reads its shapes.
func newBuilt(a cnnbound.Arch) (builtArch, error) {
	n, err := simcnn.New(a)
	if err != nil {
		return builtArch{}, err
	}
	layers, classes, features, err := n.Shapes()
	if err != nil {
		return builtArch{}, err
	}
	b := builtArch{layers: layers, classes: classes, features: features, weights: n.NumWeights(), outRank: a.OutA, outB: a.OutB}
	for _, l := range a.Layers {
		b.ranks, b.bounds = append(b.ranks, l.A), append(b.bounds, l.B)
	}
	return b, nil
}

// theta is the freedom degree from the built blocks: the output block (classes x features, rank
// a_{l+1}) and each layer's block (kernel length x number of kernels, rank a_i), a rank-a
// m1 x m2 block counting a (m1 + m2 + 1).
func (b builtArch) theta() float64 {
	t := float64(b.outRank * (b.classes + b.features + 1))
	for i, l := range b.layers {
		t += float64(b.ranks[i] * (l.KernelLen + l.Conv.D + 1))
	}
	return t
}

// varrhoTerms returns varrho's terms at n, each layer's ln(sqrt(d_i) b_i (k_i - s_i + 1) / (4p)),
// then ln b_{l+1} and ln(n / (128 p^2)), from the built layers (p their pooling block).
func (b builtArch) varrhoTerms(n float64) []float64 {
	var out []float64
	for i, l := range b.layers {
		out = append(out, math.Log(math.Sqrt(float64(l.Conv.D))*b.bounds[i]*float64(l.K-l.S+1)/float64(4*l.P)))
	}
	p := float64(b.layers[0].P)
	return append(out, math.Log(b.outB), math.Log(n/(128*p*p)))
}

// varrho returns varrho at n and the sum of its terms' magnitudes (the scale its rounding follows).
func (b builtArch) varrho(n float64) (v, scale float64) {
	for _, t := range b.varrhoTerms(n) {
		v, scale = v+t, scale+math.Abs(t)
	}
	return v, scale
}

// bound returns sqrt((theta varrho + ln(4/eps)) / (2n)) from the built theta and varrho. Errors:
// where the numerator is not positive.
func (b builtArch) bound(n, eps float64) (float64, error) {
	v, _ := b.varrho(n)
	return boundFrom(b.theta(), v, n, eps)
}

// boundFrom is Theorem 1's bound for given theta and varrho.
func boundFrom(theta, varrho, n, eps float64) (float64, error) {
	num := theta*varrho + math.Log(4/eps)
	if !(num > 0) {
		return 0, fmt.Errorf("theta varrho + ln(4/eps) = %v <= 0", num)
	}
	return math.Sqrt(num / (2 * n)), nil
}

// beta2 is beta^2 from the built layers, read as theory/cnnbound reads it: r_i, c_i, d_i the
// conv output of layer i before pooling, r_0 c_0 d_0 the input:
// r_l c_l d_l / (8 p^2) + sum_i [b_{l+1}^2 d_{i-1} r_{i-1} c_{i-1} / (8 p^2 b_i^2 d_i)]
// prod_{j>=i} d_j b_j^2 (k_j - s_j + 1)^2 / (16 p^2), as plain products.
func (b builtArch) beta2() float64 {
	last := b.layers[len(b.layers)-1]
	p2 := float64(last.P * last.P)
	beta2 := float64(last.Conv.R*last.Conv.C*last.Conv.D) / (8 * p2)
	for i, l := range b.layers {
		prev := l.In // layer 1's input; later, the previous layer's conv output
		if i > 0 {
			prev = b.layers[i-1].Conv
		}
		term := b.outB * b.outB * float64(prev.D*prev.R*prev.C) / (8 * p2 * b.bounds[i] * b.bounds[i] * float64(l.Conv.D))
		for j, lj := range b.layers[i:] {
			ks := float64(lj.K - lj.S + 1)
			term *= float64(lj.Conv.D) * b.bounds[i+j] * b.bounds[i+j] * ks * ks / (16 * p2)
		}
		beta2 += term
	}
	return beta2
}

// cnnForms are the closed forms a CNN claim holds to the built network: theory/cnnbound's, or in
// a control a deliberately perturbed copy.
type cnnForms struct {
	Name   string
	Theta  func(cnnbound.Arch) (float64, error)
	Params func(cnnbound.Arch) (int, error)
	Varrho func(cnnbound.Arch, float64) (float64, error)
	Bound  func(cnnbound.Arch, float64, float64) (float64, error)
	Beta2  func(cnnbound.Arch) (float64, error)
}

// theoryForms are theory/cnnbound's closed forms.
func theoryForms() cnnForms {
	return cnnForms{Name: "theory", Theta: cnnbound.Arch.Theta, Params: cnnbound.Arch.Params, Varrho: cnnbound.Arch.Varrho,
		Bound: cnnbound.Arch.Bound, Beta2: cnnbound.Arch.Beta2}
}

// orTheory returns f, or theory's forms when f is nil.
func orTheory(f *cnnForms) cnnForms {
	if f == nil {
		return theoryForms()
	}
	return *f
}

// CNN1Formulas checks theory/cnnbound's theta, d, varrho (n = 1e4, 1e6), B (n = 1e6, eps = 0.05)
// and beta^2 against their recomputation from the built network's shapes (builtArch), to 1e-12
// relative (varrho: of the sum of its terms' magnitudes); B undefined on both sides also agrees.
// forms nil means theory's; a perturbed copy is the control.
func CNN1Formulas(a cnnbound.Arch, forms *cnnForms) []claim.Result {
	f := orTheory(forms)
	what := fmt.Sprintf("CNN-1 %s %s formulas = the built network's", a.Name, f.Name)
	b, err := newBuilt(a)
	if err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	theta, err1 := f.Theta(a)
	d, err2 := f.Params(a)
	beta2, err3 := f.Beta2(a)
	if err := claim.FirstErr(err1, err2, err3); err != nil {
		return []claim.Result{claim.Failed(what, err)}
	}
	rows := []claim.Result{
		claim.RelCheck(what+": theta", theta, b.theta(), b.theta(), 1e-12),
		claim.RelCheck(what+": d", float64(d), float64(b.weights), 0, 0),
		claim.RelCheck(what+": beta^2", beta2, b.beta2(), b.beta2(), 1e-12),
	}
	for _, n := range []float64{1e4, 1e6} {
		v, err := f.Varrho(a, n)
		if err != nil {
			return append(rows, claim.Failed(what, err))
		}
		want, scale := b.varrho(n)
		rows = append(rows, claim.RelCheck(fmt.Sprintf("%s: varrho(n=%.0e)", what, n), v, want, scale, 1e-12))
	}
	return append(rows, boundRow(what+": B(n=1e6, eps=0.05)", a, b, f, 1e6, 0.05))
}

// boundRow compares f's B(n) with the built network's: equal to 1e-12, or undefined on both sides.
func boundRow(what string, a cnnbound.Arch, b builtArch, f cnnForms, n, eps float64) claim.Result {
	got, err1 := f.Bound(a, n, eps)
	want, err2 := b.bound(n, eps)
	switch {
	case err1 != nil && err2 != nil:
		return claim.Result{Case: what + " (undefined on both sides)", Pass: true, Detail: errors.Join(err1, err2).Error()}
	case err1 != nil || err2 != nil:
		return claim.Result{Case: what, Measured: 1, Detail: fmt.Sprintf("defined on one side only: %v", errors.Join(err1, err2))}
	}
	return claim.RelCheck(what, got, want, want, 1e-12)
}
