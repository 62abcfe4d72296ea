package kernel

import (
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
func Network(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, rng *rand.Rand) ([]*mat.SymDense, error) {
	if width < 1 || depth < 0 {
		return nil, fmt.Errorf("kernel: need width >= 1 and depth >= 0, got %d and %d", width, depth)
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, err
	}
	grams := []*mat.SymDense{gram(h)}
	for range depth {
		h = layer(law, secondMoment, a, width, h, rng)
		grams = append(grams, gram(h))
	}
	return grams, nil
}

// inputMatrix validates a network's arguments and returns the inputs as the columns of a matrix.
func inputMatrix(law weights.Law, secondMoment, a float64, inputs [][]float64) (*mat.Dense, error) {
	if err := law.Validate(); err != nil {
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
	h := mat.NewDense(d, len(inputs), nil) // features as columns
	for j, x := range inputs {
		if len(x) != d || d == 0 {
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
// and returns f_a(W h) for the features h (one input per column).
func layer(law weights.Law, secondMoment, a float64, width int, h *mat.Dense, rng *rand.Rand) *mat.Dense {
	fanIn, cols := h.Dims()
	w := mat.NewDense(width, fanIn, nil)
	raw := w.RawMatrix()
	c := math.Sqrt(secondMoment / law.SecondMoment(fanIn))
	for r := range width {
		row := raw.Data[r*raw.Stride : r*raw.Stride+fanIn]
		law.Fill(rng, row)
		for k := range row {
			row[k] *= c
		}
	}
	next := mat.NewDense(width, cols, nil)
	next.Mul(w, h)
	next.Apply(func(_, _ int, v float64) float64 { return Leaky(v, a) }, next)
	return next
}

// Layer returns the features f_a(W x) of one random layer of the given width for each input,
// with W's rows drawn from law rescaled to E|w|^2 = secondMoment (as in Network).
func Layer(law weights.Law, secondMoment, a float64, width int, inputs [][]float64, rng *rand.Rand) ([][]float64, error) {
	if width < 1 {
		return nil, fmt.Errorf("kernel: width %d must be >= 1", width)
	}
	h, err := inputMatrix(law, secondMoment, a, inputs)
	if err != nil {
		return nil, err
	}
	z := layer(law, secondMoment, a, width, h, rng)
	out := make([][]float64, len(inputs))
	for j := range out {
		out[j] = mat.Col(nil, j, z)
	}
	return out, nil
}

// gram returns H^T H / rows(H).
func gram(h *mat.Dense) *mat.SymDense {
	r, c := h.Dims()
	g := mat.NewSymDense(c, nil)
	g.SymOuterK(1/float64(r), h.T())
	return g
}

// Networks runs nets independent networks (as Network) in parallel, network i drawing from
// PCG(seed, i), and returns each network's per-layer empirical kernels, in network order.
func Networks(law weights.Law, secondMoment, a float64, width, depth int, inputs [][]float64, nets int, seed uint64) ([][]*mat.SymDense, error) {
	if nets < 1 {
		return nil, fmt.Errorf("kernel: need at least one network, got %d", nets)
	}
	out := make([][]*mat.SymDense, nets)
	errs := make([]error, nets)
	parallel(nets, func(i int) {
		out[i], errs[i] = Network(law, secondMoment, a, width, depth, inputs, rand.New(rand.NewPCG(seed, uint64(i))))
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
