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
// scale not finite and > 0.
func (n *Net) Randomize(scale float64, seed uint64) error {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return fmt.Errorf("cnnbound: weight scale %v must be finite and > 0", scale)
	}
	rng := rand.New(rand.NewPCG(seed, 0xc22))
	prev := n.Arch.D0
	for i, l := range n.Arch.Layers {
		kk := l.K * l.K * prev
		for j := range l.D {
			k := n.Kernels[i][j*kk : (j+1)*kk]
			for t := range k {
				k[t] = scale * rng.NormFloat64()
			}
			project(k, l.B)
		}
		prev = l.D
	}
	for t := range n.Out {
		n.Out[t] = scale * rng.NormFloat64()
	}
	project(n.Out, n.Arch.OutB)
	return nil
}

// RandomInput draws an input with i.i.d. uniform [0, 1] entries from rng.
func (n *Net) RandomInput(rng *rand.Rand) []float64 {
	x := make([]float64, n.Arch.R0*n.Arch.C0*n.Arch.D0)
	for i := range x {
		x[i] = rng.Float64()
	}
	return x
}

// Adversarial sets the catalogue's adversarial weights for CNN-6: every kernel's entries equal and
// positive at the norm bound (on an all-ones input every pre-activation is b_i sqrt(k_i^2 d_{i-1})
// times the previous layer's activations, driving the sigmoids towards 1), and an output layer
// that, on the all-ones input's features z, gives class y probability q, one other class
// probability 1 - q, and the rest as little as the norm bound allows: W_y = 0, W_other = (ln((1 -
// q)/q) / |z|^2) z, every other row -(L/|z|^2) z with L as large as |W|_F <= b_{l+1} allows.
// Errors: q outside (0, 1), fewer than 2 classes, a norm bound too small for the logit gap.
func (n *Net) Adversarial(y int, q float64) error {
	a := n.Arch
	if !(q > 0 && q < 1) {
		return fmt.Errorf("cnnbound: target probability %v outside (0, 1)", q)
	}
	if a.Out < 2 || y < 0 || y >= a.Out {
		return fmt.Errorf("cnnbound: class %d of %d classes (need at least 2)", y, a.Out)
	}
	prev := a.D0
	for i, l := range a.Layers {
		c := l.B / math.Sqrt(float64(l.K*l.K*prev))
		for t := range n.Kernels[i] {
			n.Kernels[i][t] = c
		}
		prev = l.D
	}
	ones := make([]float64, a.R0*a.C0*a.D0)
	for i := range ones {
		ones[i] = 1
	}
	clear(n.Out)
	n.forward(ones, y)
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
	f := n.features()
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
