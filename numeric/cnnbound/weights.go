package cnnbound

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// project scales w to Frobenius norm at most b.
func project(w []float64, b float64) {
	var s float64
	for _, v := range w {
		s += v * v
	}
	if n := math.Sqrt(s); n > b {
		for i := range w {
			w[i] *= b / n
		}
	}
}

// Randomize draws every weight i.i.d. N(0, scale^2) from seed and projects each kernel onto
// |W_i^j|_F <= b_i and the output layer onto |W_{l+1}|_F <= b_{l+1} (catalogue, Model). Errors:
// scale not in (0, 1e100], a nil or unbuilt net.
func (n *Net) Randomize(scale float64, seed uint64) error {
	if !(scale > 0) || scale > 1e100 {
		return fmt.Errorf("cnnbound: weight scale %v must be in (0, 1e100] (larger squares overflow the norm)", scale)
	}
	if err := n.built(); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0xc22))
	for i, l := range n.layers {
		kk := l.k * l.k * l.in.D
		for j := range l.conv.D {
			k := n.Kernels[i][j*kk : (j+1)*kk]
			for t := range k {
				k[t] = scale * rng.NormFloat64()
			}
			project(k, l.b)
		}
	}
	for t := range n.Out {
		n.Out[t] = scale * rng.NormFloat64()
	}
	project(n.Out, n.arch.OutB)
	return nil
}

// RandomInput draws an input with i.i.d. uniform [0, 1] entries from rng. Errors: a nil or unbuilt
// net, a nil rng.
func (n *Net) RandomInput(rng *rand.Rand) ([]float64, error) {
	if err := n.built(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("cnnbound: a nil random source")
	}
	in := n.layers[0].in
	x := make([]float64, in.R*in.C*in.D)
	for i := range x {
		x[i] = rng.Float64()
	}
	return x, nil
}

// Adversarial sets the catalogue's adversarial weights for CNN-6: every kernel's entries equal and
// positive at the norm bound (on an all-ones input every pre-activation is b_i sqrt(k_i^2 d_{i-1})
// times the previous layer's activations, driving the sigmoids towards 1), and an output layer
// that, on the all-ones input's features z, gives class y probability q, one other class
// probability 1 - q, and the rest as little as the norm bound allows: W_y = 0, W_other = (ln((1 -
// q)/q) / |z|^2) z, every other row -(L/|z|^2) z with L as large as |W|_F <= b_{l+1} allows.
// Errors: q outside (0, 1), fewer than 2 classes, a norm bound too small for the logit gap.
func (n *Net) Adversarial(y int, q float64) (err error) {
	if err := n.checkAdversary(y, q); err != nil {
		return err
	}
	a := n.arch
	restore := n.saveWeights() // on an error the net is left as it was
	defer func() {
		if err != nil {
			restore()
		}
	}()
	for i, l := range n.layers {
		c := l.b / math.Sqrt(float64(l.k*l.k*l.in.D))
		for t := range n.Kernels[i] {
			n.Kernels[i][t] = c
		}
	}
	in := n.layers[0].in
	ones := make([]float64, in.R*in.C*in.D)
	for i := range ones {
		ones[i] = 1
	}
	clear(n.Out)
	if _, err := n.forward(ones, y); err != nil {
		return err
	}
	z := n.pools[len(n.pools)-1]
	var z2 float64
	for _, v := range z {
		z2 += v * v
	}
	gap := math.Log((1 - q) / q)
	rest := a.Out - 2
	budget := a.OutB*a.OutB - gap*gap/z2
	if budget <= 0 {
		return errors.New("cnnbound: the output norm bound is too small for the logit gap")
	}
	other := (y + 1) % a.Out
	L := 0.0
	if rest > 0 {
		L = math.Sqrt(budget * z2 / float64(rest))
	}
	f := n.fan
	for k := range a.Out {
		c := 0.0
		switch {
		case k == other:
			c = gap / z2
		case k != y:
			c = -L / z2
		}
		for i, v := range z {
			n.Out[k*f+i] = c * v
		}
	}
	return nil
}

// AdversarialFlat sets the second adversarial weights of CNN-6, which stress beta^2's layer terms
// rather than the output layer: every kernel zero (every sigmoid at 1/2, where its slope 1/4 is
// largest; z = 1/2 everywhere), and an output layer of two orthogonal parts within |W|_F <= b_{l+1}:
// rows t_k z/|z|^2 that set the logits t (class y at 0, another at ln((1 - q)/q), the rest at -6),
// and rows beta du_k s with s = +1 on the first half of the channels and -1 on the rest (so that
// s . z = 0 and the logits are unchanged), du the logits' gradient, taking the rest of the norm
// bound: the back-propagated signal is as large and as coherent across positions as the bound
// allows. Needs an even number of channels in the last layer. Errors: as Adversarial, and an odd
// channel count.
func (n *Net) AdversarialFlat(y int, q float64) error {
	if err := n.checkAdversary(y, q); err != nil {
		return err
	}
	a := n.arch
	last := n.layers[len(n.layers)-1].pooled
	if last.D%2 != 0 {
		return fmt.Errorf("cnnbound: the flat adversary needs an even channel count, got %d", last.D)
	}
	f := n.fan
	t := make([]float64, a.Out)
	other := (y + 1) % a.Out
	for k := range t {
		switch {
		case k == other:
			t[k] = math.Log((1 - q) / q)
		case k != y:
			t[k] = -6
		}
	}
	z2 := 0.25 * float64(f) // z = 1/2 everywhere
	var w0 float64
	for _, v := range t {
		w0 += v * v / z2
	}
	// v = softmax(t), du = (diag v - v v^T)(v - e_y).
	v := make([]float64, a.Out)
	var sum float64
	for k, u := range t {
		v[k] = math.Exp(u)
		sum += v[k]
	}
	var dot float64
	for k := range v {
		v[k] /= sum
		e := v[k]
		if k == y {
			e--
		}
		dot += v[k] * e
	}
	du := make([]float64, a.Out)
	var du2 float64
	for k := range v {
		e := v[k]
		if k == y {
			e--
		}
		du[k] = v[k] * (e - dot)
		du2 += du[k] * du[k]
	}
	budget := a.OutB*a.OutB - w0
	if budget <= 0 || du2 == 0 {
		return errors.New("cnnbound: the output norm bound is too small for the flat adversary")
	}
	beta := math.Sqrt(budget/(du2*float64(f))) * (1 - 1e-9) // strictly inside the bound after rounding
	per := last.R * last.C                                  // features per channel
	out := make([]float64, len(n.Out))
	for k := range a.Out {
		for i := range f {
			s := 1.0
			if i/per >= last.D/2 {
				s = -1
			}
			out[k*f+i] = t[k]*0.5/z2 + beta*du[k]*s
		}
	}
	for i := range n.Kernels {
		clear(n.Kernels[i])
	}
	copy(n.Out, out)
	return nil
}

// checkAdversary validates the adversaries' arguments: a built net, q in (0, 1), a class y of at
// least two.
func (n *Net) checkAdversary(y int, q float64) error {
	if err := n.built(); err != nil {
		return err
	}
	if !(q > 0 && q < 1) {
		return fmt.Errorf("cnnbound: target probability %v outside (0, 1)", q)
	}
	if n.classes < 2 || y < 0 || y >= n.classes {
		return fmt.Errorf("cnnbound: class %d of %d classes (need at least 2)", y, n.classes)
	}
	return nil
}

// saveWeights copies the net's weights and returns a function that puts them back.
func (n *Net) saveWeights() (restore func()) {
	kernels := make([][]float64, len(n.Kernels))
	for i, k := range n.Kernels {
		kernels[i] = append([]float64(nil), k...)
	}
	out := append([]float64(nil), n.Out...)
	return func() {
		for i := range n.Kernels {
			copy(n.Kernels[i], kernels[i])
		}
		copy(n.Out, out)
	}
}
