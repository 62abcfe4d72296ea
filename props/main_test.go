package props

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

var (
	update = flag.Bool("update", false, "rewrite golden/*.json from theory/ instead of comparing")
	long   = flag.Bool("long", false, "run the heavy settings (wider networks, more samples)")
)

// TestMain enforces the false-alarm budget: a default run (rapid.checks = 100, not -long, not
// -short) must make at most Comparisons statistical comparisons, or the z it uses is too small.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	made := ComparisonsMade()
	checks := flag.Lookup("rapid.checks")
	def := checks != nil && checks.Value.String() == "100" && !*long && !testing.Short()
	fmt.Printf("props: %d statistical comparisons (budget %d, z = %.3f)\n", made, Comparisons, Z())
	if def && made > Comparisons && code == 0 {
		fmt.Printf("props: FAIL: %d comparisons exceed the budget of %d; raise Comparisons in check.go\n", made, Comparisons)
		code = 1
	}
	os.Exit(code)
}
