package cnnbound

import (
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// The tests below hold the 2^27-float limits from the rejecting side: each architecture or sample
// needs just over 2^27 floats, so it must be refused before anything is allocated (a miscounted
// limit would try to allocate over 1 GiB instead).

// TestFloatLimitTerms: New counts every term of a net's floats against 2^27: the output layer
// (4096 classes x 2^15 features, with the buffers just over), the kernels (4096 kernels of 3 x 3 x
// 4096) and the three conv-size buffers (3 x 4096 x 4096 x 3, pooled down to 3 features).
func TestFloatLimitTerms(t *testing.T) {
	for _, a := range []theory.Arch{
		{Name: "output", R0: 8, C0: 1, D0: 1, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 4096, B: 1}}, Out: 4096, OutB: 1},
		{Name: "kernels", R0: 3, C0: 3, D0: 4096, P: 1, Layers: []theory.Layer{{K: 3, S: 1, D: 4096, B: 1}}, Out: 1, OutB: 1},
		{Name: "buffers", R0: 4096, C0: 4096, D0: 1, P: 4096, Layers: []theory.Layer{{K: 1, S: 1, D: 3, B: 1}}, Out: 1, OutB: 1},
	} {
		if _, err := New(a); err == nil {
			t.Errorf("%s: a net of over 2^27 floats accepted", a.Name)
		}
	}
}

// wide is a net of 2^20 + 1024 weights (1024 kernels of 1 x 1 x 1024 and 1024 output weights) on a
// 1 x 1 x 1024 input: 127 gradients fit in 2^27 floats, 128 do not.
func wide() theory.Arch {
	return theory.Arch{Name: "wide", R0: 1, C0: 1, D0: 1024, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 1024, B: 1}}, Out: 1, OutB: 1}
}

// TestSampleLimits: a population of 129 points of 2^20 values, 128 sample gradients of 2^20 + 1024
// weights, and a Uniform of two such weight vectors at 100 points (each net's 100 gradients fit,
// the two together do not) are refused.
func TestSampleLimits(t *testing.T) {
	a := theory.Arch{Name: "big input", R0: 1024, C0: 1024, D0: 1, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 1, B: 1}}, Out: 1, OutB: 1}
	if _, err := NewPopulation(a, 129, 1); err == nil {
		t.Error("a population of 129 x 2^20 values accepted")
	}
	n, err := New(wide())
	if err != nil {
		t.Fatal(err)
	}
	pop, err := NewPopulation(wide(), 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.SampleGradients(pop, make([]int, 128)); err == nil {
		t.Error("128 gradients of 2^20 + 1024 weights accepted")
	}
	if _, err := NewUniform([]*Net{n, n}, pop); err == nil {
		t.Error("100 points x 2 weight vectors x (2^20 + 1024) weights accepted")
	}
}

// TestFloatLimitExact: a net of exactly 2^27 floats is built: 217 x 1 inputs, 4096 kernels of
// 1 x 1 and 148 classes need 4096 (217 (148 + 3) + 1) = 4096 x 32768 floats. (The weights are
// allocated, not touched.)
func TestFloatLimitExact(t *testing.T) {
	a := theory.Arch{Name: "exact", R0: 217, C0: 1, D0: 1, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 4096, B: 1}}, Out: 148, OutB: 1}
	n, err := New(a)
	if err != nil {
		t.Fatalf("a net of exactly 2^27 floats: %v", err)
	}
	if w := n.NumWeights(); w != 148*217*4096+4096 {
		t.Fatalf("%d weights", w)
	}
	a.Out = 149
	if _, err := New(a); err == nil {
		t.Fatal("149 classes (over 2^27 floats) accepted")
	}
}
