package kernel

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/weights"
	"gonum.org/v1/gonum/mat"
)

// Network runs m inputs (the rows of inputs, each of length d) through depth fully connected Leaky
// ReLU layers of the given width, every weight row drawn independently from law and rescaled so
// that E|w|^2 = secondMoment at that layer's fan-in (rescaling keeps a law rotationally invariant),
// and returns the empirical kernel of each layer l = 0..depth:
//
//	G_l[i][j] = (1/n_l) sum_k h_k(x_i) h_k(x_j),
//
// n_0 = d (the inputs themselves), n_l = width. G_l[i][i] is the mean squared activation of input
// i at layer l, and G_l[i][j]/sqrt(G_l[i][i] G_l[j][j]) the cosine between its features.
// The matrix products use gonum's BLAS-backed mat.
//
// Errors: a nil or invalid law (weights.Check), a nil rng, secondMoment not finite and > 0, a
// outside [0, 1], width < 1, depth < 0, no inputs or ragged, empty or non-finite ones, sizes whose
// matrices exceed MaxEntries, a law whose E|w|^2 at a layer's fan-in is not finite and > 0 (so the
// rows cannot be rescaled), and activations or Gram entries that overflow float64.
func Network(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, rng *rand.Rand) ([]*mat.SymDense, error) {
	if width < 1 || depth < 0 {
		return nil, fmt.Errorf("kernel: need width >= 1 and depth >= 0, got %d and %d", width, depth)
	}
	if rng == nil {
		return nil, errors.New("kernel: the random source rng is nil")
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(width, depth, true, h, 1); err != nil {
		return nil, err
	}
	g0, err := gram(h, 0)
	if err != nil {
		return nil, err
	}
	grams := []*mat.SymDense{g0}
	for l := range depth {
		if h, err = layer(law, secondMoment, a, width, h, rng); err != nil {
			return nil, fmt.Errorf("%w (layer %d)", err, l+1)
		}
		g, err := gram(h, l+1)
		if err != nil {
			return nil, err
		}
		grams = append(grams, g)
	}
	return grams, nil
}

// MaxEntries bounds the float64 entries of the matrices Network, Networks and Layer allocate: a
// layer's weights (width x fan-in), its activations (width x inputs), and all the Gram matrices
// returned (nets x (depth+1) of them, each counted as inputs^2 + 64 entries, its bookkeeping
// included). Larger sizes are an error, not an allocation.
const MaxEntries = 1 << 26

// gramOverhead is what one Gram matrix costs beyond its entries (headers, slices), in float64s.
const gramOverhead = 64

// fits reports whether a*b <= MaxEntries for a, b >= 0, without overflow.
func fits(a, b int) bool { return a >= 0 && b >= 0 && (b == 0 || a <= MaxEntries/b) }

// checkSizes returns an error when `layers` layers of the given width on the inputs h (one per
// column), with nets x (layers+1) Gram matrices kept when grams is set, would allocate more than
// MaxEntries entries in one matrix or in all the Gram matrices.
func checkSizes(width, layers int, grams bool, h *mat.Dense, nets int) error {
	d, m := h.Dims()
	if !fits(width, d) || !fits(width, m) || (layers >= 2 && !fits(width, width)) {
		return fmt.Errorf("kernel: width %d with fan-in %d and %d inputs exceeds MaxEntries = %d weights or activations", width, d, m, MaxEntries)
	}
	if grams && (layers >= MaxEntries || !fits(layers+1, m*m+gramOverhead) || !fits(nets, (layers+1)*(m*m+gramOverhead))) {
		return fmt.Errorf("kernel: %d networks of depth %d on %d inputs exceed MaxEntries = %d Gram entries", nets, layers, m, MaxEntries)
	}
	return nil
}

// inputMatrix validates a network's arguments and returns the inputs as the columns of a matrix.
func inputMatrix(law weights.Law, secondMoment, a float64, inputs [][]float64) (*mat.Dense, error) {
	if err := weights.Check(law); err != nil {
		return nil, err
	}
	if !(secondMoment > 0) || math.IsInf(secondMoment, 0) {
		return nil, fmt.Errorf("kernel: second moment E|w|^2 = %v must be finite and > 0", secondMoment)
	}
	if !(a >= 0 && a <= 1) {
		return nil, fmt.Errorf("kernel: slope a = %v outside [0, 1]", a)
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("kernel: no inputs")
	}
	d := len(inputs[0])
	if d == 0 {
		return nil, fmt.Errorf("kernel: input 0 is empty")
	}
	if !fits(d, len(inputs)) {
		return nil, fmt.Errorf("kernel: %d inputs of length %d exceed MaxEntries = %d", len(inputs), d, MaxEntries)
	}
	h := mat.NewDense(d, len(inputs), nil) // features as columns
	for j, x := range inputs {
		if len(x) != d {
			return nil, fmt.Errorf("kernel: input %d has length %d, want %d > 0", j, len(x), d)
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("kernel: non-finite entry %d of input %d", i, j)
			}
			h.Set(i, j, v)
		}
	}
	return h, nil
}

// layer draws a width x fanIn weight matrix (rows from law, rescaled to E|w|^2 = secondMoment)
// and returns f_a(W h) for the features h (one input per column). Errors: a law whose E|w|^2 at
// this fan-in cannot be rescaled, and weights or activations that overflow float64.
func layer(law weights.Law, secondMoment, a float64, width int, h *mat.Dense, rng *rand.Rand) (*mat.Dense, error) {
	fanIn, cols := h.Dims()
	m2 := law.SecondMoment(fanIn)
	c := math.Sqrt(secondMoment / m2)
	if !(m2 > 0) || math.IsInf(m2, 0) || !(c > 0) || math.IsInf(c, 0) {
		return nil, fmt.Errorf("kernel: %s has E|w|^2 = %v at fan-in %d: it must be finite and > 0 (and within a float64 factor of %v) to rescale the rows", law.Name(), m2, fanIn, secondMoment)
	}
	w := mat.NewDense(width, fanIn, nil)
	raw := w.RawMatrix()
	for r := range width {
		row := raw.Data[r*raw.Stride : r*raw.Stride+fanIn]
		law.Fill(rng, row)
		for k := range row {
			row[k] *= c
		}
	}
	if err := finiteDense("weights", w); err != nil {
		return nil, err
	}
	next := mat.NewDense(width, cols, nil)
	next.Mul(w, h)
	next.Apply(func(_, _ int, v float64) float64 { return Leaky(v, a) }, next)
	if err := finiteDense("activations", next); err != nil {
		return nil, err
	}
	return next, nil
}

// finiteDense returns an error naming what when m has a NaN or infinite entry.
func finiteDense(what string, m *mat.Dense) error {
	raw := m.RawMatrix()
	for i := range raw.Rows {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if !isFinite(v) {
				return fmt.Errorf("kernel: the %s overflow float64", what)
			}
		}
	}
	return nil
}

// Layer returns the features f_a(W x) of one random layer of the given width for each input,
// with W's rows drawn from law rescaled to E|w|^2 = secondMoment (as in Network). Errors: as
// Network's.
func Layer(law weights.Law, secondMoment, a float64, width int, inputs [][]float64, rng *rand.Rand) ([][]float64, error) {
	if width < 1 {
		return nil, fmt.Errorf("kernel: width %d must be >= 1", width)
	}
	if rng == nil {
		return nil, errors.New("kernel: the random source rng is nil")
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(width, 1, false, h, 1); err != nil {
		return nil, err
	}
	z, err := layer(law, secondMoment, a, width, h, rng)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(inputs))
	for j := range out {
		out[j] = mat.Col(nil, j, z)
	}
	return out, nil
}

// gram returns H^T H / rows(H), or an error when an entry overflows float64 (layer l).
func gram(h *mat.Dense, l int) (*mat.SymDense, error) {
	r, c := h.Dims()
	g := mat.NewSymDense(c, nil)
	g.SymOuterK(1/float64(r), h.T())
	for i := range c {
		for j := i; j < c; j++ {
			if !isFinite(g.At(i, j)) {
				return nil, fmt.Errorf("kernel: the empirical kernel of layer %d overflows float64 (G[%d][%d] = %v)", l, i, j, g.At(i, j))
			}
		}
	}
	return g, nil
}

// Networks runs nets independent networks (as Network) in parallel, network i drawing from
// PCG(seed, i), and returns each network's per-layer empirical kernels, in network order.
// Errors: nets < 1, and as Network's (all nets x (depth+1) Gram matrices count against MaxEntries).
func Networks(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, nets int, seed uint64) ([][]*mat.SymDense, error) {
	if nets < 1 {
		return nil, fmt.Errorf("kernel: need at least one network, got %d", nets)
	}
	if width < 1 || depth < 0 {
		return nil, fmt.Errorf("kernel: need width >= 1 and depth >= 0, got %d and %d", width, depth)
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkSizes(width, depth, true, h, nets); err != nil {
		return nil, err
	}
	return eachNetwork(nets, seed, func(rng *rand.Rand) ([]*mat.SymDense, error) {
		return Network(law, secondMoment, a, width, depth, inputs, rng)
	})
}

// eachNetwork runs net for i = 0 .. nets-1 in parallel, network i drawing from PCG(seed, i), and
// returns the results in network order, or the first error.
func eachNetwork(nets int, seed uint64, net func(rng *rand.Rand) ([]*mat.SymDense, error)) ([][]*mat.SymDense, error) {
	out := make([][]*mat.SymDense, nets)
	errs := make([]error, nets)
	parallel(nets, func(i int) {
		out[i], errs[i] = net(rand.New(rand.NewPCG(seed, uint64(i))))
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
