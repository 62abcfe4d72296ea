package claim_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlt5/verify/props/claim"
)

func TestGoldenFormat(t *testing.T) {
	entries := []claim.Entry{
		{Name: "b", Args: map[string]float64{"theta": 0.5, "a": 0}, Value: 0.1},
		{Name: "a", Args: map[string]float64{"d": 4}, Value: 1.0 / 3},
		{Name: "b", Args: map[string]float64{"theta": 0.25, "a": 0}, Value: -2},
		{Name: "b", Args: map[string]float64{"theta": 0.1, "a": -1}, Value: 1e-300},
		{Name: "B", Args: map[string]float64{"n": 100}, Text: map[string]string{"arch": "A2"}, Value: 3},
		{Name: "B", Args: map[string]float64{"n": 100}, Text: map[string]string{"arch": "A1"}, Value: 2},
	}
	got, err := claim.EncodeGolden(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := `[
{"name":"B","args":{"arch":"A1","n":100},"value":2},
{"name":"B","args":{"arch":"A2","n":100},"value":3},
{"name":"a","args":{"d":4},"value":0.3333333333333333},
{"name":"b","args":{"a":-1,"theta":0.1},"value":1e-300},
{"name":"b","args":{"a":0,"theta":0.25},"value":-2},
{"name":"b","args":{"a":0,"theta":0.5},"value":0.1}
]
`
	if string(got) != want {
		t.Fatalf("encoded:\n%s\nwant:\n%s", got, want)
	}
	back, err := claim.DecodeGolden(got)
	if err != nil {
		t.Fatal(err)
	}
	again, err := claim.EncodeGolden(back)
	if err != nil || string(again) != want {
		t.Fatalf("decode then encode changed the file (%v):\n%s", err, again)
	}
	for _, bad := range []claim.Entry{
		{Name: "x", Args: map[string]float64{}, Value: math.NaN()},
		{Name: "x", Args: map[string]float64{"a": math.Inf(1)}, Value: 1},
		{Name: "x", Args: map[string]float64{"d": 2.5}, Value: 1},
		{Name: "x", Args: map[string]float64{"arch": 1}, Text: map[string]string{"arch": "A1"}, Value: 1},
	} {
		if _, err := claim.EncodeGolden([]claim.Entry{bad}); err == nil {
			t.Errorf("entry %v encoded without error", bad)
		}
	}
	dup := claim.Entry{Name: "x", Args: map[string]float64{"a": 1}, Value: 1}
	if _, err := claim.EncodeGolden([]claim.Entry{dup, dup}); err == nil {
		t.Error("a duplicate entry encoded without error")
	}
	for _, bad := range []string{`[{"name":"x","args":{"a":true},"value":1}]`, `[{"name":"x","args":{}}]`, `{`, `null`, `[]`,
		`[{"name":"x","args":{"a":null},"value":1}]`, `[{"name":"x","args":{"n":1.5},"value":1}]`, `[{"name":"x","args":{},"value":1,"extra":2}]`} {
		if _, err := claim.DecodeGolden([]byte(bad)); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

func TestGoldenWriteAndCompare(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	base := []claim.Entry{
		{Name: "k", Args: map[string]float64{"l": 1}, Value: 1},
		{Name: "k", Args: map[string]float64{"l": 2}, Value: 1e-20},
		{Name: "k", Args: map[string]float64{"l": 3}, Value: 5},
		{Name: "B", Args: map[string]float64{}, Text: map[string]string{"arch": "A1"}, Value: 7},
	}
	if err := claim.WriteGolden(path, base); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := claim.WriteGolden(path, []claim.Entry{{Name: "k", Args: map[string]float64{}, Value: math.Inf(1)}}); err == nil {
		t.Fatal("an infinite value was written")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a rejected write changed the golden file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".golden-*")); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	moved, err := claim.CompareGolden(path, base)
	if err != nil || len(moved) != 0 {
		t.Fatalf("unchanged entries reported as moved: %v %v", moved, err)
	}
	changed := []claim.Entry{
		{Name: "k", Args: map[string]float64{"l": 1}, Value: 1 + 1e-13},                          // within 1e-12: not moved
		{Name: "k", Args: map[string]float64{"l": 2}, Value: 1.5e-16},                            // below the 1e-15 floor: not moved
		{Name: "k", Args: map[string]float64{"l": 3}, Value: 5 * (1 + 1e-11)},                    // moved
		{Name: "k", Args: map[string]float64{"l": 4}, Value: 1},                                  // new
		{Name: "B", Args: map[string]float64{}, Text: map[string]string{"arch": "A2"}, Value: 7}, // a text argument changed: new
	}
	moved, err = claim.CompareGolden(path, changed)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(moved, "\n")
	for _, want := range []string{"k{l=3}: computed", "k{l=4}: computed", `B{arch="A2"}: computed`, `B{arch="A1"}: in the golden file, no longer computed`} {
		if !strings.Contains(joined, want) {
			t.Errorf("moved entries %q lack %q", moved, want)
		}
	}
	if len(moved) != 4 {
		t.Errorf("%d entries reported, want 4: %q", len(moved), moved)
	}
}

// fakeT records what CheckGolden reports.
type fakeT struct{ fatal, log string }

func (f *fakeT) Helper()                           {}
func (f *fakeT) Fatalf(format string, args ...any) { f.fatal = format }
func (f *fakeT) Logf(format string, args ...any)   { f.log = format }

func TestCheckGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.json")
	e := []claim.Entry{{Name: "k", Args: map[string]float64{"l": 1}, Value: 1}}
	var ft fakeT
	claim.CheckGolden(&ft, path, e, true)
	if ft.fatal != "" {
		t.Fatalf("update failed: %s", ft.fatal)
	}
	claim.CheckGolden(&ft, path, e, false)
	if ft.fatal != "" {
		t.Fatalf("an unchanged file failed: %s", ft.fatal)
	}
	e[0].Value = 2
	claim.CheckGolden(&ft, path, e, false)
	if !strings.Contains(ft.fatal, "make golden") {
		t.Fatalf("a moved entry reported as %q", ft.fatal)
	}
}
