// Package diff holds the suite's one implementation of numerical derivatives: central and
// Richardson-extrapolated finite differences of a scalar function of a live parameter vector,
// central differences of a vector map, and a dense Jacobian assembled from Jacobian-vector
// products. Every claim that compares an analytic derivative with finite differences uses these.
package diff

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxDim bounds the dimension of a Jacobian or gradient built here (a dense n x n matrix).
const MaxDim = 1 << 12

func checkStep(step float64) error {
	if !(step > 0) || math.IsInf(step, 0) {
		return fmt.Errorf("diff: step %v must be finite and > 0", step)
	}
	return nil
}

// Gradient returns the central differences
//
//	g_k = (f(w + step e_k) - f(w - step e_k)) / (2 step)
//
// for every entry of the live parameter vector w, which f reads; each entry is restored after
// use. The truncation error is O(step^2) (step^2 |f”'| / 6) and the rounding error about
// eps |f| / step. An error from f, or a non-finite value, stops it.
func Gradient(w []float64, step float64, f func() (float64, error)) ([]float64, error) {
	return gradient(w, step, f, central)
}

// GradientRichardson returns the Richardson extrapolation of central differences,
//
//	g_k = (4 D(step/2) - D(step)) / 3,
//
// with D(h) the central difference at step h: truncation O(step^4), so a larger step (and less
// rounding, about 1.5 eps |f| / step) reaches the same accuracy. f is called four times per entry.
func GradientRichardson(w []float64, step float64, f func() (float64, error)) ([]float64, error) {
	return gradient(w, step, f, func(w []float64, k int, h float64, f func() (float64, error)) (float64, error) {
		d1, err := central(w, k, h, f)
		if err != nil {
			return 0, err
		}
		d2, err := central(w, k, h/2, f)
		return (4*d2 - d1) / 3, err
	})
}

type rule func(w []float64, k int, h float64, f func() (float64, error)) (float64, error)

func gradient(w []float64, step float64, f func() (float64, error), r rule) ([]float64, error) {
	if err := checkStep(step); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("diff: nil function")
	}
	g := make([]float64, len(w))
	for k := range w {
		v, err := r(w, k, step, f)
		if err != nil {
			return nil, fmt.Errorf("diff: entry %d: %w", k, err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("diff: entry %d: the difference quotient is %v", k, v)
		}
		g[k] = v
	}
	return g, nil
}

// central is (f(w + h e_k) - f(w - h e_k)) / (2h), restoring w[k].
func central(w []float64, k int, h float64, f func() (float64, error)) (float64, error) {
	orig := w[k]
	w[k] = orig + h
	lp, err1 := f()
	w[k] = orig - h
	lm, err2 := f()
	w[k] = orig
	if err1 != nil {
		return 0, err1
	}
	if err2 != nil {
		return 0, err2
	}
	return (lp - lm) / (2 * h), nil
}

// Jacobian assembles the dense n x n Jacobian from Jacobian-vector products: column k is
// jvp(e_k), written by jvp into dst. A product that is not finite is an error.
func Jacobian(n int, jvp func(dst, v []float64)) (*mat.Dense, error) {
	if n < 1 || n > MaxDim {
		return nil, fmt.Errorf("diff: dimension %d outside [1, %d]", n, MaxDim)
	}
	if jvp == nil {
		return nil, errors.New("diff: nil product")
	}
	j := mat.NewDense(n, n, nil)
	e, col := make([]float64, n), make([]float64, n)
	for k := range n {
		e[k] = 1
		jvp(col, e)
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("diff: entry (%d, %d) of the product is %v", i, k, v)
			}
		}
		j.SetCol(k, col)
		e[k] = 0
	}
	return j, nil
}

// MapJacobian is the central-difference Jacobian of a map F: R^n -> R^m at x, column k being
// (F(x + step e_k) - F(x - step e_k)) / (2 step); m is len of what F writes, given as m.
func MapJacobian(x []float64, m int, step float64, f func(dst, x []float64)) (*mat.Dense, error) {
	n := len(x)
	if n < 1 || n > MaxDim || m < 1 || m > MaxDim {
		return nil, fmt.Errorf("diff: dimensions %d x %d outside [1, %d]", m, n, MaxDim)
	}
	if err := checkStep(step); err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("diff: nil map")
	}
	j := mat.NewDense(m, n, nil)
	xx, up, dn := append([]float64(nil), x...), make([]float64, m), make([]float64, m)
	for k := range n {
		xx[k] = x[k] + step
		f(up, xx)
		xx[k] = x[k] - step
		f(dn, xx)
		xx[k] = x[k]
		for i := range m {
			v := (up[i] - dn[i]) / (2 * step)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("diff: entry (%d, %d) of the difference quotient is %v", i, k, v)
			}
			j.Set(i, k, v)
		}
	}
	return j, nil
}
