package rbp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Hopfield is the damped continuous Hopfield update on the units u (the paper's Section 4.1; claim
// RBP-7 in CLAIMS.md):
//
//	u_{t+1} = (1 - Eps) u_t + Eps (W_eff V_t + I_ext),  V = sigma(Beta u),
//	W_eff = (W + W^T) o (1 1^T - I),
//
// with the clamped units (Clamp[i]) reset to Pattern[i] after every step. The parameters are the
// raw W (n x n, row-major).
type Hopfield struct {
	n              int
	w              []float64
	weff           []float64 // scratch: W_eff
	iExt           []float64
	clamp          []bool
	pattern        []float64
	eps, beta      float64
	vBuf, sBuf, rB []float64
}

// NewHopfield returns the Hopfield recurrence. Errors: shapes, non-finite entries (of W, I_ext or
// the pattern), eps outside (0, 1], beta not finite and > 0.
func NewHopfield(w, iExt []float64, clamp []bool, pattern []float64, eps, beta float64) (*Hopfield, error) {
	n := len(iExt)
	if n == 0 || len(w) != n*n || len(clamp) != n || len(pattern) != n {
		return nil, fmt.Errorf("rbp: Hopfield model needs W (n*n), I_ext, clamp and pattern (n = %d); got %d, %d, %d, %d", n, len(w), n, len(clamp), len(pattern))
	}
	if err := errors.Join(finite("W", w), finite("I_ext", iExt), finite("pattern", pattern)); err != nil {
		return nil, err
	}
	if !(eps > 0 && eps <= 1) || !(beta > 0) || math.IsInf(beta, 0) {
		return nil, fmt.Errorf("rbp: Hopfield needs 0 < eps <= 1 and finite beta > 0, got %v, %v", eps, beta)
	}
	return &Hopfield{n: n, w: append([]float64(nil), w...), weff: make([]float64, n*n), iExt: append([]float64(nil), iExt...),
		clamp: append([]bool(nil), clamp...), pattern: append([]float64(nil), pattern...), eps: eps, beta: beta,
		vBuf: make([]float64, n), sBuf: make([]float64, n), rB: make([]float64, n)}, nil
}

// Dim implements Model.
func (m *Hopfield) Dim() int { return m.n }

// NumParams implements Model.
func (m *Hopfield) NumParams() int { return m.n * m.n }

// Params implements Model.
func (m *Hopfield) Params() []float64 { return m.w }

// Outputs writes V = sigma(beta u) to dst.
func (m *Hopfield) Outputs(dst, u []float64) {
	for i, x := range u {
		dst[i] = 1 / (1 + math.Exp(-m.beta*x))
	}
}

func (m *Hopfield) effective() blas64.General {
	for i := range m.n {
		for j := range m.n {
			if i == j {
				m.weff[i*m.n+j] = 0
			} else {
				m.weff[i*m.n+j] = m.w[i*m.n+j] + m.w[j*m.n+i]
			}
		}
	}
	return general(m.n, m.n, m.weff)
}

// Step implements Model.
func (m *Hopfield) Step(dst, u []float64) {
	m.Outputs(m.vBuf, u)
	copy(dst, m.iExt)
	blas64.Gemv(blas.NoTrans, 1, m.effective(), vec(m.vBuf), 1, vec(dst))
	for i := range dst {
		if m.clamp[i] {
			dst[i] = m.pattern[i]
		} else {
			dst[i] = (1-m.eps)*u[i] + m.eps*dst[i]
		}
	}
}

// slopes writes V into vBuf and sigma'(beta u) beta = beta V (1 - V) into sBuf.
func (m *Hopfield) slopes(u []float64) {
	m.Outputs(m.vBuf, u)
	for i, v := range m.vBuf {
		m.sBuf[i] = m.beta * v * (1 - v)
	}
}

// JVP implements Model.
func (m *Hopfield) JVP(dst, u, du []float64) {
	m.slopes(u)
	for i := range m.rB {
		m.rB[i] = m.sBuf[i] * du[i]
	}
	blas64.Gemv(blas.NoTrans, 1, m.effective(), vec(m.rB), 0, vec(dst))
	for i := range dst {
		if m.clamp[i] {
			dst[i] = 0
		} else {
			dst[i] = (1-m.eps)*du[i] + m.eps*dst[i]
		}
	}
}

// VJP implements Model.
func (m *Hopfield) VJP(dh, dw, u, v []float64) {
	m.slopes(u)
	for i := range m.rB {
		m.rB[i] = v[i]
		if m.clamp[i] {
			m.rB[i] = 0
		}
	}
	if dh != nil {
		blas64.Gemv(blas.Trans, m.eps, m.effective(), vec(m.rB), 0, vec(dh))
		for j := range dh {
			dh[j] = dh[j]*m.sBuf[j] + (1-m.eps)*m.rB[j]
		}
	}
	if dw != nil {
		for k := range m.n {
			for l := range m.n {
				if k == l {
					dw[k*m.n+l] = 0
				} else {
					dw[k*m.n+l] = m.eps * (m.rB[k]*m.vBuf[l] + m.rB[l]*m.vBuf[k])
				}
			}
		}
	}
}
