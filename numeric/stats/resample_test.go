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
		if math.Abs(byRows.SE-got.SE) > 1e-9*(got.SE+1e-12) || byRows.N != k {
			t.Fatalf("JackknifeRows %+v, Jackknife %+v", byRows, got)
		}
		if fitted := rapid.IntRange(0, k-3).Draw(t, "fitted"); fitted > 0 {
			e, err := JackknifeRows(rows, fitted, func(rs [][]float64) (float64, error) { return float64(len(rs)), nil })
			if err != nil || e.N != k-fitted {
				t.Fatalf("fitted %d: N %d, err %v", fitted, e.N, err)
			}
		}
	})
}

// TestControlVariateMean: a control that carries all of x's noise gives x's true mean exactly;
// controls that are constant are left out (the plain mean); an independent noisy control leaves
// an unbiased estimate whose error shrinks with the correlation.
func TestControlVariateMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, mu = 200, 3.5
	rows := make([][]float64, n)
	for i := range rows {
		z := rng.NormFloat64()
		rows[i] = []float64{mu + 2*z, z, 7, z + 0.1*rng.NormFloat64()}
	}
	got, err := ControlVariateMean(rows, 0, []int{1})
	if err != nil || math.Abs(got-mu) > 1e-12 {
		t.Errorf("perfect control: %v, %v; want %v", got, err, mu)
	}
	plain := 0.0
	for _, r := range rows {
		plain += r[0] / n
	}
	if got, err := ControlVariateMean(rows, 0, []int{2}); err != nil || got != plain {
		t.Errorf("constant control: %v, %v; want the plain mean %v", got, err, plain)
	}
	if got, err := ControlVariateMean(rows, 0, []int{3}); err != nil || math.Abs(got-mu) > 0.1*math.Abs(plain-mu)+0.05 {
		t.Errorf("a control correlated 0.995: %v (plain %v), %v", got, plain, err)
	}
	if _, err := ControlVariateMean(rows, 0, []int{1, 3, 1}); err == nil {
		t.Error("a repeated control: no singular-covariance error")
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
		if s2, err := IndexSlope(ys); err != nil || s2 != s {
			t.Fatalf("IndexSlope %v (%v), Slope %v", s2, err, s)
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
