package cnnbound

import (
	"math"
	"math/rand/v2"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// drawArch draws a valid architecture of 1 to maxLayers conv layers, built backwards from the last
// pooled map: every layer's k (1..3) and s (1..k, at most 2) drawn, pooling 1 or 2, rows and
// columns of independent sizes (so inputs are in general not square, and a stride of 2 appears in
// later layers as often as in the first).
func drawArch(t *rapid.T, maxLayers int) theory.Arch {
	l := rapid.IntRange(1, maxLayers).Draw(t, "layers")
	p := rapid.IntRange(1, 2).Draw(t, "p")
	rows := rapid.IntRange(1, 2).Draw(t, "pooled rows")
	cols := rapid.IntRange(1, 3).Draw(t, "pooled cols")
	layers := make([]theory.Layer, l)
	for i := l - 1; i >= 0; i-- {
		k := rapid.IntRange(1, 3).Draw(t, "k")
		s := rapid.IntRange(1, min(k, 2)).Draw(t, "s")
		layers[i] = theory.Layer{K: k, S: s, D: rapid.IntRange(1, 3).Draw(t, "d"), A: 1, B: 2}
		rows, cols = k+s*(p*rows-1), k+s*(p*cols-1) // this layer's input
	}
	return theory.Arch{Name: "drawn", R0: rows, C0: cols, D0: rapid.IntRange(1, 2).Draw(t, "d0"), P: p, Layers: layers,
		Out: rapid.IntRange(2, 4).Draw(t, "out"), OutA: 1, OutB: 3}
}

// tensor is a naive [channel][row][column] feature map.
type tensor [][][]float64

func zeros(d, r, c int) tensor {
	t := make(tensor, d)
	for i := range t {
		t[i] = make([][]float64, r)
		for j := range t[i] {
			t[i][j] = make([]float64, c)
		}
	}
	return t
}

// naiveConv is the definition, written out independently of the package's loops and sizes:
// out[j][r][c] = sigmoid(sum_{ch,u,v} K_j[ch][u][v] in[ch][r s + u][c s + v]) with
// (in - k)/s + 1 outputs per axis, kernel j's weights at w[j k^2 d + ch k^2 + u k + v].
func naiveConv(in tensor, w []float64, k, s, d int) tensor {
	dIn, rIn, cIn := len(in), len(in[0]), len(in[0][0])
	out := zeros(d, (rIn-k)/s+1, (cIn-k)/s+1)
	for j := range out {
		for r := range out[j] {
			for c := range out[j][r] {
				var sum float64
				for ch := range dIn {
					for u := range k {
						for v := range k {
							sum += w[j*k*k*dIn+ch*k*k+u*k+v] * in[ch][r*s+u][c*s+v]
						}
					}
				}
				out[j][r][c] = 1 / (1 + math.Exp(-sum))
			}
		}
	}
	return out
}

// naivePool averages non-overlapping p x p blocks.
func naivePool(in tensor, p int) tensor {
	out := zeros(len(in), len(in[0])/p, len(in[0][0])/p)
	for j := range out {
		for r := range out[j] {
			for c := range out[j][r] {
				for u := range p {
					for v := range p {
						out[j][r][c] += in[j][r*p+u][c*p+v] / float64(p*p)
					}
				}
			}
		}
	}
	return out
}

// flatten lists a map channel by channel, row by row.
func (t tensor) flatten() []float64 {
	var out []float64
	for _, ch := range t {
		for _, row := range ch {
			out = append(out, row...)
		}
	}
	return out
}

// naiveLoss runs the whole net by the definitions: the conv layers and pools, the logits
// sum_i W[k][i] z_i, the softmax exp(u_k) / sum exp (unshifted: the weights drawn are moderate)
// and 1/2 |v - e_y|^2; it returns every pooled map and the loss.
func naiveLoss(a theory.Arch, kernels [][]float64, out []float64, x []float64, y int) ([][]float64, float64) {
	in := zeros(a.D0, a.R0, a.C0)
	for ch := range a.D0 {
		for r := range a.R0 {
			for c := range a.C0 {
				in[ch][r][c] = x[(ch*a.R0+r)*a.C0+c]
			}
		}
	}
	var pooled [][]float64
	for i, l := range a.Layers {
		in = naivePool(naiveConv(in, kernels[i], l.K, l.S, l.D), a.P)
		pooled = append(pooled, in.flatten())
	}
	z := pooled[len(pooled)-1]
	exps := make([]float64, a.Out)
	var sum float64
	for k := range exps {
		var u float64
		for i, v := range z {
			u += out[k*len(z)+i] * v
		}
		exps[k] = math.Exp(u)
		sum += exps[k]
	}
	var loss float64
	for k, e := range exps {
		d := e / sum
		if k == y {
			d--
		}
		loss += d * d / 2
	}
	return pooled, loss
}

// TestForwardNaive: the forward pass equals the naive direct convolution, pooling and softmax on
// drawn architectures of up to three layers (every layer's k and s drawn, strides 2 in later
// layers, non-square inputs): every pooled map and the loss to 1e-13. It also holds the built
// conv sizes to theory's recursion (two independent computations of the same sizes).
func TestForwardNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := drawArch(t, 3)
		n, err := New(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Randomize(rapid.Float64Range(0.1, 3).Draw(t, "scale"), rapid.Uint64().Draw(t, "w")); err != nil {
			t.Fatal(err)
		}
		x, err := n.RandomInput(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "x"), 1)))
		if err != nil {
			t.Fatal(err)
		}
		y := rapid.IntRange(0, a.Out-1).Draw(t, "y")
		loss, err := n.Loss(x, y)
		if err != nil {
			t.Fatal(err)
		}
		pooled, want := naiveLoss(a, n.Kernels, n.Out, x, y)
		for i := range pooled {
			requireClose(t, "pooled map", n.pools[i], pooled[i], 1e-13)
		}
		requireClose(t, "loss", []float64{loss}, []float64{want}, 1e-13)
		conv, _, err := a.Sizes()
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range n.ConvSizes() {
			if c != conv[i] {
				t.Fatalf("layer %d: built %v, theory's recursion %v", i+1, c, conv[i])
			}
		}
	})
}

// TestForwardNaiveStride2Later: a fixed non-square case with stride 1 then stride 2 (k = 3) and a
// third layer of k = 2, s = 2, against the naive definition.
func TestForwardNaiveStride2Later(t *testing.T) {
	a := theory.Arch{Name: "s2", R0: 19, C0: 27, D0: 2, P: 1, Layers: []theory.Layer{
		{K: 3, S: 1, D: 3, A: 1, B: 2}, {K: 3, S: 2, D: 2, A: 1, B: 2}, {K: 2, S: 2, D: 2, A: 1, B: 2}}, Out: 3, OutA: 1, OutB: 3}
	n, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	// 19 x 27 -> 17 x 25 -> 8 x 12 -> 4 x 6.
	want := []theory.Size{{R: 17, C: 25, D: 3}, {R: 8, C: 12, D: 2}, {R: 4, C: 6, D: 2}}
	for i, c := range n.ConvSizes() {
		if c != want[i] {
			t.Fatalf("layer %d: %v, want %v", i+1, c, want[i])
		}
	}
	if err := n.Randomize(1, 9); err != nil {
		t.Fatal(err)
	}
	x, _ := n.RandomInput(rand.New(rand.NewPCG(4, 4)))
	loss, err := n.Loss(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	pooled, l := naiveLoss(a, n.Kernels, n.Out, x, 2)
	for i := range pooled {
		requireClose(t, "pooled map", n.pools[i], pooled[i], 1e-13)
	}
	requireClose(t, "loss", []float64{loss}, []float64{l}, 1e-13)
}

// TestBuildAgreesWithTheory: New and theory's Validate accept and reject the same drawn
// architectures (valid or not: kernels larger than their input, strides and poolings that do not
// tile, k < s, zero counts), and on the accepted ones the counted sizes and weight count equal
// theory's Sizes and Params.
func TestBuildAgreesWithTheory(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := theory.Arch{Name: "any", R0: rapid.IntRange(0, 20).Draw(t, "r0"), C0: rapid.IntRange(1, 20).Draw(t, "c0"), D0: rapid.IntRange(1, 2).Draw(t, "d0"),
			P: rapid.IntRange(1, 3).Draw(t, "p"), Out: rapid.IntRange(1, 3).Draw(t, "out"), OutA: 1, OutB: 1}
		for range rapid.IntRange(1, 2).Draw(t, "layers") {
			a.Layers = append(a.Layers, theory.Layer{K: rapid.IntRange(0, 6).Draw(t, "k"), S: rapid.IntRange(1, 4).Draw(t, "s"), D: rapid.IntRange(1, 3).Draw(t, "d"), A: 1, B: 1})
		}
		n, err := New(a)
		terr := a.Validate()
		if (err == nil) != (terr == nil) {
			t.Fatalf("New: %v; theory: %v", err, terr)
		}
		if err != nil {
			return
		}
		conv, _, _ := a.Sizes()
		d, _ := a.Params()
		for i, c := range n.ConvSizes() {
			if c != conv[i] {
				t.Fatalf("layer %d: built %v, theory %v", i+1, c, conv[i])
			}
		}
		if n.NumWeights() != d {
			t.Fatalf("built %d weights, theory's d = %d", n.NumWeights(), d)
		}
	})
}

// requireClose fails unless got and want have equal lengths and agree to tol relative to the
// largest |want| (at least 1).
func requireClose(t interface{ Fatalf(string, ...any) }, what string, got, want []float64, tol float64) {
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*scale {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}
