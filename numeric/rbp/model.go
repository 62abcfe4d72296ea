package rbp

import (
	"errors"
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Model is a recurrence h_{t+1} = F(x, w, h_t) with a fixed input x and parameters w.
type Model interface {
	// Dim is the state size n; NumParams the parameter count p.
	Dim() int
	NumParams() int
	// Params returns the live parameter vector w (length p); changing it changes the model.
	Params() []float64
	// Step writes F(h) to dst (len n; dst and h must not overlap).
	Step(dst, h []float64)
	// VJP writes dh = (dF/dh)^T v and dw = (dF/dw)^T v at h; either output may be nil.
	VJP(dh, dw, h, v []float64)
	// JVP writes dst = (dF/dh) u at h.
	JVP(dst, h, u []float64)
}

func general(rows, cols int, data []float64) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

func vec(data []float64) blas64.Vector { return blas64.Vector{N: len(data), Inc: 1, Data: data} }

func finite(name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("rbp: %s[%d] = %v is not finite", name, i, x)
		}
	}
	return nil
}

// checkModel returns an error for a nil model (also a typed nil), one with no state (a zero value
// not made by its constructor), and one whose live parameters (Params) are not NumParams finite
// numbers: they can be changed after construction.
func checkModel(m Model) error {
	if fp.IsNil(m) {
		return errors.New("rbp: the model is nil")
	}
	if m.Dim() < 1 {
		return fmt.Errorf("rbp: the model has state size %d; build it with its constructor", m.Dim())
	}
	w := m.Params()
	if len(w) != m.NumParams() {
		return fmt.Errorf("rbp: the model has %d parameters but NumParams = %d", len(w), m.NumParams())
	}
	if err := finite("model parameter w", w); err != nil {
		return fmt.Errorf("%w (the model's parameters were changed to a non-finite value)", err)
	}
	return nil
}

// Tanh is F(h) = tanh(W h + b + c) with W (n x n, row-major) and c the parameters, and b = U x
// the fixed input drive. Params is W followed by c.
type Tanh struct {
	n      int
	params []float64 // W (n*n) then c (n)
	drive  []float64 // U x
	pre    []float64 // scratch
	r      []float64 // scratch
}

// NewTanh returns the tanh recurrence with weights w (n x n, row-major), bias c and drive U x.
// Errors: empty or mis-sized slices, a NaN or infinite entry.
func NewTanh(w, c, drive []float64) (*Tanh, error) {
	n := len(c)
	if n == 0 || len(w) != n*n || len(drive) != n {
		return nil, fmt.Errorf("rbp: tanh model needs W of n*n = %d, c and U x of n = %d entries; got %d, %d, %d", n*n, n, len(w), len(c), len(drive))
	}
	if err := errors.Join(finite("W", w), finite("c", c), finite("Ux", drive)); err != nil {
		return nil, err
	}
	p := append(append([]float64(nil), w...), c...)
	return &Tanh{n: n, params: p, drive: append([]float64(nil), drive...), pre: make([]float64, n), r: make([]float64, n)}, nil
}

// Dim implements Model.
func (m *Tanh) Dim() int { return m.n }

// NumParams implements Model.
func (m *Tanh) NumParams() int { return m.n*m.n + m.n }

// Params implements Model.
func (m *Tanh) Params() []float64 { return m.params }
func (m *Tanh) w() blas64.General { return general(m.n, m.n, m.params[:m.n*m.n]) }

// Step implements Model.
func (m *Tanh) Step(dst, h []float64) {
	copy(dst, m.drive)
	blas64.Gemv(blas.NoTrans, 1, m.w(), vec(h), 1, vec(dst))
	c := m.params[m.n*m.n:]
	for i := range dst {
		dst[i] = math.Tanh(dst[i] + c[i])
	}
}

// slope writes 1 - tanh(pre)^2 at h into m.pre.
func (m *Tanh) slope(h []float64) {
	m.Step(m.pre, h)
	for i, y := range m.pre {
		m.pre[i] = 1 - y*y
	}
}

// VJP implements Model.
func (m *Tanh) VJP(dh, dw, h, v []float64) {
	m.slope(h)
	for i := range m.r {
		m.r[i] = m.pre[i] * v[i]
	}
	if dh != nil {
		blas64.Gemv(blas.Trans, 1, m.w(), vec(m.r), 0, vec(dh))
	}
	if dw != nil {
		for i := range m.n {
			row := dw[i*m.n : (i+1)*m.n]
			for j := range row {
				row[j] = m.r[i] * h[j]
			}
		}
		copy(dw[m.n*m.n:], m.r)
	}
}

// JVP implements Model.
func (m *Tanh) JVP(dst, h, u []float64) {
	m.slope(h)
	blas64.Gemv(blas.NoTrans, 1, m.w(), vec(u), 0, vec(dst))
	for i := range dst {
		dst[i] *= m.pre[i]
	}
}

// Linear is F(h) = A h + B x with A (n x n, row-major) the parameters and B x the fixed drive.
type Linear struct {
	n     int
	a     []float64
	drive []float64
}

// NewLinear returns the linear recurrence h <- A h + B x. Errors: an empty B x, an A that is not
// n x n, a NaN or infinite entry.
func NewLinear(a, drive []float64) (*Linear, error) {
	n := len(drive)
	if n == 0 || len(a) != n*n {
		return nil, fmt.Errorf("rbp: linear model needs A of n*n entries for B x of n = %d; got %d", n, len(a))
	}
	if err := errors.Join(finite("A", a), finite("Bx", drive)); err != nil {
		return nil, err
	}
	return &Linear{n: n, a: append([]float64(nil), a...), drive: append([]float64(nil), drive...)}, nil
}

// Dim implements Model.
func (m *Linear) Dim() int { return m.n }

// NumParams implements Model.
func (m *Linear) NumParams() int { return m.n * m.n }

// Params implements Model.
func (m *Linear) Params() []float64 { return m.a }

// Step implements Model.
func (m *Linear) Step(dst, h []float64) {
	copy(dst, m.drive)
	blas64.Gemv(blas.NoTrans, 1, general(m.n, m.n, m.a), vec(h), 1, vec(dst))
}

// VJP implements Model.
func (m *Linear) VJP(dh, dw, h, v []float64) {
	if dh != nil {
		blas64.Gemv(blas.Trans, 1, general(m.n, m.n, m.a), vec(v), 0, vec(dh))
	}
	if dw != nil {
		for i := range m.n {
			for j := range m.n {
				dw[i*m.n+j] = v[i] * h[j]
			}
		}
	}
}

// JVP implements Model.
func (m *Linear) JVP(dst, _, u []float64) {
	blas64.Gemv(blas.NoTrans, 1, general(m.n, m.n, m.a), vec(u), 0, vec(dst))
}
