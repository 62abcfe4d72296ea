package kernel

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/weights"
	"gonum.org/v1/gonum/mat"
)

// ProjectedNetwork has the law of Network's output for a rotationally invariant law, drawn without
// a weight matrix. A layer's pre-activations on m inputs are z_i = h^T w_i (h: fan-in x m, w_i
// row i). With H = n_l G_l = h^T h and S its symmetric square root, h = Q S for some Q with
// orthonormal columns, so z_i = S (Q^T w_i), and Q^T w_i has the law of w_i's first m
// coordinates (weights.Projector), whatever Q is. Each layer therefore draws width x m numbers
// (m x m work a row) instead of width x fan-in, and the state between layers is the m x m
// empirical kernel G_l alone. The finite-width fluctuations are those of the real network: this is
// the same law, not an approximation (held to Network by a test at width 20).
//
// It returns G_0 .. G_depth as Network does. Errors: those of Network, a law that is not a
// weights.Projector (it must be rotationally invariant), and m inputs more than the input length d
// or the width (the inputs' span must fit in every layer's fan-in).
func ProjectedNetwork(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, rng *rand.Rand) ([]*mat.SymDense, error) {
	if rng == nil {
		return nil, errors.New("kernel: the random source rng is nil")
	}
	p, err := newProjected(law, secondMoment, a, width, depth, inputs, 1)
	if err != nil {
		return nil, err
	}
	return p.run(rng)
}

// ProjectedNetworks runs nets independent ProjectedNetworks in parallel, network i drawing from
// PCG(seed, i), as Networks does. Errors: nets < 1, and as ProjectedNetwork's.
func ProjectedNetworks(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, nets int, seed uint64) ([][]*mat.SymDense, error) {
	if nets < 1 {
		return nil, fmt.Errorf("kernel: need at least one network, got %d", nets)
	}
	p, err := newProjected(law, secondMoment, a, width, depth, inputs, nets)
	if err != nil {
		return nil, err
	}
	return eachNetwork(nets, seed, p.run)
}

// projected is a validated ProjectedNetwork: its law, settings and the inputs' kernel G_0, shared
// by every network drawn from it.
type projected struct {
	law             weights.Projector
	secondMoment, a float64
	width, depth    int
	fanIn           int
	g0              *mat.SymDense
}

func newProjected(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, nets int) (*projected, error) {
	proj, h, err := projectedArgs(law, secondMoment, a, width, depth, inputs, nets)
	if err != nil {
		return nil, err
	}
	g0, err := gram(h, 0)
	if err != nil {
		return nil, err
	}
	fanIn, _ := h.Dims()
	return &projected{law: proj, secondMoment: secondMoment, a: a, width: width, depth: depth, fanIn: fanIn, g0: g0}, nil
}

// run draws one network from rng and returns G_0 (a copy) .. G_depth.
func (p *projected) run(rng *rand.Rand) ([]*mat.SymDense, error) {
	m := p.g0.SymmetricDim()
	g := mat.NewSymDense(m, nil)
	g.CopySym(p.g0)
	out := []*mat.SymDense{g}
	w := projWork{p: make([]float64, m), z: make([]float64, m)}
	fanIn := p.fanIn
	for l := range p.depth {
		var err error
		if g, err = w.layer(p.law, p.secondMoment, p.a, p.width, fanIn, g, rng); err != nil {
			return nil, fmt.Errorf("%w (layer %d)", err, l+1)
		}
		out = append(out, g)
		fanIn = p.width
	}
	return out, nil
}

// projectedArgs validates ProjectedNetwork's arguments and returns the law as a Projector and the
// inputs as columns.
func projectedArgs(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, nets int) (weights.Projector, *mat.Dense, error) {
	if width < 1 || depth < 0 {
		return nil, nil, fmt.Errorf("kernel: need width >= 1 and depth >= 0, got %d and %d", width, depth)
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, nil, err
	}
	proj, ok := law.(weights.Projector)
	if !ok || !law.RotationallyInvariant() {
		return nil, nil, fmt.Errorf("kernel: %s cannot be drawn through its projections (not a rotationally invariant weights.Projector): use Network", law.Name())
	}
	d, m := h.Dims()
	if depth > 0 && (m > d || m > width) {
		return nil, nil, fmt.Errorf("kernel: %d inputs span more than the input length %d or the width %d: use Network", m, d, width)
	}
	if !fits(nets, (depth+1)*(m*m+gramOverhead)) || depth >= MaxEntries {
		return nil, nil, fmt.Errorf("kernel: %d networks of depth %d on %d inputs exceed MaxEntries = %d Gram entries", nets, depth, m, MaxEntries)
	}
	return proj, h, nil
}

// projWork holds one network's per-row buffers.
type projWork struct{ p, z []float64 }

// layer draws one layer of width rows at fan-in fanIn on the inputs whose empirical kernel is g
// and returns the next layer's.
func (w projWork) layer(law weights.Projector, secondMoment, a float64, width, fanIn int, g *mat.SymDense, rng *rand.Rand) (*mat.SymDense, error) {
	m2 := law.SecondMoment(fanIn)
	c := math.Sqrt(secondMoment / m2)
	if !(m2 > 0) || math.IsInf(m2, 0) || !(c > 0) || math.IsInf(c, 0) {
		return nil, fmt.Errorf("kernel: %s has E|w|^2 = %v at fan-in %d: it must be finite and > 0 (and within a float64 factor of %v) to rescale the rows", law.Name(), m2, fanIn, secondMoment)
	}
	s, err := sqrtScaled(g, float64(fanIn))
	if err != nil {
		return nil, err
	}
	m := len(w.p)
	sum := mat.NewSymDense(m, nil)
	raw := sum.RawSymmetric()
	sr := s.RawMatrix()
	for range width {
		law.Project(rng, fanIn, w.p)
		for i := range m {
			var z float64
			for k, row := range sr.Data[i*sr.Stride : i*sr.Stride+m] {
				z += row * w.p[k]
			}
			w.z[i] = Leaky(c*z, a)
		}
		for i := range m {
			for j := i; j < m; j++ {
				raw.Data[i*raw.Stride+j] += w.z[i] * w.z[j]
			}
		}
	}
	for i := range m {
		for j := i; j < m; j++ {
			v := raw.Data[i*raw.Stride+j] / float64(width)
			if !isFinite(v) {
				return nil, fmt.Errorf("kernel: the activations overflow float64")
			}
			raw.Data[i*raw.Stride+j] = v
		}
	}
	return sum, nil
}

// sqrtScaled returns the symmetric square root of n g (g symmetric positive semi-definite), its
// eigenvalues clamped at 0 against rounding. The matrix is normalised by its largest diagonal
// entry before factorising (gonum's EigenSym fails on matrices of entries near 1e-122).
func sqrtScaled(g *mat.SymDense, n float64) (*mat.Dense, error) {
	m := g.SymmetricDim()
	scale := 0.0
	for i := range m {
		scale = math.Max(scale, g.At(i, i))
	}
	out := mat.NewDense(m, m, nil)
	if scale == 0 {
		return out, nil // every feature is zero: so is every pre-activation
	}
	root := math.Sqrt(scale * n)
	switch m {
	case 1:
		out.Set(0, 0, root)
		return out, nil
	case 2:
		// sqrt([[a, b], [b, c]]) = ([[a, b], [b, c]] + s I) / sqrt(a + c + 2 s), s = sqrt(ac - b^2),
		// on the matrix normalised to a largest diagonal entry of 1.
		a, b, c := g.At(0, 0)/scale, g.At(0, 1)/scale, g.At(1, 1)/scale
		s := math.Sqrt(math.Max(a*c-b*b, 0))
		t := math.Sqrt(a + c + 2*s)
		out.Set(0, 0, (a+s)/t*root)
		out.Set(0, 1, b/t*root)
		out.Set(1, 0, b/t*root)
		out.Set(1, 1, (c+s)/t*root)
		return out, nil
	}
	var unit mat.SymDense
	unit.ScaleSym(1/scale, g)
	var eig mat.EigenSym
	if !eig.Factorize(&unit, true) {
		return nil, errors.New("kernel: the eigen-decomposition of an empirical kernel failed")
	}
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	for i := range m {
		for j := range m {
			var x float64
			for k, e := range vals {
				x += v.At(i, k) * math.Sqrt(math.Max(e, 0)) * v.At(j, k)
			}
			out.Set(i, j, x*root)
		}
	}
	return out, nil
}
