package cnnbound

import (
	"errors"
	"fmt"
	"math"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// Net is a CNN of an architecture with its weights and the buffers of one forward and backward
// pass (a Net is not safe for concurrent use; Clone one per goroutine).
type Net struct {
	Arch    theory.Arch
	Kernels [][]float64 // per conv layer: d_i kernels of k_i k_i d_{i-1} weights, kernel-major
	Out     []float64   // d_{l+1} x (rt_l ct_l d_l)

	conv, pooled []theory.Size
	acts, pools  [][]float64 // per layer: sigmoid outputs (conv size), pooled maps
	dPool, dAct  [][]float64 // backward buffers
	logits, v    []float64
}

// maxFloats bounds a net's weights and buffers (2^27 floats, 1 GiB).
const maxFloats = 1 << 27

// New returns a net of the architecture with zero weights. Errors: an invalid architecture, one
// whose weights and buffers exceed 2^27 floats.
func New(a theory.Arch) (*Net, error) {
	conv, pooled, err := a.Sizes()
	if err != nil {
		return nil, err
	}
	total := a.Out * pooled[len(pooled)-1].R * pooled[len(pooled)-1].C * pooled[len(pooled)-1].D
	prev := a.D0
	for i, l := range a.Layers {
		total += l.D*l.K*l.K*prev + 3*conv[i].R*conv[i].C*conv[i].D
		prev = l.D
	}
	if total > maxFloats {
		return nil, fmt.Errorf("cnnbound: %s needs %d floats of weights and buffers, above the limit %d", a.Name, total, maxFloats)
	}
	n := &Net{Arch: a, conv: conv, pooled: pooled}
	prev = a.D0
	for i, l := range a.Layers {
		n.Kernels = append(n.Kernels, make([]float64, l.D*l.K*l.K*prev))
		cs, ps := conv[i].R*conv[i].C*conv[i].D, pooled[i].R*pooled[i].C*pooled[i].D
		n.acts = append(n.acts, make([]float64, cs))
		n.dAct = append(n.dAct, make([]float64, cs))
		n.pools = append(n.pools, make([]float64, ps))
		n.dPool = append(n.dPool, make([]float64, ps))
		prev = l.D
	}
	n.Out = make([]float64, a.Out*n.features())
	n.logits, n.v = make([]float64, a.Out), make([]float64, a.Out)
	return n, nil
}

// features is rt_l ct_l d_l, the output layer's input size.
func (n *Net) features() int {
	p := n.pooled[len(n.pooled)-1]
	return p.R * p.C * p.D
}

// ConvSizes returns each conv layer's output size before pooling, as the built layers have it.
func (n *Net) ConvSizes() []theory.Size { return append([]theory.Size(nil), n.conv...) }

// NumWeights returns the number of weights the net holds.
func (n *Net) NumWeights() int {
	c := len(n.Out)
	for _, k := range n.Kernels {
		c += len(k)
	}
	return c
}

// Clone returns a net with copies of the weights and its own buffers.
func (n *Net) Clone() *Net {
	c, _ := New(n.Arch)
	for i := range n.Kernels {
		copy(c.Kernels[i], n.Kernels[i])
	}
	copy(c.Out, n.Out)
	return c
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// checkInput returns an error unless x has the input's size with entries in [0, 1] and y is a
// class.
func (n *Net) checkInput(x []float64, y int) error {
	if n == nil || n.Out == nil {
		return errors.New("cnnbound: a nil or unbuilt net (use New)")
	}
	a := n.Arch
	if len(x) != a.R0*a.C0*a.D0 {
		return fmt.Errorf("cnnbound: input of %d values, want %d x %d x %d", len(x), a.R0, a.C0, a.D0)
	}
	for i, v := range x {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("cnnbound: input entry %d = %v outside [0, 1]", i, v)
		}
	}
	if y < 0 || y >= a.Out {
		return fmt.Errorf("cnnbound: class %d outside [0, %d)", y, a.Out)
	}
	return nil
}

// checkWeights returns an error unless every weight is finite.
func (n *Net) checkWeights() error {
	for i, k := range n.Kernels {
		for _, w := range k {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return fmt.Errorf("cnnbound: a weight of layer %d is %v", i+1, w)
			}
		}
	}
	for _, w := range n.Out {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("cnnbound: an output weight is %v", w)
		}
	}
	return nil
}

// forward runs the layers on x and fills the buffers; it returns the loss 1/2 |v - e_y|^2.
func (n *Net) forward(x []float64, y int) float64 {
	in, inSize := x, theory.Size{R: n.Arch.R0, C: n.Arch.C0, D: n.Arch.D0}
	p := n.Arch.P
	for i, l := range n.Arch.Layers {
		cs, act, ker := n.conv[i], n.acts[i], n.Kernels[i]
		kk := l.K * l.K * inSize.D
		for j := range cs.D {
			kj := ker[j*kk : (j+1)*kk]
			for r := range cs.R {
				for c := range cs.C {
					var s float64
					for ch := range inSize.D {
						base := ch * inSize.R * inSize.C
						kb := ch * l.K * l.K
						for u := range l.K {
							row := in[base+(r*l.S+u)*inSize.C+c*l.S:]
							kr := kj[kb+u*l.K : kb+(u+1)*l.K]
							for v, w := range kr {
								s += w * row[v]
							}
						}
					}
					act[(j*cs.R+r)*cs.C+c] = sigmoid(s)
				}
			}
		}
		ps, pool := n.pooled[i], n.pools[i]
		inv := 1 / float64(p*p)
		for j := range ps.D {
			for r := range ps.R {
				for c := range ps.C {
					var s float64
					for u := range p {
						row := act[(j*cs.R+r*p+u)*cs.C+c*p:]
						for v := range p {
							s += row[v]
						}
					}
					pool[(j*ps.R+r)*ps.C+c] = s * inv
				}
			}
		}
		in, inSize = pool, ps
	}
	f := len(in)
	big := math.Inf(-1)
	for k := range n.Arch.Out {
		var s float64
		for i, w := range n.Out[k*f : (k+1)*f] {
			s += w * in[i]
		}
		n.logits[k] = s
		big = math.Max(big, s)
	}
	var z float64
	for k, u := range n.logits {
		n.v[k] = math.Exp(u - big)
		z += n.v[k]
	}
	var loss float64
	for k := range n.v {
		n.v[k] /= z
		d := n.v[k]
		if k == y {
			d--
		}
		loss += d * d / 2
	}
	return loss
}

// Loss returns the per-sample loss 1/2 |softmax(W z) - e_y|^2 (in [0, 1]). Errors: an input of the
// wrong size or outside [0, 1], a class out of range, a weight that is not finite.
func (n *Net) Loss(x []float64, y int) (float64, error) {
	if err := claimOK(n.checkInput(x, y), n.checkWeights()); err != nil {
		return 0, err
	}
	return n.forward(x, y), nil
}

func claimOK(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Grad holds a gradient with the net's shapes.
type Grad struct {
	Kernels [][]float64
	Out     []float64
}

// NewGrad returns a zero gradient shaped like the net's weights.
func (n *Net) NewGrad() *Grad {
	g := &Grad{Out: make([]float64, len(n.Out))}
	for _, k := range n.Kernels {
		g.Kernels = append(g.Kernels, make([]float64, len(k)))
	}
	return g
}

// AddTo adds the gradient into dst, flattened as the output layer's weights then each layer's
// kernels (the order of MeanGradient's result); dst must have NumWeights entries.
func (g *Grad) AddTo(dst []float64) {
	at := copyAdd(dst, 0, g.Out)
	for _, k := range g.Kernels {
		at = copyAdd(dst, at, k)
	}
}

// copyAdd adds src into dst[at:] and returns the index after it.
func copyAdd(dst []float64, at int, src []float64) int {
	for i, v := range src {
		dst[at+i] += v
	}
	return at + len(src)
}

// SquaredNorms returns |grad_{W_{l+1}}|_F^2 and the whole gradient's squared norm.
func (g *Grad) SquaredNorms() (out, all float64) {
	for _, w := range g.Out {
		out += w * w
	}
	all = out
	for _, k := range g.Kernels {
		for _, w := range k {
			all += w * w
		}
	}
	return out, all
}

// Gradient computes the per-sample loss and its gradient into g (overwritten), by the backward
// pass: grad_u f = (diag(v) - v v^T)(v - e_y) at the logits, through the output layer, the average
// pooling (each cell's gradient spread over its p x p block / p^2), the sigmoid (s (1 - s)) and the
// convolution. Errors: as Loss, and a gradient of the wrong shape.
func (n *Net) Gradient(x []float64, y int, g *Grad) (float64, error) {
	if err := claimOK(n.checkInput(x, y), n.checkWeights()); err != nil {
		return 0, err
	}
	if g == nil || len(g.Out) != len(n.Out) || len(g.Kernels) != len(n.Kernels) {
		return 0, errors.New("cnnbound: the gradient's shape does not match the net (use NewGrad)")
	}
	for i := range g.Kernels {
		if len(g.Kernels[i]) != len(n.Kernels[i]) {
			return 0, errors.New("cnnbound: the gradient's shape does not match the net (use NewGrad)")
		}
	}
	return n.gradient(x, y, g), nil
}

// gradient is Gradient without the checks (its callers have made them).
func (n *Net) gradient(x []float64, y int, g *Grad) float64 {
	loss := n.forward(x, y)
	// Logits.
	var dot float64
	for k, v := range n.v {
		e := v
		if k == y {
			e--
		}
		dot += v * e
	}
	l := len(n.Arch.Layers)
	z, f := n.pools[l-1], n.features()
	dz := n.dPool[l-1]
	clear(dz)
	for k, v := range n.v {
		e := v
		if k == y {
			e--
		}
		du := v * (e - dot)
		w := n.Out[k*f : (k+1)*f]
		gw := g.Out[k*f : (k+1)*f]
		for i := range w {
			gw[i] = du * z[i]
			dz[i] += du * w[i]
		}
	}
	p := n.Arch.P
	inv := 1 / float64(p*p)
	for i := l - 1; i >= 0; i-- {
		lay, cs, ps := n.Arch.Layers[i], n.conv[i], n.pooled[i]
		act, dact := n.acts[i], n.dAct[i]
		dpool := n.dPool[i]
		for j := range cs.D {
			for r := range cs.R {
				for c := range cs.C {
					idx := (j*cs.R+r)*cs.C + c
					s := act[idx]
					dact[idx] = dpool[(j*ps.R+r/p)*ps.C+c/p] * inv * s * (1 - s)
				}
			}
		}
		in, inSize := []float64(nil), theory.Size{R: n.Arch.R0, C: n.Arch.C0, D: n.Arch.D0}
		var din []float64
		if i == 0 {
			in = x
		} else {
			in, inSize, din = n.pools[i-1], n.pooled[i-1], n.dPool[i-1]
			clear(din)
		}
		ker, gk := n.Kernels[i], g.Kernels[i]
		clear(gk)
		kk := lay.K * lay.K * inSize.D
		for j := range cs.D {
			kj, gj := ker[j*kk:(j+1)*kk], gk[j*kk:(j+1)*kk]
			for r := range cs.R {
				for c := range cs.C {
					d := dact[(j*cs.R+r)*cs.C+c]
					if d == 0 {
						continue
					}
					for ch := range inSize.D {
						base := ch * inSize.R * inSize.C
						kb := ch * lay.K * lay.K
						for u := range lay.K {
							off := base + (r*lay.S+u)*inSize.C + c*lay.S
							row := in[off : off+lay.K]
							gr := gj[kb+u*lay.K : kb+(u+1)*lay.K]
							for v := range gr {
								gr[v] += d * row[v]
							}
							if din != nil {
								kr := kj[kb+u*lay.K : kb+(u+1)*lay.K]
								dr := din[off : off+lay.K]
								for v := range kr {
									dr[v] += d * kr[v]
								}
							}
						}
					}
				}
			}
		}
	}
	return loss
}
