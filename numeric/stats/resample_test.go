package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// rowsGen draws k x m rows of moderate values.
func rowsGen(k, m int) *rapid.Generator[[][]float64] {
	return rapid.Custom(func(t *rapid.T) [][]float64 {
		rows := make([][]float64, k)
		for i := range rows {
			rows[i] = rapid.SliceOfN(rapid.Float64Range(-100, 100), m, m).Draw(t, "row")
		}
		return rows
	})
}

// TestJackknifeOfMean: for the mean, the jackknife SE is exactly the classical s / sqrt(k)
// (Efron and Tibshirani 1993, eq. 11.6), and JackknifeRows of the same statistic agrees.
func TestJackknifeOfMean(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(3, 40).Draw(t, "k")
		rows := rowsGen(k, 2).Draw(t, "rows")
		mean := func(means []float64) (float64, error) { return means[1], nil }
		got, err := Jackknife(rows, mean)
		if err != nil {
			t.Fatal(err)
		}
		var m Moments
		for _, r := range rows {
			m.Add(r[1])
		}
		if se := math.Sqrt(m.Variance() / float64(k)); math.Abs(got.SE-se) > 1e-9*(se+1e-12) || math.Abs(got.Mean-m.Mean()) > 1e-12*(math.Abs(m.Mean())+1) || got.N != k {
			t.Fatalf("jackknife %+v, want mean %v SE %v N %d", got, m.Mean(), se, k)
		}
		byRows, err := JackknifeRows(rows, 0, func(rs [][]float64) (float64, error) {
			s := 0.0
			for _, r := range rs {
				s += r[1]
			}
			return s / float64(len(rs)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(byRows.SE-got.SE) > 1e-9*(got.SE+1e-12) || byRows.N != k || math.Abs(byRows.Mean-m.Mean()) > 1e-12*(math.Abs(m.Mean())+1) {
			t.Fatalf("JackknifeRows %+v, Jackknife %+v", byRows, got)
		}
		// For the mean, the pseudo-values k s - (k-1) s_(i) are the data themselves.
		if sk := m.Skewness(); m.Variance() > 1e-6 && math.Abs(byRows.Skewness-sk) > 1e-6*(1+math.Abs(sk)) {
			t.Fatalf("JackknifeRows skewness %v, the data's %v", byRows.Skewness, sk)
		}
		if fitted := rapid.IntRange(0, k-3).Draw(t, "fitted"); fitted > 0 {
			e, err := JackknifeRows(rows, fitted, func(rs [][]float64) (float64, error) { return float64(len(rs)), nil })
			if err != nil || e.N != k-fitted {
				t.Fatalf("fitted %d: N %d, err %v", fitted, e.N, err)
			}
		}
	})
}

// TestControlVariateMean: controls that carry all of x's noise give x's true mean exactly, with
// one control and with two correlated ones (the multi-control solve); a constant control is left
// out (the plain mean); with one control the estimate is the closed form mean(x) - (Sxz/Szz)
// mean(z); collinear controls are an error whatever their units, independent ones of very
// different units are not.
func TestControlVariateMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, mu = 200, 3.5
	rows := make([][]float64, n)
	for i := range rows {
		z1, z2 := rng.NormFloat64(), rng.NormFloat64()
		rows[i] = []float64{mu + 2*z1, z1, 7, z1 + 0.1*rng.NormFloat64(), mu + 2*z1 - 3*z2, z2 + 0.5*z1, 1e4 * z2, 1e-3 * rng.NormFloat64()}
	}
	col := func(j int) []float64 {
		c := make([]float64, n)
		for i, r := range rows {
			c[i] = r[j]
		}
		return c
	}
	mean := func(c []float64) float64 {
		s := 0.0
		for _, v := range c {
			s += v / n
		}
		return s
	}
	for _, c := range []struct {
		x   int
		ctl []int
	}{{0, []int{1}}, {4, []int{1, 5}}, {4, []int{5, 1}}, {4, []int{1, 6}}} {
		if got, err := ControlVariateMean(rows, c.x, c.ctl); err != nil || math.Abs(got-mu) > 1e-12*mu {
			t.Errorf("x %d, controls %v carrying all the noise: %v, %v; want %v", c.x, c.ctl, got, err, mu)
		}
	}
	if got, err := ControlVariateMean(rows, 0, []int{2}); err != nil || got != mean(col(0)) {
		t.Errorf("constant control: %v, %v; want the plain mean %v", got, err, mean(col(0)))
	}
	x, z := col(0), col(3)
	mx, mz := mean(x), mean(z)
	var sxz, szz float64
	for i := range x {
		sxz += (x[i] - mx) * (z[i] - mz)
		szz += (z[i] - mz) * (z[i] - mz)
	}
	want := mx - sxz/szz*mz
	if got, err := ControlVariateMean(rows, 0, []int{3}); err != nil || math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("one noisy control: %v, %v; closed form %v", got, err, want)
	}
	for i := range rows {
		rows[i] = append(rows[i], rows[i][6]*(1+1e-9*rng.NormFloat64()))
	}
	if _, err := ControlVariateMean(rows, 0, []int{1, 3, 1}); err == nil {
		t.Error("a repeated control: no singular-covariance error")
	}
	if _, err := ControlVariateMean(rows, 0, []int{6, 8}); err == nil {
		t.Error("two controls equal to 1e-9 (sd 1e4: the residual variance is 1e-18 of theirs): no singular-covariance error")
	}
	if _, err := ControlVariateMean(rows, 0, []int{6, 7}); err != nil {
		t.Errorf("independent controls of sd 1e4 and 1e-3: %v", err)
	}
	// Correlated controls of different units (sd 1 and 1e8, rho = 0.99999: a residual variance of
	// 2e-5 of theirs) are accepted in either order with the same estimate; so is a pair whose
	// residual variance is 1e-10 of theirs (above the 1e-12 threshold).
	for i := range rows {
		a := rows[i][1]
		rows[i] = append(rows[i], 1e8*(0.99999*a+math.Sqrt(1-0.99999*0.99999)*rng.NormFloat64()), a*(1+1e-5*rng.NormFloat64()))
	}
	ab, err1 := ControlVariateMean(rows, 0, []int{1, 9})
	ba, err2 := ControlVariateMean(rows, 0, []int{9, 1})
	if err1 != nil || err2 != nil || math.Abs(ab-ba) > 1e-9*math.Abs(ab) {
		t.Errorf("controls of sd 1 and 1e8, rho 0.99999: %v (%v) in one order, %v (%v) in the other", ab, err1, ba, err2)
	}
	if _, err := ControlVariateMean(rows, 0, []int{1, 10}); err != nil {
		t.Errorf("a pair collinear to 1e-5 (residual 1e-10 of the variance): %v", err)
	}
}

// TestSlope: an exact line's slope, IndexSlope against Slope on 0, 1, ..., and the errors.
func TestSlope(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 50).Draw(t, "n")
		a, b := rapid.Float64Range(-10, 10).Draw(t, "a"), rapid.Float64Range(-10, 10).Draw(t, "b")
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i] = float64(i)
			ys[i] = a + b*xs[i]
		}
		s, err := Slope(xs, ys)
		if err != nil || math.Abs(s-b) > 1e-10*(math.Abs(a)+math.Abs(b)+1) {
			t.Fatalf("slope %v (%v), want %v", s, err, b)
		}
		// Independent of Slope: on t = 0..n-1 the slope is 12 sum (t - (n-1)/2) y_t / (n (n^2 - 1)).
		noisy := make([]float64, n)
		var num float64
		for i := range noisy {
			noisy[i] = ys[i] + rapid.Float64Range(-1, 1).Draw(t, "noise")
			num += (float64(i) - float64(n-1)/2) * noisy[i]
		}
		closed := 12 * num / (float64(n) * (float64(n)*float64(n) - 1))
		if s2, err := IndexSlope(noisy); err != nil || math.Abs(s2-closed) > 1e-10*(math.Abs(closed)+10) {
			t.Fatalf("IndexSlope %v (%v), closed form %v", s2, err, closed)
		}
	})
}

// TestResampleErrors: every documented error is returned, with no panic.
func TestResampleErrors(t *testing.T) {
	ok := func(means []float64) (float64, error) { return means[0], nil }
	okRows := func(rows [][]float64) (float64, error) { return rows[0][0], nil }
	three := [][]float64{{1}, {2}, {3}}
	for name, err := range map[string]error{
		"nil stat":          second(Jackknife(three, nil)),
		"two rows":          second(Jackknife(three[:2], ok)),
		"ragged":            second(Jackknife([][]float64{{1}, {2, 3}, {4}}, ok)),
		"empty rows":        second(Jackknife([][]float64{{}, {}, {}}, ok)),
		"NaN":               second(Jackknife([][]float64{{1}, {math.NaN()}, {3}}, ok)),
		"infinite stat":     second(Jackknife(three, func([]float64) (float64, error) { return math.Inf(1), nil })),
		"rows nil stat":     second(JackknifeRows(three, 0, nil)),
		"negative fitted":   second(JackknifeRows(three, -1, okRows)),
		"huge fitted":       second(JackknifeRows(three, math.MaxInt, okRows)),
		"too few for fit":   second(JackknifeRows(three, 1, okRows)),
		"cv no rows":        second(ControlVariateMean(nil, 0, nil)),
		"cv column":         second(ControlVariateMean(three, 1, nil)),
		"cv negative":       second(ControlVariateMean(three, -1, nil)),
		"cv control range":  second(ControlVariateMean(three, 0, []int{5})),
		"cv x is a control": second(ControlVariateMean([][]float64{{1, 0}, {2, 1}, {3, 0}}, 0, []int{0})),
		"cv too few rows":   second(ControlVariateMean([][]float64{{1, 0}, {2, 1}}, 0, []int{1})),
		"slope lengths":     second(Slope([]float64{1, 2}, []float64{1})),
		"slope one point":   second(Slope([]float64{1}, []float64{1})),
		"slope flat x":      second(Slope([]float64{1, 1}, []float64{1, 2})),
		"slope NaN":         second(Slope([]float64{1, 2}, []float64{1, math.NaN()})),
		"slope overflow":    second(Slope([]float64{0, 1e-300}, []float64{-1e300, 1e300})),
		"slope x spread":    second(Slope([]float64{-1e200, 1e200}, []float64{0, 1})),
		"slope equal xs":    second(Slope([]float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, []float64{0.37, 0.47, 0.77, 1.27, 1.97, 2.87})),
		"sums overflow":     second(Jackknife([][]float64{{1e308}, {1e308}, {1e308}}, ok)),
		"left-out overflow": second(Jackknife([][]float64{{1.5e308}, {-1.5e308}, {1.5e308}}, ok)),
		"cv overflow":       second(ControlVariateMean([][]float64{{1, 1e200}, {2, -1e200}, {3, 1e200}}, 0, []int{1})),
		"index slope short": second(IndexSlope([]float64{1})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// FuzzJackknife: any rows and fitted count give an error or a finite estimate, never a panic.
func FuzzJackknife(f *testing.F) {
	f.Add(1.0, 2.0, 3.0, 4.0, 0, 4)
	f.Add(1.0, math.NaN(), 3.0, 4.0, 1, 3)
	f.Add(1e308, 1e308, -1e308, 4.0, 0, 4)
	f.Add(0.0, 0.0, 0.0, 0.0, -1, 4)
	f.Fuzz(func(t *testing.T, a, b, c, d float64, fitted, k int) {
		vals := []float64{a, b, c, d}
		k = min(max(k, 0), 4)
		rows := make([][]float64, k)
		for i := range rows {
			rows[i] = []float64{vals[i], vals[(i+1)%4]}
		}
		e, err := Jackknife(rows, func(m []float64) (float64, error) { return m[0] - m[1], nil })
		if err == nil && (!isFinite(e.Mean) || !isFinite(e.SE)) {
			t.Fatalf("Jackknife returned %+v without an error", e)
		}
		e, err = JackknifeRows(rows, fitted, func(rs [][]float64) (float64, error) { return rs[0][0] * rs[len(rs)-1][1], nil })
		if err == nil && (!isFinite(e.Mean) || !isFinite(e.SE)) {
			t.Fatalf("JackknifeRows returned %+v without an error", e)
		}
		m, err := ControlVariateMean(rows, fitted, []int{1 - fitted})
		if err == nil && !isFinite(m) {
			t.Fatalf("ControlVariateMean returned %v without an error", m)
		}
		s, err := Slope(vals[:k], []float64{d, c, b, a}[:k])
		if err == nil && !isFinite(s) {
			t.Fatalf("Slope returned %v without an error", s)
		}
	})
}

// FuzzSlope: any points give an error or a finite slope, never a panic; IndexSlope likewise.
func FuzzSlope(f *testing.F) {
	f.Add(0.0, 1.0, 2.0, 1.0, 2.0, 3.0)
	f.Add(0.1, 0.1, 0.1, 1.0, 2.0, 3.0)
	f.Add(-1e200, 1e200, 0.0, 0.0, 1.0, 2.0)
	f.Add(math.NaN(), 1.0, 2.0, 1.0, 2.0, 3.0)
	f.Fuzz(func(t *testing.T, x0, x1, x2, y0, y1, y2 float64) {
		if s, err := Slope([]float64{x0, x1, x2}, []float64{y0, y1, y2}); err == nil && !isFinite(s) {
			t.Fatalf("Slope = %v without an error", s)
		}
		if s, err := IndexSlope([]float64{y0, y1, y2}); err == nil && !isFinite(s) {
			t.Fatalf("IndexSlope = %v without an error", s)
		}
	})
}

// TestJackknifeByHand: for statistics that are not linear in the means (where the leave-one-out
// spread depends on each left-out row, not only on their mean), Jackknife and JackknifeRows agree
// with the jackknife recomputed from scratch: every leave-one-out value from its own sums, SE
// sqrt((k-1)/k sum (s_(i) - mean)^2), pseudo-values k s - (k-1) s_(i) and their skewness.
func TestJackknifeByHand(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(3, 12).Draw(t, "k")
		rows := rowsGen(k, 2).Draw(t, "rows")
		f := func(a, b float64) float64 { return a*b + a*a*a/(1+b*b) }
		meanOf := func(rs [][]float64, j int) float64 {
			s := 0.0
			for _, r := range rs {
				s += r[j]
			}
			return s / float64(len(rs))
		}
		byRows := func(rs [][]float64) (float64, error) { return f(meanOf(rs, 0), meanOf(rs, 1)), nil }
		full, _ := byRows(rows)
		loo := make([]float64, k)
		var avg float64
		for i := range rows {
			var rest [][]float64
			for j, r := range rows {
				if j != i {
					rest = append(rest, r)
				}
			}
			loo[i], _ = byRows(rest)
			avg += loo[i] / float64(k)
		}
		var ss float64
		var pseudo Moments
		for _, v := range loo {
			ss += (v - avg) * (v - avg)
			pseudo.Add(float64(k)*full - float64(k-1)*v)
		}
		se := math.Sqrt(ss * float64(k-1) / float64(k))
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*(math.Abs(b)+1) }
		got, err := Jackknife(rows, func(m []float64) (float64, error) { return f(m[0], m[1]), nil })
		sk := pseudo.Skewness()
		if err != nil || !close(got.Mean, full) || !close(got.SE, se) || got.N != k || !(math.Abs(got.Skewness-sk) <= 1e-6*(math.Abs(sk)+1)) {
			t.Fatalf("Jackknife %+v (%v), by hand mean %v SE %v skewness %v", got, err, full, se, sk)
		}
		fitted := rapid.IntRange(0, k-3).Draw(t, "fitted")
		got, err = JackknifeRows(rows, fitted, byRows)
		if err != nil || !close(got.Mean, full) || !close(got.SE, se) || got.N != k-fitted || !(math.Abs(got.Skewness-sk) <= 1e-6*(math.Abs(sk)+1)) {
			t.Fatalf("JackknifeRows %+v (%v), by hand mean %v SE %v skewness %v N %d", got, err, full, se, sk, k-fitted)
		}
	})
}

// TestControlVariateBounds: the smallest valid cases work (k + 2 rows for k controls; the last
// column as a control) and the first invalid ones are errors (k + 1 rows; a control one past the
// last column).
func TestControlVariateBounds(t *testing.T) {
	rows := [][]float64{{1, 0.5, 2}, {2, -0.5, 1}, {4, 0.1, 3}, {3, 0.3, -1}}
	if _, err := ControlVariateMean(rows, 0, []int{1, 2}); err != nil {
		t.Errorf("4 rows, 2 controls: %v", err)
	}
	if _, err := ControlVariateMean(rows[:3], 0, []int{1, 2}); err == nil {
		t.Error("3 rows, 2 controls: no error")
	}
	if _, err := ControlVariateMean(rows, 0, []int{3}); err == nil {
		t.Error("control column 3 of 3: no error")
	}
	if _, err := ControlVariateMean(rows, 1, []int{0, 2}); err != nil {
		t.Errorf("column 0 as a control: %v", err)
	}
}
