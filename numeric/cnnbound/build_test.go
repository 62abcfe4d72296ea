package cnnbound

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"strings"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// point is a 1 x 1 x 1 input with one 1 x 1 layer: the smallest net, to be widened one count at a
// time.
func point() theory.Arch {
	return theory.Arch{Name: "point", R0: 1, C0: 1, D0: 1, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 1, A: 1, B: 1}}, Out: 1, OutA: 1, OutB: 1}
}

// TestCountLimits: every count of an architecture is accepted from 1 up to exactly 4096 and
// rejected at 0 and 4097: input rows, columns and channels, kernel channels, classes and the
// number of layers through New (cheap at these shapes); the kernel side, stride and pooling, whose
// 4096 needs a 4096 x 4096 input, through the layer builder New calls, which allocates no weights.
func TestCountLimits(t *testing.T) {
	widen := map[string]func(a *theory.Arch, c int){
		"rows":     func(a *theory.Arch, c int) { a.R0 = c },
		"columns":  func(a *theory.Arch, c int) { a.C0 = c },
		"channels": func(a *theory.Arch, c int) { a.D0 = c },
		"kernels":  func(a *theory.Arch, c int) { a.Layers[0].D = c },
		"classes":  func(a *theory.Arch, c int) { a.Out = c },
		"layers": func(a *theory.Arch, c int) {
			a.Layers = make([]theory.Layer, c)
			for i := range a.Layers {
				a.Layers[i] = theory.Layer{K: 1, S: 1, D: 1, A: 1, B: 1}
			}
		},
	}
	for what, set := range widen {
		for _, c := range []int{1, maxCount, 0, maxCount + 1} {
			a := point()
			set(&a, c)
			_, err := New(a)
			if ok := c >= 1 && c <= maxCount; (err == nil) != ok {
				t.Errorf("%s = %d: %v", what, c, err)
			}
		}
	}
	big := theory.Size{R: maxCount, C: maxCount, D: 1}
	for _, l := range []theory.Layer{{K: maxCount, S: 1, D: 1}, {K: maxCount, S: maxCount, D: 1}} {
		l.B = 1
		if _, err := buildLayer(big, l, 1); err != nil {
			t.Errorf("k = %d, s = %d, d = %d on a 4096 x 4096 input: %v", l.K, l.S, l.D, err)
		}
	}
	for _, l := range []theory.Layer{{K: maxCount + 1, S: 1, D: 1}, {K: maxCount + 1, S: maxCount + 1, D: 1}, {K: 1, S: 1, D: maxCount + 1}} {
		l.B = 1
		if _, err := buildLayer(theory.Size{R: maxCount + 1, C: maxCount + 1, D: 1}, l, 1); err == nil {
			t.Errorf("k = %d, s = %d, d = %d accepted", l.K, l.S, l.D)
		}
	}
	a := theory.Arch{R0: maxCount, C0: maxCount, D0: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 1, B: 1}}}
	for _, p := range []int{maxCount, maxCount + 1} {
		a.P = p
		if _, err := buildLayers(a); (err == nil) != (p == maxCount) {
			t.Errorf("pooling %d on a 4096 x 4096 conv output: %v", p, err)
		}
	}
}

// TestNormBoundRange: the kernels' and the output layer's norm bounds are accepted from the
// smallest positive float and rejected at 0, below it, at +Inf and at NaN.
func TestNormBoundRange(t *testing.T) {
	for _, b := range []float64{5e-324, 1, math.MaxFloat64, 0, -1, math.Inf(1), math.NaN()} {
		ok := b > 0 && !math.IsInf(b, 0)
		a := point()
		a.Layers[0].B = b
		if _, err := New(a); (err == nil) != ok {
			t.Errorf("kernel bound %v: %v", b, err)
		}
		a = point()
		a.OutB = b
		if _, err := New(a); (err == nil) != ok {
			t.Errorf("output bound %v: %v", b, err)
		}
	}
}

// TestShapes: Shapes reports each layer as built (kernel length k^2 d_{i-1}, each layer's input the
// previous pooled map), the classes and the features rt_l ct_l d_l of the last pooled map.
func TestShapes(t *testing.T) {
	a := twoChannel()
	n, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	layers, classes, features, err := n.Shapes()
	if err != nil {
		t.Fatal(err)
	}
	want := []LayerShape{
		{In: theory.Size{R: 8, C: 8, D: 2}, Conv: theory.Size{R: 6, C: 6, D: 8}, Pooled: theory.Size{R: 6, C: 6, D: 8}, K: 3, S: 1, P: 1, KernelLen: 18},
		{In: theory.Size{R: 6, C: 6, D: 8}, Conv: theory.Size{R: 3, C: 3, D: 4}, Pooled: theory.Size{R: 3, C: 3, D: 4}, K: 2, S: 2, P: 1, KernelLen: 32},
	}
	if len(layers) != len(want) || layers[0] != want[0] || layers[1] != want[1] || classes != 10 || features != 36 {
		t.Fatalf("Shapes: %+v, %d classes, %d features; want %+v, 10, 36", layers, classes, features, want)
	}
}

// TestErrorsNameTheLayer: errors about one layer name it, counting from 1, and a stride that does
// not tile names the unread rows.
func TestErrorsNameTheLayer(t *testing.T) {
	a := twoChannel()
	a.Layers[1].K = 3 // 6 rows, windows of 3 by 2 at 0 and 2: row 5 unread
	_, err := New(a)
	if err == nil || !strings.Contains(err.Error(), "layer 2:") || !strings.Contains(err.Error(), "rows 5..5 unread") {
		t.Errorf("windows of 3 by 2 in layer 2: %v", err)
	}
	n := fp.Must(New(twoChannel()))
	x := make([]float64, 8*8*2)
	n.Kernels[1][3] = math.Inf(-1)
	if _, err := n.Loss(x, 0); err == nil || !strings.Contains(err.Error(), "layer 2 ") {
		t.Errorf("an infinite weight in layer 2: %v", err)
	}
	n.Kernels[1] = n.Kernels[1][:4]
	if _, err := n.Loss(x, 0); err == nil || !strings.Contains(err.Error(), "layer 2's") {
		t.Errorf("layer 2's kernels resized: %v", err)
	}
}
