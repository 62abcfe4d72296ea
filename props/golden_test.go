package props

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenCheck compares (or, with -update, rewrites) golden/<paper>.json.
func goldenCheck(t *testing.T, paper string, entries []Entry, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "golden", paper+".json")
	if *update {
		if err := WriteGolden(path, entries); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s (%d entries)", path, len(entries))
		return
	}
	moved, err := CompareGolden(path, entries)
	if err != nil {
		t.Fatalf("%v\nregenerate with: go test ./props -run TestGolden -update", err)
	}
	if len(moved) > 0 {
		t.Fatalf("%s: %d entries moved:\n  %s\nIf the change is intended, regenerate with: go test ./props -run TestGolden -update",
			path, len(moved), strings.Join(moved, "\n  "))
	}
}

func TestGoldenKernel(t *testing.T) {
	entries, err := KernelGolden()
	goldenCheck(t, "kernel", entries, err)
	if n := len(entries); n != 5*13+3*2*11+2*8 {
		t.Fatalf("kernel grid has %d entries, the catalogue's grid has %d", n, 5*13+3*2*11+2*8)
	}
}

func TestGoldenFormat(t *testing.T) {
	entries := []Entry{
		{Name: "b", Args: map[string]float64{"theta": 0.5, "a": 0}, Value: 0.1},
		{Name: "a", Args: map[string]float64{"d": 4}, Value: 1.0 / 3},
		{Name: "b", Args: map[string]float64{"theta": 0.25, "a": 0}, Value: -2},
		{Name: "b", Args: map[string]float64{"theta": 0.1, "a": -1}, Value: 1e-300},
	}
	got, err := EncodeGolden(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := `[
{"name":"a","args":{"d":4},"value":0.3333333333333333},
{"name":"b","args":{"a":-1,"theta":0.1},"value":1e-300},
{"name":"b","args":{"a":0,"theta":0.25},"value":-2},
{"name":"b","args":{"a":0,"theta":0.5},"value":0.1}
]
`
	if string(got) != want {
		t.Fatalf("encoded:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range []Entry{
		{Name: "x", Args: map[string]float64{}, Value: math.NaN()},
		{Name: "x", Args: map[string]float64{"a": math.Inf(1)}, Value: 1},
		{Name: "x", Args: map[string]float64{"d": 2.5}, Value: 1},
	} {
		if _, err := EncodeGolden([]Entry{bad}); err == nil {
			t.Errorf("entry %v encoded without error", bad)
		}
	}
}

func TestGoldenWriteAndCompare(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	base := []Entry{
		{Name: "k", Args: map[string]float64{"l": 1}, Value: 1},
		{Name: "k", Args: map[string]float64{"l": 2}, Value: 1e-20},
		{Name: "k", Args: map[string]float64{"l": 3}, Value: 5},
	}
	if err := WriteGolden(path, base); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := WriteGolden(path, []Entry{{Name: "k", Args: map[string]float64{}, Value: math.Inf(1)}}); err == nil {
		t.Fatal("an infinite value was written")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a rejected write changed the golden file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".golden-*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	moved, err := CompareGolden(path, base)
	if err != nil || len(moved) != 0 {
		t.Fatalf("unchanged entries reported as moved: %v %v", moved, err)
	}
	changed := []Entry{
		{Name: "k", Args: map[string]float64{"l": 1}, Value: 1 + 1e-13},       // within 1e-12: not moved
		{Name: "k", Args: map[string]float64{"l": 2}, Value: 1.5e-16},         // below the 1e-15 floor: not moved
		{Name: "k", Args: map[string]float64{"l": 3}, Value: 5 * (1 + 1e-11)}, // moved
		{Name: "k", Args: map[string]float64{"l": 4}, Value: 1},               // new
	}
	moved, err = CompareGolden(path, changed)
	if err != nil {
		t.Fatal(err)
	}
	if len(moved) != 2 || !strings.Contains(moved[0], "k{l=3}") || !strings.Contains(moved[1], "k{l=4}") {
		t.Fatalf("moved entries reported as %q, want k{l=3} moved and k{l=4} new", moved)
	}
	moved, _ = CompareGolden(path, base[:2])
	if len(moved) != 1 || !strings.Contains(moved[0], "no longer computed") {
		t.Fatalf("a dropped entry was reported as %q", moved)
	}
}
