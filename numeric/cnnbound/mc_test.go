package cnnbound

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"strings"
	"testing"
)

// TestTeach: the teacher's class is argmax_k T_k . (x - 1/2), the first on a tie, by hand on
// three rows over two inputs: T = (1, 0), (0, 1), (-1, -1).
func TestTeach(t *testing.T) {
	teacher := []float64{1, 0, 0, 1, -1, -1}
	for _, c := range []struct {
		x    []float64
		want int
	}{
		{[]float64{0.9, 0.2}, 0}, // centred (0.4, -0.3): scores 0.4, -0.3, -0.1
		{[]float64{0.1, 0.8}, 1}, // (-0.4, 0.3): -0.4, 0.3, 0.1
		{[]float64{0.1, 0.1}, 2}, // (-0.4, -0.4): -0.4, -0.4, 0.8
		{[]float64{0.7, 0.7}, 0}, // (0.2, 0.2): 0.2, 0.2, -0.4, a tie of classes 0 and 1
		{[]float64{0.2, 0.7}, 1}, // (-0.3, 0.2): -0.3, 0.2, 0.1
		{[]float64{0.9, 0.6}, 0}, // (0.4, 0.1): 0.4, 0.1, -0.5
	} {
		if got := teach(teacher, c.x, 3); got != c.want {
			t.Errorf("x = %v: class %d, want %d", c.x, got, c.want)
		}
	}
	// A tie of classes 1 and 2 above class 0 goes to 1.
	if got := teach([]float64{-1, -1, 1, 1, 1, 1}, []float64{0.9, 0.9}, 3); got != 1 {
		t.Errorf("tie of classes 1 and 2: class %d, want 1", got)
	}
}

// TestPopulationInputs: a population of an input with two channels has points of the net's input
// size R0 C0 D0 with entries in [0, 1] and classes in [0, Out), which the net accepts.
func TestPopulationInputs(t *testing.T) {
	a := twoChannel()
	pop, err := NewPopulation(a, 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	n := randomNet(t, a, 1, 3)
	for i, x := range pop.X {
		if len(x) != a.R0*a.C0*a.D0 || pop.Y[i] < 0 || pop.Y[i] >= a.Out {
			t.Fatalf("point %d: %d values, class %d", i, len(x), pop.Y[i])
		}
		if _, err := n.Loss(x, pop.Y[i]); err != nil {
			t.Fatalf("point %d: %v", i, err)
		}
	}
}

// TestSampleIndexRange: sample indices run over [0, M): the last point is accepted, M and -1 are
// errors (not a panic), in MeanGradient and SampleGradients.
func TestSampleIndexRange(t *testing.T) {
	n := randomNet(t, s1(), 1, 1)
	pop := fp.Must(NewPopulation(s1(), 5, 1))
	for _, i := range []int{4, 5, -1} {
		_, _, err1 := n.MeanGradient(pop, []int{0, i})
		_, _, err2 := n.SampleGradients(pop, []int{i, 0})
		if ok := i >= 0 && i < 5; (err1 == nil) != ok || (err2 == nil) != ok {
			t.Errorf("index %d of 5: %v, %v", i, err1, err2)
		}
	}
}

// TestSquaredNorms: SquaredNorms is the sum of squares of the output layer's gradient and of the
// whole gradient, by hand; a nil gradient has zero norms.
func TestSquaredNorms(t *testing.T) {
	g := &Grad{Out: []float64{3, -4}, Kernels: [][]float64{{1, 2}, {-2}}}
	if out, all := g.SquaredNorms(); out != 25 || all != 34 {
		t.Errorf("SquaredNorms = %v, %v, want 25, 34", out, all)
	}
	if out, all := (*Grad)(nil).SquaredNorms(); out != 0 || all != 0 {
		t.Errorf("nil gradient: %v, %v", out, all)
	}
}

// TestInputRange: inputs are accepted on the closed range [0, 1] (all zeros, all ones) and
// rejected just outside it.
func TestInputRange(t *testing.T) {
	n := randomNet(t, s1(), 1, 1)
	for _, v := range []float64{0, 1, -5e-324, math.Nextafter(1, 2), math.NaN()} {
		x := make([]float64, 64)
		for i := range x {
			x[i] = v
		}
		if _, err := n.Loss(x, 0); (err == nil) != (v >= 0 && v <= 1) {
			t.Errorf("input entries %v: %v", v, err)
		}
	}
}

// TestLossVariance: LossVar is the population variance of the per-point losses, mean_j (f_j(w) -
// R(w))^2, by hand from Loss, at two weight vectors.
func TestLossVariance(t *testing.T) {
	a := s1()
	nets := []*Net{randomNet(t, a, 1, 31), randomNet(t, a, 3, 32)}
	pop := fp.Must(NewPopulation(a, 25, 33))
	u, err := NewUniform(nets, pop)
	if err != nil {
		t.Fatal(err)
	}
	for w, n := range nets {
		var losses []float64
		var r float64
		for j := range pop.X {
			l, err := n.Loss(pop.X[j], pop.Y[j])
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
			r += l / float64(len(pop.X))
		}
		var v float64
		for _, l := range losses {
			v += (l - r) * (l - r) / float64(len(losses))
		}
		if !(v > 0) {
			t.Fatalf("weight vector %d: losses %v have no spread", w, losses)
		}
		requireClose(t, "loss variance", u.LossVar[w:w+1], []float64{v}, 1e-13)
	}
}

// TestLossVarianceTiny: at weights of scale 1e-10 the losses differ from their mean by about
// 1e-10, so their variance (about 1e-20) is far below the rounding of mean f^2 - R^2 (about
// 1e-17): LossVar must still match the hand two-pass variance to 1e-6 of itself.
func TestLossVarianceTiny(t *testing.T) {
	a := s1()
	n := randomNet(t, a, 1e-10, 34)
	pop := fp.Must(NewPopulation(a, 25, 35))
	u, err := NewUniform([]*Net{n}, pop)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	var r float64
	for j := range pop.X {
		l := fp.Must(n.Loss(pop.X[j], pop.Y[j]))
		losses = append(losses, l)
		r += l / float64(len(pop.X))
	}
	var v float64
	for _, l := range losses {
		v += (l - r) * (l - r) / float64(len(losses))
	}
	if !(v > 0) || math.Abs(u.LossVar[0]-v) > 1e-6*v {
		t.Fatalf("LossVar = %v, hand variance %v", u.LossVar[0], v)
	}
}

// TestReplicateSizes: a single sample size is accepted, and sizes that repeat or decrease are
// errors.
func TestReplicateSizes(t *testing.T) {
	pop := fp.Must(NewPopulation(s1(), 10, 1))
	u, err := NewUniform([]*Net{randomNet(t, s1(), 1, 1)}, pop)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ns []int
		ok bool
	}{{[]int{1}, true}, {[]int{3}, true}, {[]int{2, 7}, true}, {[]int{5, 5}, false}, {[]int{5, 1}, false}, {[]int{1, 4, 4}, false}, {[]int{0}, false}} {
		for _, nested := range []bool{false, true} {
			if _, _, err := u.Replicate(c.ns, 1, nested); (err == nil) != c.ok {
				t.Errorf("sizes %v (nested %v): %v", c.ns, nested, err)
			}
		}
	}
}

// TestUniformInvariant: Replicate on a Uniform NewUniform did not make, or whose M, W or D changed
// afterwards, is an error, never a panic (the audit's &Uniform{M: 3, W: 1, D: 2} panicked with
// "slice bounds out of range" in draw).
func TestUniformInvariant(t *testing.T) {
	pop := fp.Must(NewPopulation(s1(), 6, 1))
	good, err := NewUniform([]*Net{randomNet(t, s1(), 1, 1), randomNet(t, s1(), 1, 2)}, pop)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := good.Replicate([]int{1, 4}, 1, true); err != nil {
		t.Fatalf("a Uniform from NewUniform rejected: %v", err)
	}
	cases := map[string]func(u *Uniform){
		"M = 3, W = 1, D = 2 by hand": func(u *Uniform) { *u = Uniform{M: 3, W: 1, D: 2} },
		"the zero Uniform":            func(u *Uniform) { *u = Uniform{} },
		"M + 1":                       func(u *Uniform) { u.M++ },
		"W + 1":                       func(u *Uniform) { u.W++ },
		"D + 1":                       func(u *Uniform) { u.D++ },
		"D - 1":                       func(u *Uniform) { u.D-- },
		"M = -3":                      func(u *Uniform) { u.M = -3 },
		"M W D overflowing int":       func(u *Uniform) { u.M, u.W, u.D = 1<<40, 1<<40, 1<<40 },
		"TraceCov cut":                func(u *Uniform) { u.TraceCov = u.TraceCov[:1] },
		"PopLoss nil":                 func(u *Uniform) { u.PopLoss = nil },
	}
	for why, mutate := range cases {
		u := *good
		mutate(&u)
		for _, nested := range []bool{false, true} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s (nested %v): Replicate panicked: %v", why, nested, r)
					}
				}()
				if _, _, err := u.Replicate([]int{1, 4}, 1, nested); err == nil || !strings.Contains(err.Error(), "Uniform") {
					t.Errorf("%s (nested %v): %v, want an error about the Uniform", why, nested, err)
				}
			}()
		}
	}
	var u *Uniform
	if _, _, err := u.Replicate([]int{1}, 1, false); err == nil {
		t.Error("Replicate on a nil Uniform accepted")
	}
}
