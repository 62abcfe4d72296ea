package props

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Golden tolerances (shared/spec/README.md, Golden files).
const (
	GoldenRel   = 1e-12
	GoldenFloor = 1e-15
)

// countKeys are the argument names written as JSON integers.
var countKeys = map[string]bool{"n": true, "d": true, "l": true, "K": true, "i": true, "j": true}

// Entry is one analytic value on a paper's reference grid.
type Entry struct {
	Name  string             `json:"name"`
	Args  map[string]float64 `json:"args"`
	Value float64            `json:"value"`
}

// key identifies an entry by name and arguments, e.g. kappa{a=0,theta=0.5}.
func (e Entry) key() string {
	keys := sortedKeys(e.Args)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(e.Args[k], 'g', -1, 64)
	}
	return e.Name + "{" + strings.Join(parts, ",") + "}"
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// entryLess orders by name, then by the arguments' keys in alphabetical order, each by value.
func entryLess(a, b Entry) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	ka, kb := sortedKeys(a.Args), sortedKeys(b.Args)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
		if a.Args[ka[i]] != b.Args[kb[i]] {
			return a.Args[ka[i]] < b.Args[kb[i]]
		}
	}
	return len(ka) < len(kb)
}

// formatNumber writes a float in shortest round-trip form, or a count key as an integer.
func formatNumber(key string, v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("golden: %s = %v is not finite", key, v)
	}
	if countKeys[key] {
		if v != math.Trunc(v) {
			return "", fmt.Errorf("golden: count %s = %v is not an integer", key, v)
		}
		return strconv.FormatInt(int64(v), 10), nil
	}
	return strconv.FormatFloat(v, 'g', -1, 64), nil
}

// EncodeGolden renders entries as the golden format: a JSON array, one object per line, sorted.
func EncodeGolden(entries []Entry) ([]byte, error) {
	sorted := append([]Entry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool { return entryLess(sorted[i], sorted[j]) })
	var b bytes.Buffer
	b.WriteString("[\n")
	for n, e := range sorted {
		name, _ := json.Marshal(e.Name)
		fmt.Fprintf(&b, `{"name":%s,"args":{`, name)
		for i, k := range sortedKeys(e.Args) {
			v, err := formatNumber(k, e.Args[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.key(), err)
			}
			kj, _ := json.Marshal(k)
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s:%s", kj, v)
		}
		v, err := formatNumber("value", e.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.key(), err)
		}
		fmt.Fprintf(&b, `},"value":%s}`, v)
		if n < len(sorted)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// WriteGolden writes entries to path atomically (a temporary file in the same folder, then a
// rename). Nothing is written when any value or argument is NaN or infinite.
func WriteGolden(path string, entries []Entry) error {
	data, err := EncodeGolden(entries)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".golden-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadGolden reads a golden file.
func ReadGolden(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Entry
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("golden: %s: %w", path, err)
	}
	return out, nil
}

// CompareGolden compares computed entries with the golden file at path (relative 1e-12, absolute
// floor 1e-15) and returns one line per entry that moved, appeared or disappeared; none means
// the file is current.
func CompareGolden(path string, computed []Entry) ([]string, error) {
	stored, err := ReadGolden(path)
	if err != nil {
		return nil, err
	}
	want := map[string]float64{}
	for _, e := range stored {
		if _, dup := want[e.key()]; dup {
			return nil, errors.New("golden: duplicate entry " + e.key() + " in " + path)
		}
		want[e.key()] = e.Value
	}
	approx := cmpopts.EquateApprox(GoldenRel, GoldenFloor)
	var moved []string
	seen := map[string]bool{}
	for _, e := range computed {
		k := e.key()
		seen[k] = true
		w, ok := want[k]
		switch {
		case !ok:
			moved = append(moved, fmt.Sprintf("%s: computed %v, not in the golden file", k, e.Value))
		case !cmp.Equal(e.Value, w, approx):
			moved = append(moved, fmt.Sprintf("%s: computed %v, golden %v (relative change %.3g)", k, e.Value, w, math.Abs(e.Value-w)/math.Abs(w)))
		}
	}
	for _, e := range stored {
		if !seen[e.key()] {
			moved = append(moved, fmt.Sprintf("%s: in the golden file, no longer computed", e.key()))
		}
	}
	sort.Strings(moved)
	return moved, nil
}
