package cnnbound

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// Population is a finite synthetic data distribution: M inputs with i.i.d. uniform [0, 1] entries
// and classes given by a fixed random linear teacher (argmax of T x), drawn from a seed. Sampling
// from it is sampling the distribution exactly, so its population gradient and risk at any weights
// are exact means over the M points.
type Population struct {
	X [][]float64
	Y []int
}

// NewPopulation draws a population of m points for the architecture. Errors: m < 1, an
// architecture New rejects, m inputs above 2^27 floats.
func NewPopulation(a theory.Arch, m int, seed uint64) (*Population, error) {
	if m < 1 {
		return nil, fmt.Errorf("cnnbound: population of %d points", m)
	}
	if _, err := buildLayers(a); err != nil {
		return nil, err
	}
	if err := checkOutput(a); err != nil {
		return nil, err
	}
	d := a.R0 * a.C0 * a.D0
	if m > maxFloats/d {
		return nil, fmt.Errorf("cnnbound: %d points of %d values exceed %d floats", m, d, maxFloats)
	}
	rng := rand.New(rand.NewPCG(seed, 0x909))
	teacher := make([]float64, a.Out*d)
	for i := range teacher {
		teacher[i] = rng.NormFloat64()
	}
	p := &Population{X: make([][]float64, m), Y: make([]int, m)}
	for i := range m {
		x := make([]float64, d)
		for j := range x {
			x[j] = rng.Float64()
		}
		p.X[i], p.Y[i] = x, teach(teacher, x, a.Out)
	}
	return p, nil
}

// teach returns argmax_k T_k . (x - 1/2) over the out rows of T (the first on a tie).
func teach(teacher, x []float64, out int) int {
	d := len(x)
	best, arg := 0.0, 0
	for k := range out {
		var s float64
		for j, v := range x {
			s += teacher[k*d+j] * (v - 0.5)
		}
		if k == 0 || s > best {
			best, arg = s, k
		}
	}
	return arg
}

// points checks the population against the net and returns idx, or every index when idx is nil.
// Errors: an empty or ragged population, a point the net rejects, an empty idx, an index outside
// the population.
func (n *Net) points(p *Population, idx []int) ([]int, error) {
	if p == nil || len(p.X) == 0 {
		return nil, errors.New("cnnbound: an empty population")
	}
	if len(p.Y) != len(p.X) {
		return nil, fmt.Errorf("cnnbound: population of %d inputs and %d classes", len(p.X), len(p.Y))
	}
	for i := range p.X { // every point checked once here; the slots then skip the checks
		if err := n.checkInput(p.X[i], p.Y[i]); err != nil {
			return nil, fmt.Errorf("population point %d: %w", i, err)
		}
	}
	if idx == nil {
		idx = make([]int, len(p.X))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return nil, errors.New("cnnbound: no sample points")
	}
	for _, i := range idx {
		if i < 0 || i >= len(p.X) {
			return nil, fmt.Errorf("cnnbound: sample index %d outside the population of %d", i, len(p.X))
		}
	}
	return idx, nil
}

// slots is the number of fixed chunks a batch is split into: the summation order does not depend
// on GOMAXPROCS, which only bounds how many chunks run at once.
const slots = 8

// inSlots runs work on count samples split into slots fixed contiguous chunks [lo, hi), each on its
// own clone of n with its own gradient buffer, at most GOMAXPROCS at once, and returns the first
// error in chunk order.
func (n *Net) inSlots(count int, work func(k, lo, hi int, net *Net, g *Grad) error) error {
	errs := make([]error, slots)
	var wg sync.WaitGroup
	sem := make(chan struct{}, min(runtime.GOMAXPROCS(0), slots))
	for k := range slots {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			net, err := n.Clone()
			if err != nil {
				errs[k] = err
				return
			}
			g, err := net.NewGrad()
			if err != nil {
				errs[k] = err
				return
			}
			errs[k] = work(k, k*count/slots, (k+1)*count/slots, net, g)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// MeanGradient returns the mean loss and the mean gradient (flattened: output layer, then the
// kernels) over the points idx of the population (all points when idx is nil; an index may
// repeat, and counts as often as it does). The samples are split into fixed contiguous chunks,
// one goroutine per chunk on a clone of the net, and the chunks' sums are added in chunk order:
// the result depends on the inputs only, not on scheduling or the number of cores. Errors: as
// points, a weight that is not finite, weights so large that the passes overflow.
func (n *Net) MeanGradient(p *Population, idx []int) (float64, []float64, error) {
	if err := n.checkWeights(); err != nil {
		return 0, nil, err
	}
	idx, err := n.points(p, idx)
	if err != nil {
		return 0, nil, err
	}
	losses := make([]float64, slots)
	sums := make([][]float64, slots)
	err = n.inSlots(len(idx), func(k, lo, hi int, net *Net, g *Grad) error {
		sums[k] = make([]float64, net.NumWeights())
		for _, i := range idx[lo:hi] {
			l, err := net.gradient(p.X[i], p.Y[i], g)
			if err != nil {
				return fmt.Errorf("population point %d: %w", i, err)
			}
			losses[k] += l
			if err := g.AddTo(sums[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	total := make([]float64, n.NumWeights())
	var loss float64
	for k := range slots {
		loss += losses[k]
		copyAdd(total, 0, sums[k])
	}
	inv := 1 / float64(len(idx))
	for i := range total {
		total[i] *= inv
	}
	return loss * inv, total, nil
}

// SampleGradients returns, for each point idx[t] of the population (all points when idx is nil),
// its loss and its gradient (flattened as MeanGradient's), row t of a len(idx) x NumWeights
// row-major matrix. Errors: as MeanGradient, and a matrix above 2^27 floats.
func (n *Net) SampleGradients(p *Population, idx []int) (loss, grad []float64, err error) {
	if err := n.checkWeights(); err != nil {
		return nil, nil, err
	}
	if idx, err = n.points(p, idx); err != nil {
		return nil, nil, err
	}
	d := n.NumWeights()
	if len(idx) > maxFloats/d {
		return nil, nil, fmt.Errorf("cnnbound: %d gradients of %d weights exceed %d floats", len(idx), d, maxFloats)
	}
	loss, grad = make([]float64, len(idx)), make([]float64, len(idx)*d)
	err = n.inSlots(len(idx), func(_, lo, hi int, net *Net, g *Grad) error {
		for t := lo; t < hi; t++ {
			l, err := net.gradient(p.X[idx[t]], p.Y[idx[t]], g)
			if err != nil {
				return fmt.Errorf("population point %d: %w", idx[t], err)
			}
			loss[t] = l
			if err := g.AddTo(grad[t*d : (t+1)*d]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return loss, grad, nil
}
