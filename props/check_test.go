package props

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlt5/verify/numeric/stats"
	"pgregory.net/rapid"
)

func TestBudget(t *testing.T) {
	if z := Z(); math.Abs(z-6.467) > 1e-3 {
		t.Fatalf("Z = %v, want 6.467 for a 1e-6 budget over 1e4 comparisons", z)
	}
	prev := math.Inf(1)
	for _, dof := range []int{2, 5, 30, 100, 1000, 9999, 10000, 1e5, 1e7} {
		c := critical(dof)
		if !(c >= Z()) || c > prev+1e-4 {
			t.Fatalf("critical(%d) = %v: must be >= Z and non-increasing in dof (previous %v)", dof, c, prev)
		}
		prev = c
	}
	if !math.IsInf(critical(0), 1) {
		t.Fatal("a standard error with no degrees of freedom must never pass")
	}
}

func TestMeanCheckMessage(t *testing.T) {
	est := stats.Estimate{Mean: 1.5, SE: 0.1, N: 1000}
	r := MeanCheck("case", est, 1, 42) // 5 SE: inside the budget's bound of ~6.5
	if !r.Pass || math.Abs(r.Measured-5) > 1e-12 {
		t.Fatalf("5 standard errors rejected at z ~ 6.5: %s", r)
	}
	for _, want := range []string{"estimate 1.5", "exact 1", "SE 0.1", "seed 42", "|z| 5"} {
		if !strings.Contains(r.Detail, want) {
			t.Errorf("message %q lacks %q", r.Detail, want)
		}
	}
	if r := MeanCheck("case", est, 0.5, 1); r.Pass {
		t.Fatalf("10 standard errors accepted: %s", r)
	}
	if r := MeanCheck("exact", stats.Estimate{Mean: 0, SE: 0, N: 10}, 0, 1); !r.Pass {
		t.Fatalf("an exact zero estimate of zero rejected: %s", r)
	}
	if r := MeanCheck("nan", stats.Estimate{Mean: math.NaN(), SE: 1, N: 10}, 0, 1); r.Pass {
		t.Fatalf("a NaN estimate accepted: %s", r)
	}
}

// TestChecksCalibrated draws normal samples of a known mean and checks the helpers accept it and
// reject a shift of 15 standard errors (the power the claims rely on).
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
		if err := firstErr(err1, err2); err != nil {
			t.Fatal(err)
		}
		mustPass(t, MeanCheck("mean", a, 2, seed), DiffCheck("diff", a, b, seed),
			RobustCheck("robust", a, 2, 1, 0, seed))
		mustReject(t, MeanCheck("shifted mean", a, 2+15*a.SE, seed),
			RobustCheck("shifted robust", a, 2.6, 1, 0, seed))
		shifted := b
		shifted.Mean += 15 * math.Hypot(a.SE, b.SE)
		mustReject(t, DiffCheck("shifted diff", a, shifted, seed))
	})
}

func TestShrinkCheck(t *testing.T) {
	small := stats.Estimate{Mean: -0.05, SE: 0.001, N: 1e6}
	large := stats.Estimate{Mean: 0.01, SE: 0.001, N: 1e6}
	if r := ShrinkCheck("shrinks", small, large, 1); !r.Pass {
		t.Fatalf("a gap falling from 0.05 to 0.01 (28 SE) rejected: %s", r)
	}
	if r := ShrinkCheck("grows", large, small, 1); r.Pass {
		t.Fatalf("a growing gap accepted: %s", r)
	}
	if r := ShrinkCheck("same", small, small, 1); r.Pass {
		t.Fatalf("an unchanged gap accepted: %s", r)
	}
	exact := stats.Estimate{Mean: 0.1, SE: 0, N: 1e6}
	if r := ShrinkCheck("exact shrink", exact, stats.Estimate{Mean: 0.05, N: 1e6}, 1); !r.Pass {
		t.Fatalf("an exact shrink rejected: %s", r)
	}
	if r := ShrinkCheck("exact equal", exact, exact, 1); r.Pass {
		t.Fatalf("exactly equal gaps accepted: %s", r)
	}
}

func TestRelCheck(t *testing.T) {
	if r := RelCheck("x", 1+1e-13, 1, 1, 1e-12); !r.Pass {
		t.Fatal(r)
	}
	if r := RelCheck("x", 1+1e-11, 1, 1, 1e-12); r.Pass {
		t.Fatal(r)
	}
	if r := RelCheck("zero scale", 0, 0, 0, 1e-12); !r.Pass {
		t.Fatal(r)
	}
	if r := RelCheck("zero scale", 1e-300, 0, 0, 1e-12); r.Pass {
		t.Fatal(r)
	}
}

func TestRegistry(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range Claims() {
		if c.ID == "" || c.Paper == "" || c.Statement == "" || c.Run == nil || c.Control == nil {
			t.Errorf("claim %+v lacks an ID, paper, statement, run or control", c.ID)
		}
		ids[c.ID] = true
	}
	for i := 1; i <= 7; i++ {
		if id := "KER-" + string(rune('0'+i)); !ids[id] {
			t.Errorf("%s is not registered", id)
		}
	}
	if !idLess("KER-2", "KER-10") || idLess("KER-10", "KER-2") {
		t.Error("claims are not ordered by number")
	}
}
