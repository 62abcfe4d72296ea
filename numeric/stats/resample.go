package stats

import (
	"errors"
	"fmt"
	"math"
)

// Jackknife is the leave-one-out jackknife (Efron and Tibshirani 1993, ch. 11) of stat applied to
// the column means of per, where per[i] is replicate i's values (for example one network's):
// Mean is stat at the full means, SE = sqrt((k-1)/k sum_i (s_(i) - s_(.))^2) over the k
// leave-one-out values s_(i) = stat(means without row i), N = k (the t-test's dof + 1), Skewness
// that of the pseudo-values k s - (k-1) s_(i). Units: those of stat. stat is handed one reused
// slice and must not keep it. Errors: a nil stat, fewer than 3 rows, rows empty or of unequal
// lengths, a value not finite, an error of stat (returned), an estimate or SE not finite.
func Jackknife(per [][]float64, stat func(means []float64) (float64, error)) (Estimate, error) {
	if stat == nil {
		return Estimate{}, errors.New("stats: Jackknife needs a statistic")
	}
	if err := checkRows(per, 3); err != nil {
		return Estimate{}, err
	}
	k, m := len(per), len(per[0])
	sum := make([]float64, m)
	for _, row := range per {
		for j, v := range row {
			sum[j] += v
		}
	}
	means := make([]float64, m)
	for j := range m {
		if means[j] = sum[j] / float64(k); !isFinite(sum[j]) {
			return Estimate{}, fmt.Errorf("stats: the sum of column %d overflows float64", j)
		}
	}
	full, err := stat(means)
	if err != nil {
		return Estimate{}, err
	}
	loo := make([]float64, k)
	var avg float64
	for i, row := range per {
		for j := range m {
			if means[j] = (sum[j] - row[j]) / float64(k-1); !isFinite(means[j]) {
				return Estimate{}, fmt.Errorf("stats: column %d's sum without row %d overflows float64", j, i)
			}
		}
		if loo[i], err = stat(means); err != nil {
			return Estimate{}, err
		}
		avg += loo[i] / float64(k)
	}
	return jackknifeEstimate(full, loo, avg, k)
}

// jackknifeEstimate is the jackknife estimate from the full statistic, the k leave-one-out values
// and their mean: SE and the pseudo-values' skewness, N = k.
func jackknifeEstimate(full float64, loo []float64, avg float64, k int) (Estimate, error) {
	var ss float64
	var pseudo Moments
	for _, v := range loo {
		d := v - avg
		ss += d * d
		pseudo.Add(float64(k)*full - float64(k-1)*v)
	}
	se := math.Sqrt(ss * float64(k-1) / float64(k))
	return finiteEstimate(Estimate{Mean: full, SE: se, Skewness: pseudo.Skewness(), N: k})
}

// JackknifeRows is Jackknife for a statistic of the rows themselves (not only of their column
// means), with fitted coefficients estimated from them: Mean is stat of all rows, SE the
// leave-one-out jackknife standard error, N the number of rows less fitted (so that a t-test's
// dof, N - 1, pays for the coefficients), Skewness that of the jackknife pseudo-values
// k s - (k-1) s_(i) (each row's influence). Units: those of stat. stat is handed one reused
// slice of rows and must not keep it. Errors: a nil stat, fitted < 0,
// fewer than fitted + 3 rows, rows empty or of unequal lengths, a value not finite, an error of
// stat (returned), an estimate or SE not finite.
func JackknifeRows(per [][]float64, fitted int, stat func(rows [][]float64) (float64, error)) (Estimate, error) {
	if stat == nil {
		return Estimate{}, errors.New("stats: JackknifeRows needs a statistic")
	}
	if fitted < 0 || fitted > math.MaxInt-3 {
		return Estimate{}, fmt.Errorf("stats: %d fitted coefficients", fitted)
	}
	if err := checkRows(per, fitted+3); err != nil {
		return Estimate{}, err
	}
	k := len(per)
	full, err := stat(per)
	if err != nil {
		return Estimate{}, err
	}
	loo := make([]float64, k)
	rest := make([][]float64, 0, k-1)
	var avg float64
	for i := range per {
		rest = append(append(rest[:0], per[:i]...), per[i+1:]...)
		if loo[i], err = stat(rest); err != nil {
			return Estimate{}, err
		}
		avg += loo[i] / float64(k)
	}
	e, err := jackknifeEstimate(full, loo, avg, k)
	e.N -= fitted
	return e, err
}

// ControlVariateMean is the regression control-variate estimate of the mean of column x of rows
// from the columns ctl, each of exactly zero mean (Glasserman 2004, sec. 4.1):
// mean(x) - beta . mean(z), beta the least-squares coefficients of x on z (centred). A control
// that is constant over the rows is left out. Units: those of column x. Errors: rows empty, of
// unequal lengths or with a value not finite, x or a control out of range, x among the controls,
// fewer rows than live controls + 2, a singular covariance of the controls.
func ControlVariateMean(rows [][]float64, x int, ctl []int) (float64, error) {
	if err := checkRows(rows, 1); err != nil {
		return 0, err
	}
	m := len(rows[0])
	if x < 0 || x >= m {
		return 0, fmt.Errorf("stats: column %d of rows of %d", x, m)
	}
	var live []int
	for _, j := range ctl {
		if j < 0 || j >= m || j == x {
			return 0, fmt.Errorf("stats: control column %d (rows of %d, estimated column %d)", j, m, x)
		}
		for _, r := range rows {
			if r[j] != rows[0][j] {
				live = append(live, j)
				break
			}
		}
	}
	ctl = live
	n, k := float64(len(rows)), len(ctl)
	if len(rows) < k+2 {
		return 0, fmt.Errorf("stats: %d rows for %d control variates", len(rows), k)
	}
	mx, mz := 0.0, make([]float64, k)
	for _, r := range rows {
		mx += r[x] / n
		for a, j := range ctl {
			mz[a] += r[j] / n
		}
	}
	szz := make([][]float64, k) // k x (k+1): the covariance of z, then cov(z, x)
	for a := range szz {
		szz[a] = make([]float64, k+1)
	}
	dz := make([]float64, k) // one row's centred controls
	for _, r := range rows {
		for a, j := range ctl {
			dz[a] = r[j] - mz[a]
		}
		dx := r[x] - mx
		for a := range ctl {
			for b := range ctl {
				szz[a][b] += dz[a] * dz[b]
			}
			szz[a][k] += dz[a] * dx
		}
	}
	beta, err := solveAugmented(szz)
	if err != nil {
		return 0, err
	}
	out := mx
	for a := range k {
		out -= beta[a] * mz[a]
	}
	if math.IsNaN(out) || math.IsInf(out, 0) {
		return 0, fmt.Errorf("stats: the control-variate mean %v is not finite", out)
	}
	return out, nil
}

// solveAugmented solves the k x k system in the augmented matrix a (k x (k+1)), a covariance
// matrix with its right-hand side, by Gaussian elimination without pivoting, in place: a
// covariance is symmetric positive semi-definite, so elimination in order is stable, and the pivot
// of column c is then exactly control c's residual sum of squares after regressing it on controls
// 0..c-1. Errors: an entry not finite (the covariance overflows), and a pivot not above 1e-12 of
// its column's own diagonal entry: the control's residual variance is below 1e-12 of its variance
// (collinear controls; the criterion does not depend on the controls' units or order).
func solveAugmented(a [][]float64) ([]float64, error) {
	k := len(a)
	diag := make([]float64, k)
	for i := range k {
		for _, v := range a[i] {
			if !isFinite(v) {
				return nil, errors.New("stats: the control-variate covariance overflows float64")
			}
		}
		diag[i] = a[i][i]
	}
	for col := range k {
		if !(a[col][col] > 1e-12*diag[col]) {
			return nil, fmt.Errorf("stats: control %d is collinear with the earlier ones (singular control-variate covariance)", col)
		}
		for r := col + 1; r < k; r++ {
			f := a[r][col] / a[col][col]
			for j := col; j <= k; j++ {
				a[r][j] -= f * a[col][j]
			}
		}
	}
	x := make([]float64, k)
	for i := k - 1; i >= 0; i-- {
		s := a[i][k]
		for j := i + 1; j < k; j++ {
			s -= a[i][j] * x[j]
		}
		x[i] = s / a[i][i]
	}
	return x, nil
}

// Slope is the least-squares slope of ys on xs, sum (x - mean x)(y - mean y) / sum (x - mean x)^2.
// Units: those of y per unit of x. Errors: lengths unequal or below 2, a value not finite, xs all
// equal, a slope not finite.
func Slope(xs, ys []float64) (float64, error) {
	if len(xs) != len(ys) || len(xs) < 2 {
		return 0, fmt.Errorf("stats: a slope of %d values on %d", len(ys), len(xs))
	}
	var mx, my float64
	for i := range xs {
		if !isFinite(xs[i]) || !isFinite(ys[i]) {
			return 0, fmt.Errorf("stats: point %d (%v, %v) is not finite", i, xs[i], ys[i])
		}
		mx += xs[i] / float64(len(xs))
		my += ys[i] / float64(len(ys))
	}
	flat := true
	for _, x := range xs {
		flat = flat && x == xs[0]
	}
	if flat {
		return 0, fmt.Errorf("stats: every x is %v: no slope", xs[0])
	}
	var sxy, sxx float64
	for i := range xs {
		dx := xs[i] - mx
		sxy += dx * (ys[i] - my)
		sxx += dx * dx
	}
	s := sxy / sxx
	if !(sxx > 0) || !isFinite(sxx) || !isFinite(sxy) || !isFinite(s) {
		return 0, fmt.Errorf("stats: no finite slope (x spread %v, covariance %v)", sxx, sxy)
	}
	return s, nil
}

// IndexSlope is Slope of ys on their indices 0, 1, ..., len(ys)-1.
func IndexSlope(ys []float64) (float64, error) {
	xs := make([]float64, len(ys))
	for i := range xs {
		xs[i] = float64(i)
	}
	return Slope(xs, ys)
}

// checkRows returns an error unless rows has at least least rows, all of one non-zero length, with
// every value finite.
func checkRows(rows [][]float64, least int) error {
	if len(rows) < least {
		return fmt.Errorf("stats: %d rows; at least %d needed", len(rows), least)
	}
	m := len(rows[0])
	if m == 0 {
		return errors.New("stats: empty rows")
	}
	for i, r := range rows {
		if len(r) != m {
			return fmt.Errorf("stats: row %d has %d values, row 0 has %d", i, len(r), m)
		}
		for j, v := range r {
			if !isFinite(v) {
				return fmt.Errorf("stats: value [%d][%d] = %v is not finite", i, j, v)
			}
		}
	}
	return nil
}

// finiteEstimate returns e, or an error when its mean or SE is not finite.
func finiteEstimate(e Estimate) (Estimate, error) {
	if !isFinite(e.Mean) || !isFinite(e.SE) {
		return Estimate{}, fmt.Errorf("stats: the jackknife estimate %v (SE %v) is not finite", e.Mean, e.SE)
	}
	return e, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
