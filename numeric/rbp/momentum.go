package rbp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Momentum is one step of SGD with momentum on 1/2 w^T H w - q^T w as a recurrence on the state
// (w, m) (the paper's Section 4.3; claim RBP-8 in CLAIMS.md):
//
//	m' = mu m - eta (H w - q),   w' = w + m',
//
// with the hyper-parameters (eta, mu) as its parameters: a learning rate eta > 0 and a momentum
// 0 <= mu < 1. H must be symmetric.
type Momentum struct {
	n      int
	h      []float64
	q      []float64
	params []float64 // eta, mu
	grad   []float64
	sum    []float64
}

// NewMomentum returns the momentum recurrence for H (n x n, symmetric, row-major) and q, with
// learning rate eta and momentum mu. Errors: shapes, a NaN or infinite entry of H or q, an H that
// is not exactly symmetric, eta not finite and > 0, mu outside [0, 1).
func NewMomentum(h, q []float64, eta, mu float64) (*Momentum, error) {
	n := len(q)
	if n == 0 || len(h) != n*n {
		return nil, fmt.Errorf("rbp: momentum model needs H (n*n) and q (n = %d); got %d", n, len(h))
	}
	if err := errors.Join(finite("H", h), finite("q", q)); err != nil {
		return nil, err
	}
	for i := range n {
		for j := range n {
			if h[i*n+j] != h[j*n+i] {
				return nil, fmt.Errorf("rbp: H is not symmetric at (%d, %d)", i, j)
			}
		}
	}
	if !(eta > 0) || math.IsInf(eta, 0) {
		return nil, fmt.Errorf("rbp: momentum model needs a finite learning rate eta > 0, got %v", eta)
	}
	if !(mu >= 0 && mu < 1) {
		return nil, fmt.Errorf("rbp: momentum model needs a momentum 0 <= mu < 1, got %v", mu)
	}
	return &Momentum{n: n, h: append([]float64(nil), h...), q: append([]float64(nil), q...), params: []float64{eta, mu},
		grad: make([]float64, n), sum: make([]float64, n)}, nil
}

// Dim implements Model.
func (m *Momentum) Dim() int { return 2 * m.n }

// NumParams implements Model.
func (m *Momentum) NumParams() int { return 2 }

// Params implements Model.
func (m *Momentum) Params() []float64 { return m.params }
func (m *Momentum) hm() blas64.General {
	return general(m.n, m.n, m.h)
}

// gradient writes H w - q into m.grad.
func (m *Momentum) gradient(w []float64) {
	copy(m.grad, m.q)
	blas64.Gemv(blas.NoTrans, 1, m.hm(), vec(w), -1, vec(m.grad))
}

// Step implements Model.
func (m *Momentum) Step(dst, s []float64) {
	eta, mu := m.params[0], m.params[1]
	w, mo := s[:m.n], s[m.n:]
	m.gradient(w)
	for i := range m.n {
		mNew := mu*mo[i] - eta*m.grad[i]
		dst[m.n+i] = mNew
		dst[i] = w[i] + mNew
	}
}

// JVP implements Model.
func (m *Momentum) JVP(dst, _, u []float64) {
	eta, mu := m.params[0], m.params[1]
	uw, um := u[:m.n], u[m.n:]
	blas64.Gemv(blas.NoTrans, 1, m.hm(), vec(uw), 0, vec(m.grad)) // H uw
	for i := range m.n {
		dm := mu*um[i] - eta*m.grad[i]
		dst[m.n+i] = dm
		dst[i] = uw[i] + dm
	}
}

// VJP implements Model.
func (m *Momentum) VJP(dh, dw, s, v []float64) {
	eta, mu := m.params[0], m.params[1]
	vw, vm := v[:m.n], v[m.n:]
	for i := range m.n {
		m.sum[i] = vw[i] + vm[i]
	}
	if dh != nil {
		// (J^T v)_w = vw - eta H (vw + vm); (J^T v)_m = mu (vw + vm).
		copy(dh[:m.n], vw)
		blas64.Gemv(blas.NoTrans, -eta, m.hm(), vec(m.sum), 1, vec(dh[:m.n]))
		for i := range m.n {
			dh[m.n+i] = mu * m.sum[i]
		}
	}
	if dw != nil {
		m.gradient(s[:m.n])
		dw[0], dw[1] = 0, 0
		for i := range m.n {
			dw[0] -= m.grad[i] * m.sum[i]
			dw[1] += s[m.n+i] * m.sum[i]
		}
	}
}
