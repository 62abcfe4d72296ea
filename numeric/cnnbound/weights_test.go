package cnnbound

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"strings"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// twoChannel is a two-layer net whose layers both read several channels (2 and 8), so that a
// kernel's length k^2 d_{i-1} differs from k^2: 8 x 8 x 2 -> 6 x 6 x 8 -> 3 x 3 x 4, 10 classes.
func twoChannel() theory.Arch {
	return theory.Arch{Name: "two-channel", R0: 8, C0: 8, D0: 2, P: 1, Layers: []theory.Layer{
		{K: 3, S: 1, D: 8, A: 1, B: 2}, {K: 2, S: 2, D: 4, A: 1, B: 1.5}}, Out: 10, OutA: 1, OutB: 3}
}

// norm is the Euclidean norm of w.
func norm(w []float64) float64 {
	var s float64
	for _, v := range w {
		s += v * v
	}
	return math.Sqrt(s)
}

// kernelsOf splits layer i's weights into its kernels of k^2 d_{i-1} weights each.
func kernelsOf(n *Net, i int) [][]float64 {
	l := n.arch.Layers[i]
	in := n.arch.D0
	if i > 0 {
		in = n.arch.Layers[i-1].D
	}
	kk := l.K * l.K * in
	var out [][]float64
	for j := range l.D {
		out = append(out, n.Kernels[i][j*kk:(j+1)*kk])
	}
	return out
}

// TestRandomizeDistribution: at a scale far below the norm bounds nothing is projected, so every
// weight is scale times a standard normal draw: the mean square of weight/scale is near 1 and its
// mean near 0, per layer and for the output layer, and no weight is zero (every kernel of every
// layer is drawn, not only a prefix of the layer).
func TestRandomizeDistribution(t *testing.T) {
	const scale = 1e-3
	n := randomNet(t, twoChannel(), scale, 7)
	for i, w := range append(append([][]float64{}, n.Kernels...), n.Out) {
		var m1, m2 float64
		for _, v := range w {
			if v == 0 {
				t.Fatalf("weight set %d: a zero weight (not drawn)", i)
			}
			m1 += v / scale / float64(len(w))
			m2 += (v / scale) * (v / scale) / float64(len(w))
		}
		// 128 or more draws: the mean square's standard deviation is at most sqrt(2/128) = 0.125.
		if math.Abs(m2-1) > 0.5 || math.Abs(m1) > 0.35 {
			t.Errorf("weight set %d (%d weights): mean %v, mean square %v of weight/scale, want about 0 and 1", i, len(w), m1, m2)
		}
	}
	for i := range n.Kernels {
		for j, k := range kernelsOf(n, i) {
			if b := n.arch.Layers[i].B; norm(k) >= b {
				t.Errorf("layer %d kernel %d: norm %v at scale %v, not below b = %v", i+1, j, norm(k), scale, b)
			}
		}
	}
}

// TestRandomizeProjection: at a scale far above the bounds every kernel and the output layer are
// projected onto the sphere of their norm bound, in the direction of the same seed's unprojected
// draw: kernel = b_i draw/|draw| per kernel (each kernel on its own), W_{l+1} = b_{l+1} draw/|draw|.
func TestRandomizeProjection(t *testing.T) {
	a := twoChannel()
	small := randomNet(t, a, 1e-3, 7)
	big := randomNet(t, a, 1e3, 7)
	for i := range big.Kernels {
		ks, kb := kernelsOf(small, i), kernelsOf(big, i)
		b := a.Layers[i].B
		for j := range kb {
			if math.Abs(norm(kb[j])-b) > 1e-12*b {
				t.Fatalf("layer %d kernel %d: norm %v, want the bound %v", i+1, j, norm(kb[j]), b)
			}
			want := make([]float64, len(ks[j]))
			for i := range want {
				want[i] = b * ks[j][i] / norm(ks[j])
			}
			requireClose(t, "projected kernel", kb[j], want, 1e-12)
		}
	}
	if math.Abs(norm(big.Out)-a.OutB) > 1e-12*a.OutB {
		t.Fatalf("output layer norm %v, want the bound %v", norm(big.Out), a.OutB)
	}
	want := make([]float64, len(small.Out))
	for i := range want {
		want[i] = a.OutB * small.Out[i] / norm(small.Out)
	}
	requireClose(t, "projected output layer", big.Out, want, 1e-12)
}

// TestRandomizeScaleRange: the scale's range (0, 1e100] is closed at 1e100 and open at 0.
func TestRandomizeScaleRange(t *testing.T) {
	n := fp.Must(New(s1()))
	for _, s := range []float64{1e100, 5e-324, 1} {
		if err := n.Randomize(s, 1); err != nil {
			t.Errorf("scale %v: %v", s, err)
		}
	}
	for _, s := range []float64{math.Nextafter(1e100, math.Inf(1)), 0, -1, math.NaN(), math.Inf(1)} {
		if err := n.Randomize(s, 1); err == nil {
			t.Errorf("scale %v accepted", s)
		}
	}
}

// onesLogits returns the logits and the last pooled map of n on the all-ones input.
func onesLogits(t *testing.T, n *Net) (u, z []float64) {
	t.Helper()
	ones := make([]float64, n.arch.R0*n.arch.C0*n.arch.D0)
	for i := range ones {
		ones[i] = 1
	}
	if _, err := n.Loss(ones, 0); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), n.logits...), append([]float64(nil), n.pools[len(n.pools)-1]...)
}

// TestAdversarialAtBounds: the saturating adversary puts every kernel on its norm bound with equal
// positive entries (b_i / sqrt(k_i^2 d_{i-1}), on layers reading 2 and 3 channels), and the output
// layer on its bound: |W|_F = b_{l+1}, every row a multiple of the all-ones features z, class y's
// logit 0, the other's ln((1 - q)/q) and the rest equal and negative (as low as the bound allows).
// Class 0 is accepted as y.
func TestAdversarialAtBounds(t *testing.T) {
	a := theory.Arch{Name: "adv", R0: 6, C0: 6, D0: 2, P: 1, Layers: []theory.Layer{
		{K: 3, S: 1, D: 3, A: 1, B: 2}, {K: 2, S: 2, D: 2, A: 1, B: 1}}, Out: 4, OutA: 1, OutB: 3}
	q := 0.3
	gap := math.Log((1 - q) / q)
	for _, y := range []int{0, 3} {
		n, err := New(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Adversarial(y, q); err != nil {
			t.Fatalf("y = %d: %v", y, err)
		}
		for i, l := range a.Layers {
			for j, k := range kernelsOf(n, i) {
				for _, v := range k {
					if v != k[0] || !(v > 0) {
						t.Fatalf("layer %d kernel %d: entries %v, want equal and positive", i+1, j, k)
					}
				}
				if math.Abs(norm(k)-l.B) > 1e-12 {
					t.Fatalf("layer %d kernel %d: norm %v, want b = %v", i+1, j, norm(k), l.B)
				}
			}
		}
		if math.Abs(norm(n.Out)-a.OutB) > 1e-12*a.OutB {
			t.Fatalf("y = %d: |W|_F = %v, want the bound %v", y, norm(n.Out), a.OutB)
		}
		u, z := onesLogits(t, n)
		other := (y + 1) % a.Out
		if math.Abs(u[y]) > 1e-12 || math.Abs(u[other]-gap) > 1e-12 {
			t.Fatalf("y = %d: logits %v, want 0 at y and %v at %d", y, u, gap, other)
		}
		for k := range a.Out {
			if k == y || k == other {
				continue
			}
			if !(u[k] < 0) || math.Abs(u[k]-u[(y+2)%a.Out]) > 1e-12 {
				t.Fatalf("y = %d: logits %v, want the rest equal and negative", y, u)
			}
			// Row k is (u_k / |z|^2) z.
			want := make([]float64, len(z))
			for i := range z {
				want[i] = u[k] / (norm(z) * norm(z)) * z[i]
			}
			requireClose(t, "adversarial row", n.Out[k*len(z):(k+1)*len(z)], want, 1e-12)
		}
	}
}

// lossAtLogits is 1/2 |softmax(u) - e_y|^2, by the definition.
func lossAtLogits(u []float64, y int) float64 {
	var sum float64
	for _, v := range u {
		sum += math.Exp(v)
	}
	var l float64
	for k, v := range u {
		d := math.Exp(v) / sum
		if k == y {
			d--
		}
		l += d * d / 2
	}
	return l
}

// flatArch has a last pooled map of 2 x 2 x 4 (16 features, 4 per channel, an even channel count).
func flatArch(out int, outB float64) theory.Arch {
	return theory.Arch{Name: "flat", R0: 4, C0: 4, D0: 1, P: 1, Layers: []theory.Layer{{K: 3, S: 1, D: 4, A: 1, B: 2}}, Out: out, OutA: 1, OutB: outB}
}

// TestAdversarialFlatDecomposition: the flat adversary's output layer is the documented sum of two
// parts: W_k,i = t_k z_i/|z|^2 + beta du_k s_i with z = 1/2, s_i = +1 on the first half of the
// channels and -1 on the rest, beta > 0, du the gradient of 1/2 |softmax(t) - e_y|^2 at the logits
// t (checked against central differences), and |W|_F just inside the bound (within 1e-8 of it).
func TestAdversarialFlatDecomposition(t *testing.T) {
	a := flatArch(3, 4)
	q := 0.3
	f, per := 16, 4
	for _, y := range []int{0, 2} {
		n, err := New(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.AdversarialFlat(y, q); err != nil {
			t.Fatalf("y = %d: %v", y, err)
		}
		for _, v := range n.Kernels[0] {
			if v != 0 {
				t.Fatalf("y = %d: kernel weight %v, want every kernel zero", y, v)
			}
		}
		if w := norm(n.Out); !(w <= a.OutB && w >= a.OutB*(1-1e-8)) {
			t.Fatalf("y = %d: |W|_F = %.17g, want just inside the bound %v", y, w, a.OutB)
		}
		tl := []float64{-6, -6, -6}
		tl[y], tl[(y+1)%3] = 0, math.Log((1-q)/q)
		du := make([]float64, 3)
		for k := range du {
			up, dn := append([]float64(nil), tl...), append([]float64(nil), tl...)
			up[k] += 1e-6
			dn[k] -= 1e-6
			du[k] = (lossAtLogits(up, y) - lossAtLogits(dn, y)) / 2e-6
		}
		s := make([]float64, f)
		for i := range s {
			s[i] = 1
			if i/per >= 2 {
				s[i] = -1
			}
		}
		// p_k = W_k . s / f = beta du_k (the t part is orthogonal to s).
		p := make([]float64, 3)
		var pd, dd float64
		for k := range p {
			for i := range f {
				p[k] += n.Out[k*f+i] * s[i] / float64(f)
			}
			pd += p[k] * du[k]
			dd += du[k] * du[k]
		}
		beta := pd / dd
		if !(beta > 0) {
			t.Fatalf("y = %d: beta = %v, want > 0", y, beta)
		}
		for k := range p {
			if math.Abs(p[k]-beta*du[k]) > 1e-6*math.Abs(beta)*math.Sqrt(dd) {
				t.Fatalf("y = %d: W . s / f = %v, not a positive multiple of du = %v", y, p, du)
			}
			want := make([]float64, f)
			for i := range want {
				want[i] = tl[k]*2/float64(f) + p[k]*s[i]
			}
			requireClose(t, "flat adversarial row", n.Out[k*f:(k+1)*f], want, 1e-12)
		}
	}
}

// TestAdversarialFlatNoRoom: with q = 1/2, three classes and 16 features the logit part alone has
// |t|^2/|z|^2 = 36/4 = 9 = b_{l+1}^2 exactly, leaving no norm for the back-propagated part: an
// error, and the weights are left as they were. Just above the bound, it is accepted.
func TestAdversarialFlatNoRoom(t *testing.T) {
	n, err := New(flatArch(3, 3))
	if err != nil {
		t.Fatal(err)
	}
	n.Out[5] = 0.25
	if err := n.AdversarialFlat(0, 0.5); err == nil {
		t.Fatal("a bound with no room for the flat part accepted")
	}
	if n.Out[5] != 0.25 {
		t.Fatal("the rejected flat adversary changed the weights")
	}
	m := fp.Must(New(flatArch(3, math.Nextafter(3, 4))))
	if err := m.AdversarialFlat(0, 0.5); err != nil {
		t.Fatalf("just above the bound: %v", err)
	}
}

// TestAdversaryArguments: the adversaries take any class in [0, classes) of at least two classes,
// and q strictly inside (0, 1).
func TestAdversaryArguments(t *testing.T) {
	for _, out := range []int{2, 3} {
		n := fp.Must(New(flatArch(out, 4)))
		for y := range out {
			if err := n.Adversarial(y, 0.3); err != nil {
				t.Errorf("%d classes, y = %d: %v", out, y, err)
			}
			if err := n.AdversarialFlat(y, 0.3); err != nil {
				t.Errorf("%d classes, y = %d (flat): %v", out, y, err)
			}
		}
		for _, y := range []int{-1, out} {
			if n.Adversarial(y, 0.3) == nil || n.AdversarialFlat(y, 0.3) == nil {
				t.Errorf("%d classes: y = %d accepted", out, y)
			}
		}
		for _, q := range []float64{0, 1, -0.5, 1.5, math.NaN()} {
			if n.Adversarial(0, q) == nil || n.AdversarialFlat(0, q) == nil {
				t.Errorf("q = %v accepted", q)
			}
		}
	}
	one := fp.Must(New(flatArch(1, 4)))
	if err := one.Adversarial(0, 0.3); err == nil || !strings.Contains(err.Error(), "class") {
		t.Errorf("one class: %v", err)
	}
}

// TestAdversarialNoRoom: with kernels of bound 100 every sigmoid saturates to exactly 1 on the
// all-ones input, so |z|^2 = 4 (2 x 2 x 1 features) and the logit gap alone needs |W|_F =
// |ln((1 - q)/q)| / 2. A bound b_{l+1} with b_{l+1}^2 equal to gap^2/|z|^2 in floating point
// leaves no norm to push the third class below class y (it would tie with y at logit 0): an
// error. The next float up is accepted.
func TestAdversarialNoRoom(t *testing.T) {
	a := theory.Arch{Name: "sat", R0: 2, C0: 2, D0: 1, P: 1, Layers: []theory.Layer{{K: 1, S: 1, D: 1, A: 1, B: 100}}, Out: 3, OutA: 1}
	for q := 0.01; q < 0.5; q += 0.01 {
		gap := math.Log((1 - q) / q)
		need := gap * gap / 4
		b := math.Sqrt(need)
		if b*b != need {
			continue
		}
		a.OutB = b
		n := fp.Must(New(a))
		if err := n.Adversarial(0, q); err == nil {
			u, z := onesLogits(t, n)
			t.Fatalf("q = %v, b = gap/|z| = %v: accepted (features %v, logits %v)", q, b, z, u)
		}
		a.OutB = math.Nextafter(b, 10)
		m := fp.Must(New(a))
		if err := m.Adversarial(0, q); err != nil {
			t.Fatalf("q = %v, b one float above gap/|z|: %v", q, err)
		}
		return
	}
	t.Fatal("no q in 0.01..0.49 with a float b such that b^2 = gap^2/4")
}

// TestAdversaryProbabilityError: q at 0 or 1 is reported as a target probability out of range
// (not as a norm bound too small for an infinite logit gap).
func TestAdversaryProbabilityError(t *testing.T) {
	n := fp.Must(New(flatArch(3, 4)))
	for _, q := range []float64{0, 1} {
		for _, err := range []error{n.Adversarial(0, q), n.AdversarialFlat(0, q)} {
			if err == nil || !strings.Contains(err.Error(), "target probability") {
				t.Errorf("q = %v: %v, want a target probability error", q, err)
			}
		}
	}
}
