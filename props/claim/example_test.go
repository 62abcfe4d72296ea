package claim_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/props/claim"
)

// A Monte-Carlo estimate of E[U^2] = 1/3 for U uniform on [0, 1), held to the exact value at the
// budget's critical value; the result states the smallest relative error the check can detect.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 100000)
	for i := range xs {
		u := rng.Float64()
		xs[i] = u * u
	}
	est, err := stats.FromSample(xs, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := claim.MeanCheck("E[U^2]", est, 1.0/3, 1)
	fmt.Printf("%s: detects a %.1f%% error\n", r.Verdict(), 100*r.MDE)
	wrong := claim.MeanCheck("E[U^2] claimed 1/2", est, 0.5, 1)
	fmt.Println(wrong.Verdict())
	// Output:
	// PASS: detects a 1.8% error
	// FAIL
}
