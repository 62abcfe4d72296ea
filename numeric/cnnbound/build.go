package cnnbound

import (
	"errors"
	"fmt"
	"math"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// maxCount caps every count of an architecture this package builds (2^12: products of four stay
// far inside int).
const maxCount = 1 << 12

// layer is one conv layer as the net builds it: its kernel side, stride, pooling block and norm
// bound, its input, conv output (before pooling) and pooled sizes, and the origin of every window
// along rows and columns, found by sliding the window over the input (so the output size is the
// number of positions counted, not a formula).
type layer struct {
	k, s, p          int
	b                float64
	in, conv, pooled theory.Size
	rows, cols       []int
}

// windows returns the origins of a k-wide window sliding by s along an axis of length in: every
// position where it fits, counted. Errors: no position, or a last window that stops short of the
// edge (the stride does not tile the axis).
func windows(axis string, in, k, s int) ([]int, error) {
	var at []int
	for o := 0; o+k <= in; o += s {
		at = append(at, o)
	}
	if len(at) == 0 {
		return nil, fmt.Errorf("kernel %d larger than the %d input %s", k, in, axis)
	}
	if end := at[len(at)-1] + k; end != in {
		return nil, fmt.Errorf("stride %d leaves input %s %d..%d unread (windows of %d)", s, axis, end, in-1, k)
	}
	return at, nil
}

// blocks returns how many p-wide pooling blocks tile an axis of length n, counted. Errors: a
// remainder.
func blocks(axis string, n, p int) (int, error) {
	c, o := 0, 0
	for ; o+p <= n; o += p {
		c++
	}
	if o != n || c == 0 {
		return 0, fmt.Errorf("pooling %d does not tile the %d conv output %s", p, n, axis)
	}
	return c, nil
}

// buildLayer slides layer l's windows over an input of size in and pools the result by p.
func buildLayer(in theory.Size, l theory.Layer, p int) (layer, error) {
	if l.K < 1 || l.S < 1 || l.D < 1 || l.K > maxCount || l.S > maxCount || l.D > maxCount {
		return layer{}, fmt.Errorf("k = %d, s = %d, d = %d must be in [1, %d]", l.K, l.S, l.D, maxCount)
	}
	if l.K < l.S {
		return layer{}, fmt.Errorf("kernel %d smaller than its stride %d (the model has k >= s)", l.K, l.S)
	}
	if !(l.B > 0) || math.IsInf(l.B, 0) {
		return layer{}, fmt.Errorf("norm bound b = %v must be finite and > 0", l.B)
	}
	rows, err1 := windows("rows", in.R, l.K, l.S)
	cols, err2 := windows("columns", in.C, l.K, l.S)
	if err := errors.Join(err1, err2); err != nil {
		return layer{}, err
	}
	conv := theory.Size{R: len(rows), C: len(cols), D: l.D}
	pr, err1 := blocks("rows", conv.R, p)
	pc, err2 := blocks("columns", conv.C, p)
	if err := errors.Join(err1, err2); err != nil {
		return layer{}, err
	}
	return layer{k: l.K, s: l.S, p: p, b: l.B, in: in, conv: conv, pooled: theory.Size{R: pr, C: pc, D: l.D}, rows: rows, cols: cols}, nil
}

// buildLayers builds every conv layer of a in turn, each on the previous one's pooled output.
func buildLayers(a theory.Arch) ([]layer, error) {
	if a.R0 < 1 || a.C0 < 1 || a.D0 < 1 || a.P < 1 || a.R0 > maxCount || a.C0 > maxCount || a.D0 > maxCount || a.P > maxCount {
		return nil, fmt.Errorf("cnnbound: input %d x %d x %d and pooling %d must be in [1, %d]", a.R0, a.C0, a.D0, a.P, maxCount)
	}
	if len(a.Layers) == 0 || len(a.Layers) > maxCount {
		return nil, fmt.Errorf("cnnbound: %d conv layers (need 1 to %d)", len(a.Layers), maxCount)
	}
	in := theory.Size{R: a.R0, C: a.C0, D: a.D0}
	var out []layer
	for i, l := range a.Layers {
		built, err := buildLayer(in, l, a.P)
		if err != nil {
			return nil, fmt.Errorf("cnnbound: layer %d: %w", i+1, err)
		}
		out = append(out, built)
		in = built.pooled
	}
	return out, nil
}

// checkOutput validates the output layer's counts and norm bound.
func checkOutput(a theory.Arch) error {
	if a.Out < 1 || a.Out > maxCount {
		return fmt.Errorf("cnnbound: %d classes (need 1 to %d)", a.Out, maxCount)
	}
	if !(a.OutB > 0) || math.IsInf(a.OutB, 0) {
		return fmt.Errorf("cnnbound: output norm bound b = %v must be finite and > 0", a.OutB)
	}
	return nil
}

// LayerShape is one conv layer as the built net holds it: its input map, its conv output before
// pooling and its pooled map (rows, columns, channels, counted while building), the kernel side K
// and stride S its windows slide with, the pooling block P, and per kernel KernelLen weights
// (K^2 times the input's channels; the layer holds Conv.D kernels).
type LayerShape struct {
	In, Conv, Pooled theory.Size
	K, S, P          int
	KernelLen        int
}

// Shapes returns the built net's conv layers, its number of classes and the output layer's input
// size (features = the last pooled map's rows x columns x channels), read off the net's own
// buffers and kernels. Errors: a nil or unbuilt net.
func (n *Net) Shapes() (layers []LayerShape, classes, features int, err error) {
	if err := n.built(); err != nil {
		return nil, 0, 0, err
	}
	for i, l := range n.layers {
		layers = append(layers, LayerShape{In: l.in, Conv: l.conv, Pooled: l.pooled, K: l.k, S: l.s, P: l.p, KernelLen: len(n.Kernels[i]) / l.conv.D})
	}
	return layers, len(n.logits), len(n.Out) / len(n.logits), nil
}
