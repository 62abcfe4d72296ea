package props

import (
	"github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// drawCNNArch draws a valid architecture of 1 to 3 conv layers, built backwards from the last
// pooled map so that every size tiles: each layer's k (1..4), s (1..min(k, 2)), channels, rank
// (1..4) and norm bound (0.5..5) drawn, pooling 1 or 2, rows and columns of independent sizes
// (inputs in general not square, strides 2 in later layers as often as in the first), 2..10
// classes.
func drawCNNArch(t *rapid.T) cnnbound.Arch {
	l := rapid.IntRange(1, 3).Draw(t, "layers")
	p := rapid.IntRange(1, 2).Draw(t, "p")
	rows := rapid.IntRange(1, 3).Draw(t, "pooled rows")
	cols := rapid.IntRange(1, 3).Draw(t, "pooled cols")
	layers := make([]cnnbound.Layer, l)
	for i := l - 1; i >= 0; i-- {
		k := rapid.IntRange(1, 4).Draw(t, "k")
		s := rapid.IntRange(1, min(k, 2)).Draw(t, "s")
		layers[i] = cnnbound.Layer{K: k, S: s, D: rapid.IntRange(1, 6).Draw(t, "d"), A: rapid.IntRange(1, 4).Draw(t, "a"),
			B: rapid.Float64Range(0.5, 5).Draw(t, "b")}
		rows, cols = k+s*(p*rows-1), k+s*(p*cols-1)
	}
	return cnnbound.Arch{Name: "drawn", R0: rows, C0: cols, D0: rapid.IntRange(1, 3).Draw(t, "d0"), P: p, Layers: layers,
		Out: rapid.IntRange(2, 10).Draw(t, "out"), OutA: rapid.IntRange(1, 4).Draw(t, "out a"), OutB: rapid.Float64Range(0.5, 5).Draw(t, "out b")}
}
