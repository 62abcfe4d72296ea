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

// NewPopulation draws a population of m points for the architecture. Errors: m < 1, an invalid
// architecture.
func NewPopulation(a theory.Arch, m int, seed uint64) (*Population, error) {
	if m < 1 {
		return nil, fmt.Errorf("cnnbound: population of %d points", m)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x909))
	d := a.R0 * a.C0 * a.D0
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
		best, arg := 0.0, 0
		for k := range a.Out {
			var s float64
			for j, v := range x {
				s += teacher[k*d+j] * (v - 0.5)
			}
			if k == 0 || s > best {
				best, arg = s, k
			}
		}
		p.X[i], p.Y[i] = x, arg
	}
	return p, nil
}

// MeanGradient returns the mean loss and the mean gradient (flattened: output layer, then the
// kernels) over the points idx of the population (all points when idx is nil). The samples are
// split into fixed contiguous chunks, one goroutine per chunk on a clone of the net, and the
// chunks' sums are added in chunk order: the result depends on the inputs only, not on
// scheduling or the number of cores.
func (n *Net) MeanGradient(p *Population, idx []int) (float64, []float64, error) {
	if p == nil || len(p.X) == 0 {
		return 0, nil, errors.New("cnnbound: an empty population")
	}
	if n == nil || n.Out == nil {
		return 0, nil, errors.New("cnnbound: a nil or unbuilt net (use New)")
	}
	if len(p.Y) != len(p.X) {
		return 0, nil, fmt.Errorf("cnnbound: population of %d inputs and %d classes", len(p.X), len(p.Y))
	}
	if err := n.checkWeights(); err != nil {
		return 0, nil, err
	}
	for i := range p.X { // every point checked once here; the slots then skip the checks
		if err := n.checkInput(p.X[i], p.Y[i]); err != nil {
			return 0, nil, fmt.Errorf("population point %d: %w", i, err)
		}
	}
	if idx == nil {
		idx = make([]int, len(p.X))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return 0, nil, errors.New("cnnbound: no sample points")
	}
	for _, i := range idx {
		if i < 0 || i >= len(p.X) {
			return 0, nil, fmt.Errorf("cnnbound: sample index %d outside the population of %d", i, len(p.X))
		}
	}
	// Eight fixed slots of contiguous samples, summed in slot order: the summation order does not
	// depend on GOMAXPROCS, which only bounds how many slots run at once.
	const slots = 8
	chunks := min(runtime.GOMAXPROCS(0), slots)
	type part struct {
		loss float64
		sum  []float64
	}
	parts := make([]part, slots)
	var wg sync.WaitGroup
	sem := make(chan struct{}, chunks)
	for k := range slots {
		lo, hi := k*len(idx)/slots, (k+1)*len(idx)/slots
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			net := n.Clone()
			g := net.NewGrad()
			sum := make([]float64, net.NumWeights())
			var loss float64
			for _, i := range idx[lo:hi] {
				loss += net.gradient(p.X[i], p.Y[i], g)
				g.AddTo(sum)
			}
			parts[k] = part{loss: loss, sum: sum}
		}()
	}
	wg.Wait()
	total := make([]float64, n.NumWeights())
	var loss float64
	for _, pt := range parts {
		loss += pt.loss
		copyAdd(total, 0, pt.sum)
	}
	inv := 1 / float64(len(idx))
	for i := range total {
		total[i] *= inv
	}
	return loss * inv, total, nil
}
