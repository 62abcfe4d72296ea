package cnnbound

import (
	"errors"
	"fmt"
	"math"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// Net is a CNN of an architecture with its weights and the buffers of one forward and backward
// pass (a Net is not safe for concurrent use; Clone one per goroutine). Its shapes are those it
// counted when it was built (see Shapes); Kernels and Out may be overwritten, not resized.
type Net struct {
	Kernels [][]float64 // per conv layer: d_i kernels of k_i k_i d_{i-1} weights, kernel-major
	Out     []float64   // d_{l+1} x (rt_l ct_l d_l)

	arch         theory.Arch // a copy of the architecture it was built from
	layers       []layer
	kernelLens   []int       // len(Kernels[i]) as built
	acts, pools  [][]float64 // per layer: sigmoid outputs (conv size), pooled maps
	dPool, dAct  [][]float64 // backward buffers
	logits, v    []float64
	classes, fan int // d_{l+1} and rt_l ct_l d_l
}

// maxFloats bounds a net's weights and buffers (2^27 floats, 1 GiB).
const maxFloats = 1 << 27

// New returns a net of the architecture with zero weights, building each layer by sliding its
// windows over the previous map (numeric/cnnbound's own sizes, not theory's recursion). Errors:
// counts outside [1, 4096], k < s, a window larger than its input, a stride or a pooling that does
// not tile its input, a norm bound not finite and > 0, weights and buffers above 2^27 floats.
func New(a theory.Arch) (*Net, error) {
	layers, err := buildLayers(a)
	if err != nil {
		return nil, err
	}
	if err := checkOutput(a); err != nil {
		return nil, err
	}
	last := layers[len(layers)-1].pooled
	fan := last.R * last.C * last.D
	total := a.Out * fan
	for _, l := range layers {
		total += l.conv.D*l.k*l.k*l.in.D + 3*l.conv.R*l.conv.C*l.conv.D
	}
	if total > maxFloats {
		return nil, fmt.Errorf("cnnbound: %s needs %d floats of weights and buffers, above the limit %d", a.Name, total, maxFloats)
	}
	a.Layers = append([]theory.Layer(nil), a.Layers...)
	n := &Net{arch: a, layers: layers, classes: a.Out, fan: fan}
	for _, l := range layers {
		kl := l.conv.D * l.k * l.k * l.in.D
		n.Kernels = append(n.Kernels, make([]float64, kl))
		n.kernelLens = append(n.kernelLens, kl)
		cs, ps := l.conv.R*l.conv.C*l.conv.D, l.pooled.R*l.pooled.C*l.pooled.D
		n.acts = append(n.acts, make([]float64, cs))
		n.dAct = append(n.dAct, make([]float64, cs))
		n.pools = append(n.pools, make([]float64, ps))
		n.dPool = append(n.dPool, make([]float64, ps))
	}
	n.Out = make([]float64, a.Out*fan)
	n.logits, n.v = make([]float64, a.Out), make([]float64, a.Out)
	return n, nil
}

// Arch returns (a copy of) the architecture the net was built from.
func (n *Net) Arch() theory.Arch {
	if n == nil {
		return theory.Arch{}
	}
	a := n.arch
	a.Layers = append([]theory.Layer(nil), a.Layers...)
	return a
}

// built returns an error unless n is a net made by New whose weight slices keep their sizes.
func (n *Net) built() error {
	if n == nil || n.logits == nil {
		return errors.New("cnnbound: a nil or unbuilt net (use New)")
	}
	if len(n.Kernels) != len(n.layers) || len(n.Out) != n.classes*n.fan {
		return errors.New("cnnbound: the net's weight slices were resized")
	}
	for i, k := range n.Kernels {
		if len(k) != n.kernelLens[i] {
			return fmt.Errorf("cnnbound: layer %d's kernels were resized", i+1)
		}
	}
	return nil
}

// ConvSizes returns each conv layer's output size before pooling, as the built layers counted it
// (nil for a nil net).
func (n *Net) ConvSizes() []theory.Size {
	if n == nil {
		return nil
	}
	var out []theory.Size
	for _, l := range n.layers {
		out = append(out, l.conv)
	}
	return out
}

// NumWeights returns the number of weights the net holds: the lengths of its kernel and output
// slices (0 for a nil or unbuilt net).
func (n *Net) NumWeights() int {
	if n == nil {
		return 0
	}
	c := len(n.Out)
	for _, k := range n.Kernels {
		c += len(k)
	}
	return c
}

// Clone returns a net with copies of the weights and its own buffers. Errors: a nil, unbuilt or
// resized net.
func (n *Net) Clone() (*Net, error) {
	if err := n.built(); err != nil {
		return nil, err
	}
	c, err := New(n.arch)
	if err != nil {
		return nil, err
	}
	for i := range n.Kernels {
		copy(c.Kernels[i], n.Kernels[i])
	}
	copy(c.Out, n.Out)
	return c, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// checkInput returns an error unless n is built, x has the input's size with entries in [0, 1]
// and y is a class.
func (n *Net) checkInput(x []float64, y int) error {
	if err := n.built(); err != nil {
		return err
	}
	in := n.layers[0].in
	if len(x) != in.R*in.C*in.D {
		return fmt.Errorf("cnnbound: input of %d values, want %d x %d x %d", len(x), in.R, in.C, in.D)
	}
	for i, v := range x {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("cnnbound: input entry %d = %v outside [0, 1]", i, v)
		}
	}
	if y < 0 || y >= n.classes {
		return fmt.Errorf("cnnbound: class %d outside [0, %d)", y, n.classes)
	}
	return nil
}

// checkWeights returns an error unless n is built and every weight is finite.
func (n *Net) checkWeights() error {
	if err := n.built(); err != nil {
		return err
	}
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

// window returns the dot product of kernel kj with layer l's input window at origin (r0, c0).
func window(in []float64, l *layer, kj []float64, r0, c0 int) float64 {
	var s float64
	for ch := range l.in.D {
		base := ch * l.in.R * l.in.C
		kb := ch * l.k * l.k
		for u := range l.k {
			row := in[base+(r0+u)*l.in.C+c0:]
			for v, w := range kj[kb+u*l.k : kb+(u+1)*l.k] {
				s += w * row[v]
			}
		}
	}
	return s
}

// convForward fills layer i's sigmoid outputs from its input map in. Errors: a NaN
// pre-activation (finite weights so large that the window's sum adds +Inf and -Inf).
func (n *Net) convForward(i int, in []float64) error {
	l, act, ker := &n.layers[i], n.acts[i], n.Kernels[i]
	kk := l.k * l.k * l.in.D
	for j := range l.conv.D {
		kj := ker[j*kk : (j+1)*kk]
		for r, r0 := range l.rows {
			for c, c0 := range l.cols {
				s := window(in, l, kj, r0, c0)
				if math.IsNaN(s) {
					return fmt.Errorf("cnnbound: layer %d: a pre-activation overflows to Inf - Inf (weights too large)", i+1)
				}
				act[(j*l.conv.R+r)*l.conv.C+c] = sigmoid(s)
			}
		}
	}
	return nil
}

// poolForward averages layer i's sigmoid outputs over non-overlapping p x p blocks.
func (n *Net) poolForward(i int) {
	l, act, pool := &n.layers[i], n.acts[i], n.pools[i]
	cs, ps, p := l.conv, l.pooled, l.p
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
}

// softmaxLoss computes the logits W z, v = softmax (shifted by the largest logit) and returns
// 1/2 |v - e_y|^2. Errors: a logit that overflows (the softmax of infinite logits is undefined).
func (n *Net) softmaxLoss(z []float64, y int) (float64, error) {
	big := math.Inf(-1)
	for k := range n.logits {
		var s float64
		for i, w := range n.Out[k*n.fan : (k+1)*n.fan] {
			s += w * z[i]
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, fmt.Errorf("cnnbound: logit %d = %v overflows (output weights too large)", k, s)
		}
		n.logits[k] = s
		big = math.Max(big, s)
	}
	var sum float64
	for k, u := range n.logits {
		n.v[k] = math.Exp(u - big)
		sum += n.v[k]
	}
	var loss float64
	for k := range n.v {
		n.v[k] /= sum
		d := n.v[k]
		if k == y {
			d--
		}
		loss += d * d / 2
	}
	return loss, nil
}

// forward runs the layers on x and fills the buffers; it returns the loss 1/2 |v - e_y|^2.
func (n *Net) forward(x []float64, y int) (float64, error) {
	in := x
	for i := range n.layers {
		if err := n.convForward(i, in); err != nil {
			return 0, err
		}
		n.poolForward(i)
		in = n.pools[i]
	}
	return n.softmaxLoss(in, y)
}

// Loss returns the per-sample loss 1/2 |softmax(W z) - e_y|^2 (in [0, 1]). Errors: a nil or
// unbuilt net, an input of the wrong size or outside [0, 1], a class out of range, a weight that
// is not finite, weights so large that a pre-activation or a logit overflows.
func (n *Net) Loss(x []float64, y int) (float64, error) {
	if err := errors.Join(n.checkInput(x, y), n.checkWeights()); err != nil {
		return 0, err
	}
	return n.forward(x, y)
}

// Grad holds a gradient with the net's shapes.
type Grad struct {
	Kernels [][]float64
	Out     []float64
}

// NewGrad returns a zero gradient shaped like the net's weights. Errors: a nil or unbuilt net.
func (n *Net) NewGrad() (*Grad, error) {
	if err := n.built(); err != nil {
		return nil, err
	}
	g := &Grad{Out: make([]float64, len(n.Out))}
	for _, k := range n.Kernels {
		g.Kernels = append(g.Kernels, make([]float64, len(k)))
	}
	return g, nil
}

// Len returns the gradient's number of entries (0 for nil).
func (g *Grad) Len() int {
	if g == nil {
		return 0
	}
	c := len(g.Out)
	for _, k := range g.Kernels {
		c += len(k)
	}
	return c
}

// AddTo adds the gradient into dst, flattened as the output layer's weights then each layer's
// kernels (the order of MeanGradient's result). Errors: a nil gradient, dst not of length Len.
func (g *Grad) AddTo(dst []float64) error {
	if g == nil {
		return errors.New("cnnbound: a nil gradient")
	}
	if len(dst) != g.Len() {
		return fmt.Errorf("cnnbound: adding a gradient of %d entries into %d", g.Len(), len(dst))
	}
	at := copyAdd(dst, 0, g.Out)
	for _, k := range g.Kernels {
		at = copyAdd(dst, at, k)
	}
	return nil
}

// copyAdd adds src into dst[at:] and returns the index after it.
func copyAdd(dst []float64, at int, src []float64) int {
	for i, v := range src {
		dst[at+i] += v
	}
	return at + len(src)
}

// SquaredNorms returns |grad_{W_{l+1}}|_F^2 and the whole gradient's squared norm (0 for nil).
func (g *Grad) SquaredNorms() (out, all float64) {
	if g == nil {
		return 0, 0
	}
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

// finite returns an error naming the first entry of g that is not finite.
func (g *Grad) finite() error {
	for _, w := range g.Out {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("cnnbound: the output layer's gradient overflows to %v (weights too large)", w)
		}
	}
	for i, k := range g.Kernels {
		for _, w := range k {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return fmt.Errorf("cnnbound: layer %d's gradient overflows to %v (weights too large)", i+1, w)
			}
		}
	}
	return nil
}

// fits returns an error unless g has the net's shapes.
func (n *Net) fits(g *Grad) error {
	if g == nil || len(g.Out) != len(n.Out) || len(g.Kernels) != len(n.Kernels) {
		return errors.New("cnnbound: the gradient's shape does not match the net (use NewGrad)")
	}
	for i := range g.Kernels {
		if len(g.Kernels[i]) != len(n.Kernels[i]) {
			return errors.New("cnnbound: the gradient's shape does not match the net (use NewGrad)")
		}
	}
	return nil
}

// Gradient computes the per-sample loss and its gradient into g (overwritten), by the backward
// pass: grad_u f = (diag(v) - v v^T)(v - e_y) at the logits, through the output layer, the average
// pooling (each cell's gradient spread over its p x p block / p^2), the sigmoid (s (1 - s)) and the
// convolution. Errors: as Loss, a gradient of the wrong shape, a gradient that overflows.
func (n *Net) Gradient(x []float64, y int, g *Grad) (float64, error) {
	if err := errors.Join(n.checkInput(x, y), n.checkWeights()); err != nil {
		return 0, err
	}
	if err := n.fits(g); err != nil {
		return 0, err
	}
	return n.gradient(x, y, g)
}

// gradient is Gradient without the argument checks (its callers have made them).
func (n *Net) gradient(x []float64, y int, g *Grad) (float64, error) {
	loss, err := n.forward(x, y)
	if err != nil {
		return 0, err
	}
	n.outputBackward(y, g)
	for i := len(n.layers) - 1; i >= 0; i-- {
		n.layerBackward(i, x, g)
	}
	return loss, g.finite()
}

// outputBackward writes the output layer's gradient into g.Out and the gradient at the last pooled
// map into its buffer: du = (diag(v) - v v^T)(v - e_y), dz = W^T du.
func (n *Net) outputBackward(y int, g *Grad) {
	var dot float64
	for k, v := range n.v {
		e := v
		if k == y {
			e--
		}
		dot += v * e
	}
	l := len(n.layers)
	z, dz := n.pools[l-1], n.dPool[l-1]
	clear(dz)
	for k, v := range n.v {
		e := v
		if k == y {
			e--
		}
		du := v * (e - dot)
		w, gw := n.Out[k*n.fan:(k+1)*n.fan], g.Out[k*n.fan:(k+1)*n.fan]
		for i := range w {
			gw[i] = du * z[i]
			dz[i] += du * w[i]
		}
	}
}

// layerBackward takes the gradient at layer i's pooled map through the pooling and the sigmoid,
// writes the kernels' gradient into g.Kernels[i] and (below the first layer) the gradient at the
// previous pooled map into its buffer.
func (n *Net) layerBackward(i int, x []float64, g *Grad) {
	l, act, dact, dpool := &n.layers[i], n.acts[i], n.dAct[i], n.dPool[i]
	cs, ps, p := l.conv, l.pooled, l.p
	inv := 1 / float64(p*p)
	for j := range cs.D {
		for r := range cs.R {
			for c := range cs.C {
				idx := (j*cs.R+r)*cs.C + c
				s := act[idx]
				dact[idx] = dpool[(j*ps.R+r/p)*ps.C+c/p] * inv * s * (1 - s)
			}
		}
	}
	in, din := x, []float64(nil)
	if i > 0 {
		in, din = n.pools[i-1], n.dPool[i-1]
		clear(din)
	}
	gk := g.Kernels[i]
	clear(gk)
	kk := l.k * l.k * l.in.D
	for j := range cs.D {
		kj, gj := n.Kernels[i][j*kk:(j+1)*kk], gk[j*kk:(j+1)*kk]
		for r, r0 := range l.rows {
			for c, c0 := range l.cols {
				if d := dact[(j*cs.R+r)*cs.C+c]; d != 0 {
					windowBackward(l, in, din, kj, gj, r0, c0, d)
				}
			}
		}
	}
}

// windowBackward adds d times the input window at (r0, c0) into the kernel's gradient gj and, when
// din is not nil, d times the kernel kj into the input gradient's window.
func windowBackward(l *layer, in, din, kj, gj []float64, r0, c0 int, d float64) {
	for ch := range l.in.D {
		base := ch * l.in.R * l.in.C
		kb := ch * l.k * l.k
		for u := range l.k {
			off := base + (r0+u)*l.in.C + c0
			row := in[off : off+l.k]
			gr := gj[kb+u*l.k : kb+(u+1)*l.k]
			for v := range gr {
				gr[v] += d * row[v]
			}
			if din != nil {
				kr := kj[kb+u*l.k : kb+(u+1)*l.k]
				dr := din[off : off+l.k]
				for v := range kr {
					dr[v] += d * kr[v]
				}
			}
		}
	}
}
