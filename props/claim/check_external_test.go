package claim_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
	"gonum.org/v1/gonum/stat/distuv"
	"pgregory.net/rapid"
)

func TestBudget(t *testing.T) {
	if z := claim.Z(); math.Abs(z-6.467) > 1e-3 {
		t.Fatalf("Z = %v, want 6.467 for a 1e-6 budget over 1e4 comparisons", z)
	}
	prev := math.Inf(1)
	for _, dof := range []int{2, 5, 30, 100, 1000, 9999, 10000, 1e5, 1e7} {
		c := claim.Critical(dof)
		if !(c >= claim.Z()) || c > prev+1e-4 {
			t.Fatalf("Critical(%d) = %v: must be >= Z and non-increasing in dof (previous %v)", dof, c, prev)
		}
		prev = c
	}
	if !math.IsInf(claim.Critical(0), 1) {
		t.Fatal("a standard error with no degrees of freedom must never pass")
	}
}

// TestCriticalIsTQuantile: at small dof the critical value is the Student-t quantile at
// 1 - PerComparison/2, and at dof = 1e4 the expansion agrees with the normal-based value to 1e-5.
func TestCriticalIsTQuantile(t *testing.T) {
	for _, dof := range []int{1, 2, 3, 5, 10, 30, 100} {
		want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(1 - claim.PerComparison/2)
		if got := claim.Critical(dof); got != want {
			t.Errorf("Critical(%d) = %v, want the t quantile %v", dof, got, want)
		}
		// The t tail beyond the critical value is the per-comparison share.
		tail := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}
		if p := 2 * tail.Survival(claim.Critical(dof)); math.Abs(p/claim.PerComparison-1) > 1e-6 {
			t.Errorf("dof %d: two-sided tail %v, want %v", dof, p, claim.PerComparison)
		}
	}
	if d := math.Abs(claim.Critical(10000) - 6.473870); d > 2e-5 {
		t.Errorf("Critical(1e4) is %v from the t quantile", d)
	}
}

func TestMeanCheckMessageAndPower(t *testing.T) {
	est := stats.Estimate{Mean: 1.5, SE: 0.1, N: 1000}
	r := claim.MeanCheck("case", est, 1, 42) // 5 SE: inside the budget's bound of ~6.5
	if !r.Pass || math.Abs(r.Measured-5) > 1e-12 {
		t.Fatalf("5 standard errors rejected at z ~ 6.5: %s", r)
	}
	if want := claim.Critical(999) * 0.1 / 1; math.Abs(r.MDE-want) > 1e-15 {
		t.Fatalf("MDE %v, want t SE / |exact| = %v", r.MDE, want)
	}
	for _, want := range []string{"estimate 1.5", "exact 1", "SE 0.1", "seed 42", "|z| 5", "detects"} {
		if !strings.Contains(r.String(), want) {
			t.Errorf("message %q lacks %q", r.String(), want)
		}
	}
	if r := claim.MeanCheck("case", est, 0.5, 1); r.Pass {
		t.Fatalf("10 standard errors accepted: %s", r)
	}
	if r := claim.MeanCheck("exact", stats.Estimate{Mean: 0, SE: 0, N: 10}, 0, 1); !r.Pass || !math.IsInf(r.MDE, 1) {
		t.Fatalf("an exact zero estimate of zero: %s (MDE %v, want +Inf relative to 0)", r, r.MDE)
	}
	for _, bad := range []stats.Estimate{{Mean: math.NaN(), SE: 1, N: 10}, {Mean: 0, SE: math.NaN(), N: 10}} {
		if r := claim.MeanCheck("nan", bad, 0, 1); r.Pass {
			t.Fatalf("a NaN estimate accepted: %s", r)
		}
	}
	if r := claim.MeanCheck("no samples", stats.Estimate{}, 0, 1); r.Pass || !r.IsError() {
		t.Fatalf("an empty estimate passed: %s", r)
	}
	if r := claim.MeanCheckWithin("infinite roundoff", est, 100, math.Inf(1), 1); r.Pass {
		t.Fatalf("an infinite roundoff passed: %s", r)
	}
	if r := claim.RelCheck("negative scale", 2, 1, -1, 1e-12); r.Pass {
		t.Fatalf("a negative scale passed: %s", r)
	}
	if r := claim.MeanCheck("nan exact", est, math.NaN(), 1); r.Pass {
		t.Fatalf("a NaN exact value accepted: %s", r)
	}
}

// TestChecksCalibrated draws normal samples of a known mean and checks the helpers accept it and
// reject a shift of twice their stated detectable error (the power controls rely on this).
func TestChecksCalibrated(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		rng := rand.New(rand.NewPCG(seed, 0))
		xs := make([]float64, 4096)
		ys := make([]float64, 4096)
		for i := range xs {
			xs[i], ys[i] = 2+rng.NormFloat64(), 2+rng.NormFloat64()
		}
		a, err1 := stats.FromSample(xs, 64)
		b, err2 := stats.FromSample(ys, 64)
		if err := claim.FirstErr(err1, err2); err != nil {
			t.Fatal(err)
		}
		mean, robust := claim.MeanCheck("mean", a, 2, seed), claim.RobustCheck("robust", a, 2, 1, 0, seed)
		diff := claim.DiffCheck("diff", a, b, seed)
		for _, r := range []claim.Result{mean, robust, diff} {
			if !r.Pass {
				t.Fatalf("true value rejected: %s", r)
			}
		}
		for _, r := range []claim.Result{
			claim.MeanCheck("x(1+2 MDE)", a, 2*(1+2*mean.MDE), seed),
			claim.RobustCheck("robust x(1+2 MDE)", a, 2*(1+2*robust.MDE), 1, 0, seed),
		} {
			if r.Pass {
				t.Fatalf("twice the detectable error accepted: %s", r)
			}
		}
		shifted := b
		shifted.Mean += 2 * diff.MDE * math.Max(math.Abs(a.Mean), math.Abs(b.Mean))
		if r := claim.DiffCheck("shifted diff", a, shifted, seed); r.Pass {
			t.Fatalf("twice the detectable difference accepted: %s", r)
		}
	})
}

// TestNormalApproxOK: a Gaussian sample passes; a rare-event sample (Bernoulli(1e-3), n = 1e5,
// skewness 31.6) does not, nor does a degenerate one.
func TestNormalApproxOK(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gauss, rare := make([]float64, 100000), make([]float64, 100000)
	for i := range gauss {
		gauss[i] = rng.NormFloat64()
		if rng.Float64() < 1e-3 {
			rare[i] = 1
		}
	}
	g, err1 := stats.FromSample(gauss, 64)
	r, err2 := stats.FromSample(rare, 64)
	if err := claim.FirstErr(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !claim.NormalApproxOK(g) {
		t.Errorf("a Gaussian sample (skewness %.3g) fails the normal approximation", g.Skewness)
	}
	if claim.NormalApproxOK(r) {
		t.Errorf("a Bernoulli(1e-3) sample (skewness %.3g) passes the normal approximation", r.Skewness)
	}
	if claim.NormalApproxOK(stats.Estimate{N: 1}) || claim.NormalApproxOK(stats.Estimate{N: 100, Skewness: math.NaN()}) {
		t.Error("a degenerate estimate passes the normal approximation")
	}
}

// TestRobustRadius: RobustCheck's radius is the median-of-means radius at the per-comparison
// budget, and its MDE is that radius over |exact|.
func TestRobustRadius(t *testing.T) {
	xs := make([]float64, 64*100)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range xs {
		xs[i] = 5 + rng.NormFloat64()
	}
	est, err := stats.FromSample(xs, 64)
	if err != nil {
		t.Fatal(err)
	}
	want, err := stats.MedianOfMeansRadius(64, 100, 1.5, claim.PerComparison)
	if err != nil {
		t.Fatal(err)
	}
	r := claim.RobustCheck("robust", est, 5, 1.5, 0, 1)
	if math.Abs(r.MDE*5-want) > 1e-12*want {
		t.Fatalf("RobustCheck radius %v, want the median-of-means radius %v at PerComparison", r.MDE*5, want)
	}
	if !strings.Contains(r.Detail, "radius") {
		t.Fatalf("detail %q does not state the radius", r.Detail)
	}
}

func TestShrinkCheck(t *testing.T) {
	small := stats.Estimate{Mean: -0.05, SE: 0.001, N: 1e6}
	large := stats.Estimate{Mean: 0.01, SE: 0.001, N: 1e6}
	if r := claim.ShrinkCheck("shrinks", small, large, 1); !r.Pass {
		t.Fatalf("a gap falling from 0.05 to 0.01 (28 SE) rejected: %s", r)
	}
	if r := claim.ShrinkCheck("grows", large, small, 1); r.Pass {
		t.Fatalf("a growing gap accepted: %s", r)
	}
	if r := claim.ShrinkCheck("same", small, small, 1); r.Pass {
		t.Fatalf("an unchanged gap accepted: %s", r)
	}
	exact := stats.Estimate{Mean: 0.1, SE: 0, N: 1e6}
	if r := claim.ShrinkCheck("exact shrink", exact, stats.Estimate{Mean: 0.05, N: 1e6}, 1); !r.Pass {
		t.Fatalf("an exact shrink rejected: %s", r)
	}
	if r := claim.ShrinkCheck("exact equal", exact, exact, 1); r.Pass {
		t.Fatalf("exactly equal gaps accepted: %s", r)
	}
}

func TestRelCheck(t *testing.T) {
	for _, c := range []struct {
		got, want, scale float64
		pass             bool
	}{
		{1 + 1e-13, 1, 1, true}, {1 + 1e-11, 1, 1, false}, {0, 0, 0, true}, {1e-300, 0, 0, false},
		{math.NaN(), 1, 1, false}, {1, math.NaN(), 1, false}, {1, 1, math.NaN(), false},
	} {
		if r := claim.RelCheck("x", c.got, c.want, c.scale, 1e-12); r.Pass != c.pass {
			t.Errorf("RelCheck(%v, %v, %v): %s", c.got, c.want, c.scale, r)
		}
	}
}

func TestResultVerdicts(t *testing.T) {
	s := claim.Skipped("DAE-9 Fashion-MNIST", "the data set is not installed")
	if s.Verdict() != "SKIP" || s.Pass || !strings.Contains(s.String(), "not installed") {
		t.Fatalf("skipped result %+v", s)
	}
	f := claim.Failed("x", errTest)
	if f.Verdict() != "FAIL" || !f.IsError() || f.Err != errTest || f.Rejected() {
		t.Fatalf("failed result %+v", f)
	}
	if r := claim.Check("c", 2, 1, "error: looks like one"); r.IsError() || !r.Rejected() {
		t.Fatalf("a check whose detail starts with \"error:\" counts as an error: %+v", r)
	}
	var o claim.Outcome
	o.AddFigure(claim.Figure{File: "a.png"}, nil)
	o.AddFigure(claim.Figure{File: "b.png"}, errTest)
	if len(o.Figures) != 1 || len(o.Results) != 1 || !o.Results[0].IsError() {
		t.Fatalf("AddFigure: %d figures, results %v", len(o.Figures), o.Results)
	}
	if r := claim.Check("c", math.NaN(), 1, ""); r.Pass {
		t.Fatal("a NaN passed an upper bound")
	}
	if r := claim.AtLeast("c", math.NaN(), 1, ""); r.Pass {
		t.Fatal("a NaN passed a lower bound")
	}
}

type testErr struct{}

func (testErr) Error() string { return "boom" }

var errTest = testErr{}

// TestPower: the power control runs the fresh check at 1 + 2 MDE; an honest SE rejects it, an SE
// understated a hundredfold lets a fresh estimate land anywhere (here: accepted). A deterministic
// row (MDE 0), an erring row and a nil fresh check have no power control.
func TestPower(t *testing.T) {
	row := claim.MeanCheck("mean", stats.Estimate{Mean: 10, SE: 0.01, N: 100000}, 10, 1)
	if !row.Pass || math.Abs(row.MDE-claim.Critical(99999)*0.001) > 1e-12 {
		t.Fatalf("row: %v", row)
	}
	// A fresh estimate of the same quantity, 1 SE off the truth.
	honest := func(f float64) claim.Result {
		return claim.MeanCheck("mean", stats.Estimate{Mean: 10.01, SE: 0.01, N: 100000}, 10*f, 2)
	}
	if p := claim.Power(row, honest); !p.Rejected() || !strings.Contains(p.Case, "power x(1 + 0.0") {
		t.Errorf("power control: %v", p)
	}
	// The SE the row states is 100 times too small: a fresh estimate lies 1.3 true SEs = 130 stated
	// ones away, here right on the wrong value.
	tiny := claim.MeanCheck("mean", stats.Estimate{Mean: 10, SE: 0.0001, N: 100000}, 10, 1)
	liar := func(f float64) claim.Result {
		return claim.MeanCheck("mean", stats.Estimate{Mean: 10 * (1 + 2*tiny.MDE), SE: 0.0001, N: 100000}, 10*f, 2)
	}
	if p := claim.Power(tiny, liar); p.Rejected() {
		t.Errorf("a fresh estimate at the wrong value must be accepted: %v", p)
	}
	exact := claim.RelCheck("exact", 10, 10, 10, 1e-12)
	if p := claim.Power(exact, honest); !p.IsError() {
		t.Errorf("a deterministic row has no power control, got %v", p)
	}
	if p := claim.Power(row, nil); !p.IsError() {
		t.Errorf("a nil fresh check: %v", p)
	}
	if p := claim.Power(claim.Failed("x", errors.New("boom")), honest); !p.IsError() {
		t.Errorf("an erring row: %v", p)
	}
}

// TestUpperCheck: one-sided, fails only on significant excess; refuses a bad standard error.
func TestUpperCheck(t *testing.T) {
	crit := claim.Critical(10)
	if r := claim.UpperCheck("x", -0.4, 0.1, -0.5, 10, ""); !r.Pass || math.Abs(r.Measured-1) > 1e-12 {
		t.Errorf("within one SE: %v", r)
	}
	if r := claim.UpperCheck("x", -0.5+1.01*crit*0.01, 0.01, -0.5, 10, ""); !r.Rejected() {
		t.Errorf("just past the critical value: %v", r)
	}
	if r := claim.UpperCheck("x", -3, 0.01, -0.5, 10, ""); !r.Pass {
		t.Errorf("far below the limit: %v", r)
	}
	for _, se := range []float64{-1, math.NaN(), math.Inf(1)} {
		if r := claim.UpperCheck("x", 0, se, 1, 10, ""); !r.IsError() {
			t.Errorf("se %v: %v", se, r)
		}
	}
	if r := claim.UpperCheck("x", 2, 0, 1, 10, ""); !r.Rejected() {
		t.Errorf("exact excess: %v", r)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		if r := claim.UpperCheck("x", v, 0.1, -0.5, 10, ""); !r.IsError() || r.Rejected() {
			t.Errorf("value %v: %v", v, r)
		}
		if r := claim.UpperCheck("x", 0, 0.1, v, 10, ""); !r.IsError() {
			t.Errorf("limit %v: %v", v, r)
		}
	}
	if r := claim.MeanCheck("nan", stats.Estimate{Mean: math.NaN(), SE: 1, N: 10}, 1, 1); r.Rejected() || r.Pass {
		t.Errorf("a NaN estimate is neither a pass nor a rejection: %v", r)
	}
}

// TestSelect: rows are picked by a part of their case name, in order.
func TestSelect(t *testing.T) {
	rs := []claim.Result{{Case: "a ratio"}, {Case: "b"}, {Case: "c ratio"}}
	got := claim.Select(rs, "ratio")
	if len(got) != 2 || got[0].Case != "a ratio" || got[1].Case != "c ratio" {
		t.Fatalf("Select = %v", got)
	}
	if got := claim.Select(rs, "none"); len(got) != 1 || !got[0].IsError() || got[0].Pass {
		t.Fatalf("Select of nothing = %v, want one Failed row", got)
	}
	stopped := claim.Failed("DAE-8 label", errors.New("diverged"))
	if got := claim.Select([]claim.Result{stopped}, "mode 2"); len(got) != 1 || got[0].Err == nil || got[0].Detail != stopped.Detail {
		t.Fatalf("Select dropped the error row: %v", got)
	}
	if got := claim.Only(append(rs, stopped)); got.Detail != stopped.Detail {
		t.Fatalf("Only = %v, want the error row", got)
	}
}

// TestOnly: the one row, or a failure for none or two.
func TestOnly(t *testing.T) {
	if r := claim.Only([]claim.Result{{Case: "x", Pass: true}}); r.Case != "x" || !r.Pass {
		t.Fatalf("Only = %v", r)
	}
	for _, rs := range [][]claim.Result{nil, {{Pass: true}, {Pass: true}}} {
		if r := claim.Only(rs); r.Pass || !r.IsError() {
			t.Fatalf("Only(%d rows) = %v", len(rs), r)
		}
	}
}
