package rbp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Report says how a fixed-point iteration ended.
type Report struct {
	Iterations int     // applications of F made
	Residual   float64 // |F(h) - h|_inf at the returned h
	Converged  bool    // Residual <= tol (1 + |h|_inf)
}

// FixedPoint iterates h <- F(h) from h0 until |F(h) - h|_inf <= tol (1 + |h|_inf) (relative to the
// state's size, so that rounding never keeps a large state from converging) or maxIter
// applications. It returns the state whose residual it measured, and a report. Not converging is
// not an error (the report says so); bad arguments and a non-finite state are.
func FixedPoint(m Model, h0 []float64, tol float64, maxIter int) ([]float64, Report, error) {
	n := m.Dim()
	if len(h0) != n || !(tol >= 0) || maxIter < 1 {
		return nil, Report{}, fmt.Errorf("rbp: fixed point needs h0 of length %d, tol >= 0, maxIter >= 1; got %d, %v, %d", n, len(h0), tol, maxIter)
	}
	h, next := append([]float64(nil), h0...), make([]float64, n)
	var rep Report
	for {
		m.Step(next, h)
		rep.Residual = floats.Distance(next, h, math.Inf(1))
		if math.IsNaN(rep.Residual) || math.IsInf(rep.Residual, 0) {
			return h, rep, fmt.Errorf("rbp: the iteration diverged (residual %v after %d steps)", rep.Residual, rep.Iterations)
		}
		if rep.Residual <= tol*(1+floats.Norm(h, math.Inf(1))) {
			rep.Converged = true
			return h, rep, nil
		}
		if rep.Iterations == maxIter {
			return h, rep, nil
		}
		h, next = next, h
		rep.Iterations++
	}
}

// TBPTT back-propagates through the last `steps` applications of F: it runs F `steps` times from
// h0 (the state `steps` applications before the end), keeping every state (the tape TBPTT must
// keep), then with b = lossGrad(h_T) accumulates
//
//	dL/dw = sum_{t=T-steps}^{T-1} (dF/dw at h_t)^T v_t,   v_{T-1} = b, v_{t-1} = (dF/dh at h_t)^T v_t.
//
// With h0 the initial state and steps = T this is full BPTT. Returns dL/dw (length p) and h_T.
func TBPTT(m Model, h0 []float64, steps int, lossGrad func(dst, h []float64)) (grad, hT []float64, err error) {
	n, p := m.Dim(), m.NumParams()
	if len(h0) != n || steps < 0 || lossGrad == nil {
		return nil, nil, fmt.Errorf("rbp: TBPTT needs h0 of length %d, steps >= 0 and a loss gradient; got %d, %d", n, len(h0), steps)
	}
	tape := make([][]float64, steps+1)
	tape[0] = append([]float64(nil), h0...)
	for t := range steps {
		tape[t+1] = make([]float64, n)
		m.Step(tape[t+1], tape[t])
	}
	v, dh, dw := make([]float64, n), make([]float64, n), make([]float64, p)
	grad = make([]float64, p)
	lossGrad(v, tape[steps])
	for t := steps - 1; t >= 0; t-- {
		m.VJP(dh, dw, tape[t], v)
		floats.Add(grad, dw)
		v, dh = dh, v
	}
	return grad, tape[steps], nil
}

// Neumann is Neumann-RBP with K vector-Jacobian products (the paper's Algorithm 3):
//
//	v_0 = g_0 = b;  v_t = J^T v_{t-1}, g_t = g_{t-1} + v_t  (t = 1..K);  return (dF/dw)^T g_K,
//
// with J = dF/dh at hstar and b = lossGrad(hstar). It keeps no tape: four buffers, allocated once,
// whatever K.
func Neumann(m Model, hstar []float64, k int, lossGrad func(dst, h []float64)) ([]float64, error) {
	n := m.Dim()
	if len(hstar) != n || k < 0 || lossGrad == nil {
		return nil, fmt.Errorf("rbp: Neumann-RBP needs h* of length %d, K >= 0 and a loss gradient; got %d, %d", n, len(hstar), k)
	}
	v, next, g := make([]float64, n), make([]float64, n), make([]float64, n)
	lossGrad(v, hstar)
	copy(g, v)
	for range k {
		m.VJP(next, nil, hstar, v)
		v, next = next, v
		floats.Add(g, v)
	}
	grad := make([]float64, m.NumParams())
	m.VJP(nil, grad, hstar, g)
	return grad, nil
}

// NeumannAdjoint returns g_K itself (the truncated adjoint), with the same recursion as Neumann.
func NeumannAdjoint(m Model, hstar, b []float64, k int) ([]float64, error) {
	n := m.Dim()
	if len(hstar) != n || len(b) != n || k < 0 {
		return nil, fmt.Errorf("rbp: Neumann adjoint needs h* and b of length %d and K >= 0", n)
	}
	v, next, g := append([]float64(nil), b...), make([]float64, n), append([]float64(nil), b...)
	for range k {
		m.VJP(next, nil, hstar, v)
		v, next = next, v
		floats.Add(g, v)
	}
	return g, nil
}

// OriginalRBP runs k iterations of the original (Almeida-Pineda) recurrent back-propagation
// z_j = J^T z_{j-1} + b from z0 at hstar, and returns z_k.
func OriginalRBP(m Model, hstar, b, z0 []float64, k int) ([]float64, error) {
	n := m.Dim()
	if len(hstar) != n || len(b) != n || len(z0) != n || k < 0 {
		return nil, fmt.Errorf("rbp: original RBP needs h*, b, z0 of length %d and k >= 0", n)
	}
	z, next := append([]float64(nil), z0...), make([]float64, n)
	for range k {
		m.VJP(next, nil, hstar, z)
		floats.Add(next, b)
		z, next = next, z
	}
	return z, nil
}

// CGReport says how CG-RBP ended.
type CGReport struct {
	Iterations int
	Residual   float64 // |r| / |rhs| at the end, in the 2-norm
	Converged  bool
}

// CGRBP solves the damped normal equations of the adjoint by conjugate gradient (the paper's
// Algorithm 2, CG-RBP):
//
//	((I - J)(I - J^T) + eta I) z = (I - J) b,
//
// symmetric positive definite whenever I - J is non-singular (or eta > 0), whatever rho(J). Each
// iteration makes one vector-Jacobian and one Jacobian-vector product. Stops when the relative
// residual is at most tol or after maxIter iterations.
func CGRBP(m Model, hstar, b []float64, eta, tol float64, maxIter int) ([]float64, CGReport, error) {
	n := m.Dim()
	if len(hstar) != n || len(b) != n || !(eta >= 0) || !(tol > 0) || maxIter < 1 {
		return nil, CGReport{}, fmt.Errorf("rbp: CG-RBP needs h*, b of length %d, eta >= 0, tol > 0, maxIter >= 1", n)
	}
	tmp, tmp2 := make([]float64, n), make([]float64, n)
	// apply writes ((I - J)(I - J^T) + eta I) x into dst.
	apply := func(dst, x []float64) {
		m.VJP(tmp, nil, hstar, x) // J^T x
		floats.SubTo(tmp, x, tmp) // (I - J^T) x
		m.JVP(tmp2, hstar, tmp)   // J (I - J^T) x
		floats.SubTo(dst, tmp, tmp2)
		floats.AddScaled(dst, eta, x)
	}
	rhs := make([]float64, n)
	m.JVP(rhs, hstar, b)
	floats.SubTo(rhs, b, rhs)
	z, r, p, ap := make([]float64, n), append([]float64(nil), rhs...), append([]float64(nil), rhs...), make([]float64, n)
	norm0 := floats.Norm(rhs, 2)
	rep := CGReport{Residual: 0, Converged: norm0 == 0}
	if norm0 == 0 {
		return z, rep, nil
	}
	rr := floats.Dot(r, r)
	for rep.Iterations < maxIter {
		apply(ap, p)
		alpha := rr / floats.Dot(p, ap)
		floats.AddScaled(z, alpha, p)
		floats.AddScaled(r, -alpha, ap)
		rep.Iterations++
		rrNew := floats.Dot(r, r)
		rep.Residual = math.Sqrt(rrNew) / norm0
		if rep.Residual <= tol {
			rep.Converged = true
			break
		}
		floats.AddScaledTo(p, r, rrNew/rr, p)
		rr = rrNew
	}
	return z, rep, nil
}

// ParamGradient returns (dF/dw)^T z at h: the gradient an adjoint z gives.
func ParamGradient(m Model, h, z []float64) []float64 {
	g := make([]float64, m.NumParams())
	m.VJP(nil, g, h, z)
	return g
}
