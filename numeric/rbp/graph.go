package rbp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Graph is a graph neural network's propagation (the paper's Section 4.2; claim RBP-9 in
// CLAIMS.md): every node v holds a
// state h_v in R^k, and
//
//	h_v <- tanh(W * sum_{u in N(v)} h_u / deg(v) + U x_v),
//
// with W (k x k, row-major) the parameters and U x_v the fixed drive. The state is the nodes'
// states concatenated (n = nodes * k). Contractive when |W|_inf < 1 (the averaging has
// |.|_inf = 1 and tanh is 1-Lipschitz).
type Graph struct {
	nodes, k  int
	nbrs      [][]int
	w         []float64
	drive     []float64
	agg, s, r []float64
}

// NewGraph returns the propagation on the graph whose node v has the neighbours nbrs[v] (every
// node needs one), feature size k, weights w (k x k) and drive (nodes * k). The neighbour lists
// are copied. Errors: no nodes, k < 1, mis-sized w or drive, a node without neighbours, a
// neighbour index outside 0..nodes-1, a NaN or infinite entry of w or drive.
func NewGraph(nbrs [][]int, k int, w, drive []float64) (*Graph, error) {
	nodes := len(nbrs)
	// k*k and nodes*k are compared through division: the products can overflow int.
	if nodes == 0 || k < 1 || len(w)%k != 0 || len(w)/k != k || len(drive)%k != 0 || len(drive)/k != nodes {
		return nil, fmt.Errorf("rbp: graph model needs nodes, k >= 1, W (k*k) and drive (nodes*k); got %d, %d, %d, %d", nodes, k, len(w), len(drive))
	}
	if err := errors.Join(finite("W", w), finite("drive", drive)); err != nil {
		return nil, err
	}
	own := make([][]int, nodes)
	for v, ns := range nbrs {
		if len(ns) == 0 {
			return nil, fmt.Errorf("rbp: node %d has no neighbours", v)
		}
		for _, u := range ns {
			if u < 0 || u >= nodes {
				return nil, fmt.Errorf("rbp: node %d has neighbour %d outside 0..%d", v, u, nodes-1)
			}
		}
		own[v] = append([]int(nil), ns...)
	}
	n := nodes * k
	return &Graph{nodes: nodes, k: k, nbrs: own, w: append([]float64(nil), w...), drive: append([]float64(nil), drive...),
		agg: make([]float64, n), s: make([]float64, n), r: make([]float64, n)}, nil
}

// Dim implements Model.
func (m *Graph) Dim() int { return m.nodes * m.k }

// NumParams implements Model.
func (m *Graph) NumParams() int { return m.k * m.k }

// Params implements Model.
func (m *Graph) Params() []float64 { return m.w }
func (m *Graph) wg() blas64.General {
	return general(m.k, m.k, m.w)
}

// aggregate writes the neighbour means of h into dst.
func (m *Graph) aggregate(dst, h []float64) {
	for v, ns := range m.nbrs {
		a := dst[v*m.k : (v+1)*m.k]
		for i := range a {
			a[i] = 0
		}
		for _, u := range ns {
			for i := range a {
				a[i] += h[u*m.k+i]
			}
		}
		for i := range a {
			a[i] /= float64(len(ns))
		}
	}
}

// Step implements Model.
func (m *Graph) Step(dst, h []float64) {
	m.aggregate(m.agg, h)
	copy(dst, m.drive)
	for v := range m.nodes {
		blas64.Gemv(blas.NoTrans, 1, m.wg(), vec(m.agg[v*m.k:(v+1)*m.k]), 1, vec(dst[v*m.k:(v+1)*m.k]))
	}
	for i := range dst {
		dst[i] = math.Tanh(dst[i])
	}
}

// slope writes 1 - tanh(.)^2 at h into m.s; Step leaves h's neighbour means in m.agg.
func (m *Graph) slope(h []float64) {
	m.Step(m.s, h)
	for i, y := range m.s {
		m.s[i] = 1 - y*y
	}
}

// JVP implements Model.
func (m *Graph) JVP(dst, h, u []float64) {
	m.slope(h)
	m.aggregate(m.r, u)
	for v := range m.nodes {
		blas64.Gemv(blas.NoTrans, 1, m.wg(), vec(m.r[v*m.k:(v+1)*m.k]), 0, vec(dst[v*m.k:(v+1)*m.k]))
	}
	for i := range dst {
		dst[i] *= m.s[i]
	}
}

// VJP implements Model.
func (m *Graph) VJP(dh, dw, h, v []float64) {
	m.slope(h)
	for i := range m.r {
		m.r[i] = m.s[i] * v[i]
	}
	if dh != nil {
		for i := range dh {
			dh[i] = 0
		}
		for node, ns := range m.nbrs {
			rv := vec(m.r[node*m.k : (node+1)*m.k])
			for _, u := range ns {
				blas64.Gemv(blas.Trans, 1/float64(len(ns)), m.wg(), rv, 1, vec(dh[u*m.k:(u+1)*m.k]))
			}
		}
	}
	if dw != nil {
		for i := range dw {
			dw[i] = 0
		}
		for node := range m.nodes {
			blas64.Ger(1, vec(m.r[node*m.k:(node+1)*m.k]), vec(m.agg[node*m.k:(node+1)*m.k]), general(m.k, m.k, dw))
		}
	}
}
