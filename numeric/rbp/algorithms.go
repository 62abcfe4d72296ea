package rbp

import (
	"errors"
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"

	"gonum.org/v1/gonum/floats"
)

// MaxTape bounds the float64 entries of TBPTT's tape, (steps + 1) x n, each state counted as
// n + 4 entries (its slice header and allocation included): a longer tape is an error, not an
// allocation (2^26 entries is 512 MiB).
const MaxTape = 1 << 26

// tapeOverhead is what one state on the tape costs beyond its entries, in float64s.
const tapeOverhead = 4

// notFinite returns the error an algorithm reports when its result has a NaN or infinite entry:
// the model's parameters or state made the computation overflow.
func notFinite(alg, what string, v []float64) error {
	if finite(what, v) != nil {
		return fmt.Errorf("rbp: %s: %s is not finite (the model's parameters or state contain NaN/Inf, or the computation overflowed)", alg, what)
	}
	return nil
}

// Report says how a fixed-point iteration ended.
type Report struct {
	Iterations int     // applications of F made
	Residual   float64 // |F(h) - h|_inf at the returned h
	Converged  bool    // Residual <= tol (1 + |h|_inf)
}

// FixedPoint iterates h <- F(h) from h0 until |F(h) - h|_inf <= tol (1 + |h|_inf) (relative to the
// state's size, so that rounding never keeps a large state from converging) or maxIter
// applications. It returns the state whose residual it measured, and a report. Not converging is
// not an error (the report says so); bad arguments (a nil model, an h0 of the wrong length or with
// a NaN or infinite entry, tol not finite and >= 0, maxIter < 1, non-finite model parameters) and
// a non-finite state are.
func FixedPoint(m Model, h0 []float64, tol float64, maxIter int) ([]float64, Report, error) {
	if err := checkModel(m); err != nil {
		return nil, Report{}, err
	}
	n := m.Dim()
	if len(h0) != n || !(tol >= 0) || math.IsInf(tol, 0) || maxIter < 1 {
		return nil, Report{}, fmt.Errorf("rbp: fixed point needs h0 of length %d, finite tol >= 0, maxIter >= 1; got %d, %v, %d", n, len(h0), tol, maxIter)
	}
	if err := finite("h0", h0); err != nil {
		return nil, Report{}, err
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
// Errors: a nil model or loss gradient, an h0 of the wrong length or not finite, steps < 0, a tape
// of more than MaxTape entries, non-finite model parameters, a loss gradient that is not finite,
// and a gradient or final state that is not finite.
func TBPTT(m Model, h0 []float64, steps int, lossGrad func(dst, h []float64)) (grad, hT []float64, err error) {
	if err := checkModel(m); err != nil {
		return nil, nil, err
	}
	n, p := m.Dim(), m.NumParams()
	if len(h0) != n || steps < 0 || lossGrad == nil {
		return nil, nil, fmt.Errorf("rbp: TBPTT needs h0 of length %d, steps >= 0 and a loss gradient; got %d, %d", n, len(h0), steps)
	}
	if steps >= MaxTape/(n+tapeOverhead) {
		return nil, nil, fmt.Errorf("rbp: TBPTT's tape of (steps + 1) x n = (%d + 1) x %d entries exceeds MaxTape = %d", steps, n, MaxTape)
	}
	if err := finite("h0", h0); err != nil {
		return nil, nil, err
	}
	tape := make([][]float64, steps+1)
	tape[0] = append([]float64(nil), h0...)
	for t := range steps {
		tape[t+1] = make([]float64, n)
		m.Step(tape[t+1], tape[t])
	}
	if err := notFinite("TBPTT", "the final state h_T", tape[steps]); err != nil {
		return nil, nil, err
	}
	v, dh, dw := make([]float64, n), make([]float64, n), make([]float64, p)
	grad = make([]float64, p)
	lossGrad(v, tape[steps])
	if err := finite("lossGrad(h_T)", v); err != nil {
		return nil, nil, fmt.Errorf("%w (the loss gradient is not finite)", err)
	}
	for t := steps - 1; t >= 0; t-- {
		m.VJP(dh, dw, tape[t], v)
		floats.Add(grad, dw)
		v, dh = dh, v
	}
	if err := notFinite("TBPTT", "the gradient", grad); err != nil {
		return nil, nil, err
	}
	return grad, tape[steps], nil
}

// Neumann is Neumann-RBP with K vector-Jacobian products (the paper's Algorithm 3):
//
//	v_0 = g_0 = b;  v_t = J^T v_{t-1}, g_t = g_{t-1} + v_t  (t = 1..K);  return (dF/dw)^T g_K,
//
// with J = dF/dh at hstar and b = lossGrad(hstar). It keeps no tape: four buffers, allocated once,
// whatever K. Errors: a nil model or loss gradient, an h* of the wrong length or not finite,
// K < 0, non-finite model parameters, a loss gradient that is not finite, and a gradient that is
// not finite.
func Neumann(m Model, hstar []float64, k int, lossGrad func(dst, h []float64)) ([]float64, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	n := m.Dim()
	if len(hstar) != n || k < 0 || lossGrad == nil {
		return nil, fmt.Errorf("rbp: Neumann-RBP needs h* of length %d, K >= 0 and a loss gradient; got %d, %d", n, len(hstar), k)
	}
	if err := finite("h*", hstar); err != nil {
		return nil, err
	}
	v, next, g := make([]float64, n), make([]float64, n), make([]float64, n)
	lossGrad(v, hstar)
	if err := finite("lossGrad(h*)", v); err != nil {
		return nil, fmt.Errorf("%w (the loss gradient is not finite)", err)
	}
	copy(g, v)
	for range k {
		m.VJP(next, nil, hstar, v)
		v, next = next, v
		floats.Add(g, v)
	}
	grad := make([]float64, m.NumParams())
	m.VJP(nil, grad, hstar, g)
	if err := notFinite("neumann", "the gradient", grad); err != nil {
		return nil, err
	}
	return grad, nil
}

// NeumannAdjoint returns g_K itself (the truncated adjoint), with the same recursion as Neumann.
// Errors: a nil model, h* or b of the wrong length or not finite, K < 0, non-finite model
// parameters, and a g_K that is not finite.
func NeumannAdjoint(m Model, hstar, b []float64, k int) ([]float64, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	n := m.Dim()
	if len(hstar) != n || len(b) != n || k < 0 {
		return nil, fmt.Errorf("rbp: Neumann adjoint needs h* and b of length %d and K >= 0", n)
	}
	if err := errors.Join(finite("h*", hstar), finite("b", b)); err != nil {
		return nil, err
	}
	v, next, g := append([]float64(nil), b...), make([]float64, n), append([]float64(nil), b...)
	for range k {
		m.VJP(next, nil, hstar, v)
		v, next = next, v
		floats.Add(g, v)
	}
	if err := notFinite("neumann adjoint", "g_K", g); err != nil {
		return nil, err
	}
	return g, nil
}

// OriginalRBP runs k iterations of the original (Almeida-Pineda) recurrent back-propagation
// z_j = J^T z_{j-1} + b from z0 at hstar, and returns z_k. Errors: a nil model, h*, b or z0 of
// the wrong length or not finite, k < 0, non-finite model parameters, and a z_k that is not
// finite (the iteration diverges when rho(J) > 1).
func OriginalRBP(m Model, hstar, b, z0 []float64, k int) ([]float64, error) {
	if err := checkModel(m); err != nil {
		return nil, err
	}
	n := m.Dim()
	if len(hstar) != n || len(b) != n || len(z0) != n || k < 0 {
		return nil, fmt.Errorf("rbp: original RBP needs h*, b, z0 of length %d and k >= 0", n)
	}
	if err := errors.Join(finite("h*", hstar), finite("b", b), finite("z0", z0)); err != nil {
		return nil, err
	}
	z, next := append([]float64(nil), z0...), make([]float64, n)
	for range k {
		m.VJP(next, nil, hstar, z)
		floats.Add(next, b)
		z, next = next, z
	}
	if err := notFinite("original RBP", "z_k", z); err != nil {
		return nil, err
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
// residual is at most tol, after maxIter iterations, or when the curvature p^T A p is not positive
// (a singular system: the report says not converged). The system is linear in b, so it is solved
// for b, and then (I - J) b, scaled by powers of two to a largest entry in [0.5, 1) and z scaled
// back (fp.Normalised; exact but for entries more than 2^1021 below the largest), which keeps
// |b|^2 and |(I - J) b|^2 from overflowing or underflowing. Errors: a nil model, h* or b of the
// wrong length or not finite,
// eta not finite and >= 0, tol not finite and > 0, maxIter < 1, non-finite model parameters, and a
// z that is not finite.
func CGRBP(m Model, hstar, b []float64, eta, tol float64, maxIter int) ([]float64, CGReport, error) {
	if err := checkModel(m); err != nil {
		return nil, CGReport{}, err
	}
	n := m.Dim()
	if len(hstar) != n || len(b) != n || !(eta >= 0) || math.IsInf(eta, 0) || !(tol > 0) || math.IsInf(tol, 0) || maxIter < 1 {
		return nil, CGReport{}, fmt.Errorf("rbp: CG-RBP needs h*, b of length %d, finite eta >= 0, finite tol > 0, maxIter >= 1", n)
	}
	if err := errors.Join(finite("h*", hstar), finite("b", b)); err != nil {
		return nil, CGReport{}, err
	}
	b, e := fp.Normalised(b)
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
	if err := notFinite("CG-RBP", "the right-hand side (I - J) b", rhs); err != nil {
		return nil, CGReport{}, err
	}
	rhs, e2 := fp.Normalised(rhs) // (I - J) b may be tiny even when b is not: keep |rhs|^2 normal
	e += e2
	z, r, p, ap := make([]float64, n), append([]float64(nil), rhs...), append([]float64(nil), rhs...), make([]float64, n)
	norm0 := floats.Norm(rhs, 2)
	rep := CGReport{Residual: 0, Converged: norm0 == 0}
	if norm0 == 0 {
		return z, rep, nil
	}
	rr := floats.Dot(r, r)
	for rep.Iterations < maxIter {
		apply(ap, p)
		pap := floats.Dot(p, ap)
		if !(pap > 0) || math.IsInf(pap, 0) {
			break // no positive curvature along p: the system is singular (or overflowed)
		}
		alpha := rr / pap
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
	for i := range z {
		z[i] = math.Ldexp(z[i], e)
	}
	if err := notFinite("CG-RBP", "the adjoint z", z); err != nil {
		return nil, CGReport{}, err
	}
	if math.IsNaN(rep.Residual) || math.IsInf(rep.Residual, 0) {
		return nil, CGReport{}, errors.New("rbp: CG-RBP: the residual is not finite (the model's parameters or state contain NaN/Inf, or the computation overflowed)")
	}
	return z, rep, nil
}

// ParamGradient returns (dF/dw)^T z at h: the gradient an adjoint z gives. It has no error
// result, so it returns nil for a nil model, non-finite model parameters, an h or z whose length
// is not Dim() or that has a NaN or infinite entry, and a gradient that is not finite.
func ParamGradient(m Model, h, z []float64) []float64 {
	if checkModel(m) != nil {
		return nil
	}
	if n := m.Dim(); len(h) != n || len(z) != n || finite("h", h) != nil || finite("z", z) != nil {
		return nil
	}
	g := make([]float64, m.NumParams())
	m.VJP(nil, g, h, z)
	if finite("gradient", g) != nil {
		return nil
	}
	return g
}
