package cnnbound

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// TestGradientFiniteDifferences: the backward pass equals central differences of the loss for
// every weight, to 1e-6 relative to the gradient's largest entry (step 1e-5).
func TestGradientFiniteDifferences(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n, err := New(drawArch(t, 2))
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Randomize(1, rapid.Uint64().Draw(t, "w")); err != nil {
			t.Fatal(err)
		}
		x, err := n.RandomInput(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "x"), 1)))
		if err != nil {
			t.Fatal(err)
		}
		y := rapid.IntRange(0, n.Arch().Out-1).Draw(t, "y")
		g, err := n.NewGrad()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Gradient(x, y, g); err != nil {
			t.Fatal(err)
		}
		scale := 1e-8
		for _, w := range append(append([]float64{}, g.Out...), flat(g.Kernels)...) {
			scale = math.Max(scale, math.Abs(w))
		}
		check := func(w []float64, gw []float64, name string) {
			for i := range w {
				old := w[i]
				w[i] = old + 1e-5
				lp, _ := n.Loss(x, y)
				w[i] = old - 1e-5
				lm, _ := n.Loss(x, y)
				w[i] = old
				if fd := (lp - lm) / 2e-5; math.Abs(fd-gw[i]) > 1e-6*scale {
					t.Fatalf("%s[%d]: backward %v, differences %v", name, i, gw[i], fd)
				}
			}
		}
		check(n.Out, g.Out, "output")
		for i := range n.Kernels {
			check(n.Kernels[i], g.Kernels[i], "kernels")
		}
	})
}

func flat(xs [][]float64) []float64 {
	var out []float64
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

// s1 is CNN-7's small net: 8 x 8 x 1, one 3 x 3 layer of 2 kernels, pooling 2, 3 classes.
func s1() theory.Arch {
	return theory.Arch{Name: "S1", R0: 8, C0: 8, D0: 1, P: 2, Layers: []theory.Layer{{K: 3, S: 1, D: 2, A: 2, B: 2}}, Out: 3, OutA: 2, OutB: 3}
}

// randomNet returns a net of a with weights Randomize(scale, seed), failing t on an error.
func randomNet(t testing.TB, a theory.Arch, scale float64, seed uint64) *Net {
	t.Helper()
	n, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Randomize(scale, seed); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMeanGradientDeterministic: the parallel mean gradient equals a plain sequential sum to 1e-12
// relative and is bit-identical whatever GOMAXPROCS is.
func TestMeanGradientDeterministic(t *testing.T) {
	n := randomNet(t, s1(), 1, 5)
	pop, err := NewPopulation(s1(), 3000, 6)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, len(pop.X))
	for i := range all {
		all[i] = i
	}
	_, seq := handMean(t, n, pop, all)
	var first []float64
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		_, g, err := n.MeanGradient(pop, nil)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		requireClose(t, "mean gradient", g, seq, 1e-12)
		for i := range g {
			if first != nil && g[i] != first[i] {
				t.Fatalf("procs %d: entry %d = %v differs from GOMAXPROCS 1's %v", procs, i, g[i], first[i])
			}
		}
		first = g
	}
}

// handMean is the plain loop the batch functions are checked against: the average over idx (with
// repeats) of the per-sample losses and gradients from Gradient, the gradient flattened by hand
// as output layer then kernels.
func handMean(t testing.TB, n *Net, p *Population, idx []int) (float64, []float64) {
	t.Helper()
	g, err := n.NewGrad()
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	var loss float64
	for _, i := range idx {
		l, err := n.Gradient(p.X[i], p.Y[i], g)
		if err != nil {
			t.Fatal(err)
		}
		loss += l / float64(len(idx))
		flatG := append(append([]float64{}, g.Out...), flat(g.Kernels)...)
		if out == nil {
			out = make([]float64, len(flatG))
		}
		for k, v := range flatG {
			out[k] += v / float64(len(idx))
		}
	}
	return loss, out
}

// TestSubsets: on strict subsets of a population (a few scattered points with a repeat; a single
// point; the last point), MeanGradient equals the hand average of Gradient over exactly those
// points (not the whole population, not the first len(idx) points), SampleGradients' rows are
// those points' gradients in idx's order, and the whole population differs from the subset.
func TestSubsets(t *testing.T) {
	a := s1()
	n := randomNet(t, a, 1, 11)
	pop, err := NewPopulation(a, 40, 12)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range [][]int{{3, 17, 17, 29, 8}, {21}, {39, 0}} {
		loss, g, err := n.MeanGradient(pop, idx)
		if err != nil {
			t.Fatal(err)
		}
		hl, hg := handMean(t, n, pop, idx)
		requireClose(t, "subset mean gradient", g, hg, 1e-13)
		requireClose(t, "subset mean loss", []float64{loss}, []float64{hl}, 1e-13)
		prefix := make([]int, len(idx))
		for i := range prefix {
			prefix[i] = i
		}
		if _, pg := handMean(t, n, pop, prefix); math.Abs(pg[0]-g[0]) < 1e-9 {
			t.Fatalf("subset %v: the mean equals the first %d points' (index ignored?)", idx, len(idx))
		}
		all := make([]int, len(pop.Y))
		for i := range all {
			all[i] = i
		}
		if _, ag := handMean(t, n, pop, all); math.Abs(ag[0]-g[0]) < 1e-9 {
			t.Fatalf("subset %v: the mean equals the whole population's (index ignored?)", idx)
		}
		losses, rows, err := n.SampleGradients(pop, idx)
		if err != nil {
			t.Fatal(err)
		}
		d := n.NumWeights()
		for r, i := range idx {
			l, gi := handMean(t, n, pop, []int{i})
			requireClose(t, "SampleGradients row", rows[r*d:(r+1)*d], gi, 1e-15)
			requireClose(t, "SampleGradients loss", losses[r:r+1], []float64{l}, 1e-15)
		}
	}
}

// TestReplicateByHand: a replicate's squared deviations and gaps at n = 1, 5, 23 equal
// |MeanGradient(the n points) - MeanGradient(all)|^2 and the loss difference, at each of two
// weight vectors, the points drawn by the replicate's own index stream: nested, the first n of
// one sequence; independent, n fresh points after the previous sizes' draws. The population
// moments equal the hand ones (tr Cov as the mean squared distance of the rows from the mean).
func TestReplicateByHand(t *testing.T) {
	a := s1()
	nets := []*Net{randomNet(t, a, 1, 21), randomNet(t, a, 0.2, 22)}
	pop, err := NewPopulation(a, 30, 23)
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUniform(nets, pop)
	if err != nil {
		t.Fatal(err)
	}
	ns := []int{1, 5, 23}
	for w, n := range nets {
		r, g, err := n.MeanGradient(pop, nil)
		if err != nil {
			t.Fatal(err)
		}
		requireClose(t, "population risk", u.PopLoss[w:w+1], []float64{r}, 1e-14)
		var tr float64
		for j := range pop.X {
			_, gj := handMean(t, n, pop, []int{j})
			for i := range gj {
				tr += (gj[i] - g[i]) * (gj[i] - g[i]) / float64(len(pop.X))
			}
		}
		requireClose(t, "tr Cov", u.TraceCov[w:w+1], []float64{tr}, 1e-12)
	}
	for _, nested := range []bool{true, false} {
		dev2, gap, err := u.Replicate(ns, 99, nested)
		if err != nil {
			t.Fatal(err)
		}
		samples := handSamples(ns, 99, 30, nested)
		for w, n := range nets {
			r, g, _ := n.MeanGradient(pop, nil)
			for k := range ns {
				rn, gn := handMean(t, n, pop, samples[k])
				var d2 float64
				for i := range gn {
					d2 += (gn[i] - g[i]) * (gn[i] - g[i])
				}
				requireClose(t, "squared deviation", dev2[k][w:w+1], []float64{d2}, 1e-10)
				requireClose(t, "risk gap", gap[k][w:w+1], []float64{rn - r}, 1e-13)
			}
		}
	}
}

// handSamples lists each n's sample points as a replicate of seed draws them from a population of
// m, one draw at a time.
func handSamples(ns []int, seed uint64, m int, nested bool) [][]int {
	rng := indexStream(seed)
	var out [][]int
	var cur []int
	for _, n := range ns {
		if !nested {
			cur = nil
		}
		for len(cur) < n {
			cur = append(cur, rng.IntN(m))
		}
		out = append(out, append([]int(nil), cur...))
	}
	return out
}

// TestErrors: bad inputs, classes, weights and gradient shapes are errors, and so is every method
// called on a nil or unbuilt net.
func TestErrors(t *testing.T) {
	a, _ := theory.Reference("A1")
	n, err := New(a)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 28*28)
	bad := map[string]error{}
	_, bad["short input"] = n.Loss(x[:10], 0)
	x[3] = 1.5
	_, bad["input entry above 1"] = n.Loss(x, 0)
	x[3] = 0
	_, bad["class 10 of 10"] = n.Loss(x, 10)
	n.Out[0] = math.NaN()
	_, bad["NaN weight"] = n.Loss(x, 0)
	n.Out[0] = 0
	_, bad["gradient of the wrong shape"] = n.Gradient(x, 0, &Grad{})
	bad["target probability 0"] = n.Adversarial(0, 0)
	bad["weight scale 0"] = n.Randomize(0, 1)
	_, bad["nil rng"] = n.RandomInput(nil)
	g, _ := n.NewGrad()
	bad["AddTo a short slice"] = g.AddTo(make([]float64, 3))
	bad["AddTo a long slice"] = g.AddTo(make([]float64, n.NumWeights()+1))
	bad["AddTo from a nil gradient"] = (*Grad)(nil).AddTo(nil)
	n.Kernels[0] = n.Kernels[0][:5]
	_, bad["resized kernels"] = n.Loss(x, 0)
	a.Layers[0].K = 40
	_, bad["kernel larger than the input"] = New(a)
	for what, err := range bad {
		if err == nil {
			t.Errorf("%s was accepted", what)
		}
	}
}

// TestNilNet: every method on a nil or zero net returns an error (or, for the counts, zero),
// never panics.
func TestNilNet(t *testing.T) {
	for _, n := range []*Net{nil, {}} {
		x := make([]float64, 64)
		_, err1 := n.Loss(x, 0)
		_, err2 := n.Gradient(x, 0, &Grad{})
		_, err3 := n.NewGrad()
		_, err4 := n.Clone()
		_, err5 := n.RandomInput(rand.New(rand.NewPCG(1, 1)))
		_, _, err6 := n.MeanGradient(&Population{X: [][]float64{x}, Y: []int{0}}, nil)
		_, _, err7 := n.SampleGradients(&Population{X: [][]float64{x}, Y: []int{0}}, nil)
		err8 := n.Randomize(1, 1)
		err9 := n.Adversarial(0, 0.5)
		err10 := n.AdversarialFlat(0, 0.5)
		_, _, _, err11 := n.Shapes()
		_, err12 := NewUniform([]*Net{n}, &Population{X: [][]float64{x}, Y: []int{0}})
		for i, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8, err9, err10, err11, err12} {
			if err == nil {
				t.Errorf("call %d on %v accepted", i+1, n)
			}
		}
		if n.NumWeights() != 0 || n.ConvSizes() != nil {
			t.Errorf("a nil net reports %d weights and sizes %v", n.NumWeights(), n.ConvSizes())
		}
	}
	var u *Uniform
	if _, _, err := u.Replicate([]int{1}, 1, false); err == nil {
		t.Error("Replicate on a nil Uniform accepted")
	}
}

// TestHugeWeights: weights of 1e308 give errors, not NaN, in Loss, Gradient and MeanGradient; and
// finite logits near 1e300 go through the shifted softmax exactly (class 0 at logit 9e300, the
// others at 0: v = e_0, loss 0 for class 0 and 1 for class 1).
func TestHugeWeights(t *testing.T) {
	a := s1()
	pop, err := NewPopulation(a, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := New(a)
	for i := range n.Kernels[0] {
		n.Kernels[0][i] = 1e308 * float64(1-2*(i%2))
	}
	for i := range n.Out {
		n.Out[i] = 1e308
	}
	g, _ := n.NewGrad()
	if l, err := n.Loss(pop.X[0], 0); err == nil {
		t.Errorf("weights 1e308: Loss %v accepted", l)
	}
	if l, err := n.Gradient(pop.X[0], 0, g); err == nil {
		t.Errorf("weights 1e308: Gradient %v accepted", l)
	}
	if l, _, err := n.MeanGradient(pop, nil); err == nil {
		t.Errorf("weights 1e308: MeanGradient %v accepted", l)
	}
	clear(n.Kernels[0]) // every sigmoid 1/2, z = 1/2: logit 0 = 1e300 * 18 / 2
	clear(n.Out)
	for i := range n.fan {
		n.Out[i] = 1e300
	}
	l0, err0 := n.Loss(pop.X[0], 0)
	l1, err1 := n.Loss(pop.X[0], 1)
	if err0 != nil || err1 != nil || l0 != 0 || l1 != 1 {
		t.Errorf("logits (9e300, 0, 0): losses %v, %v (%v, %v), want 0 and 1", l0, l1, err0, err1)
	}
}

// TestAdversaryClass: the adversaries act on the class they are given, not on class 0: with
// y = 1 and 2 of S1's three classes, the saturating one sets the logit gap between y and
// (y + 1) mod 3 to ln((1 - q)/q) with class y's logit above the third's, and the flat one sets the
// logits to (0 at y, ln((1 - q)/q) at (y + 1) mod 3, -6 elsewhere) on every input.
func TestAdversaryClass(t *testing.T) {
	q := 0.3
	gap := math.Log((1 - q) / q)
	pop, _ := NewPopulation(s1(), 2, 1)
	for _, y := range []int{1, 2} {
		other, rest := (y+1)%3, (y+2)%3
		n, _ := New(s1())
		if err := n.Adversarial(y, q); err != nil {
			t.Fatal(err)
		}
		ones := make([]float64, 64)
		for i := range ones {
			ones[i] = 1
		}
		if _, err := n.Loss(ones, y); err != nil {
			t.Fatal(err)
		}
		if u := n.logits; math.Abs(u[other]-u[y]-gap) > 1e-12 || !(u[y] > u[rest]) {
			t.Fatalf("saturating adversary for class %d: logits %v", y, u)
		}
		if err := n.AdversarialFlat(y, q); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Loss(pop.X[0], y); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, 3)
		want[other], want[rest] = gap, -6
		requireClose(t, "flat adversary's logits", n.logits, want, 1e-12)
	}
}
