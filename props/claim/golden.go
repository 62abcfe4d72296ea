package claim

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

// Golden tolerances: a stored value moved when it differs from the computed one by more than
// GoldenRel relative, with an absolute floor of GoldenFloor for values near zero.
const (
	GoldenRel   = 1e-12
	GoldenFloor = 1e-15
)

// countKeys are the argument names written as JSON integers (counts and indices) and refused on
// reading when not integral: n, d, l, K, i, j. Any other argument is a float, so a paper whose
// grid has a continuous argument of another name (a time t, say) is never refused; a new count
// argument is added here, with a golden test that writes it.
var countKeys = map[string]bool{"n": true, "d": true, "l": true, "K": true, "i": true, "j": true}

// Entry is one analytic value on a paper's reference grid. Args are its numeric arguments and
// Text its text arguments (an architecture's name, say); the two share one JSON object "args",
// so their keys must differ.
type Entry struct {
	Name  string
	Args  map[string]float64
	Text  map[string]string
	Value float64
}

// Key identifies an entry by name and arguments, e.g. kappa{a=0,theta=0.5} or B{arch="A1",n=100}.
func (e Entry) Key() string {
	keys := e.keys()
	parts := make([]string, len(keys))
	for i, k := range keys {
		if s, ok := e.Text[k]; ok {
			parts[i] = k + "=" + strconv.Quote(s)
		} else {
			parts[i] = k + "=" + strconv.FormatFloat(e.Args[k], 'g', -1, 64)
		}
	}
	return e.Name + "{" + strings.Join(parts, ",") + "}"
}

// keys returns the argument names of both kinds, sorted.
func (e Entry) keys() []string {
	keys := make([]string, 0, len(e.Args)+len(e.Text))
	for k := range e.Args {
		keys = append(keys, k)
	}
	for k := range e.Text {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// entryLess orders by name, then by the arguments' keys in alphabetical order, each by value
// (numbers before text, text as text).
func entryLess(a, b Entry) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	ka, kb := a.keys(), b.keys()
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
		sa, aText := a.Text[ka[i]]
		sb, bText := b.Text[kb[i]]
		switch {
		case aText != bText:
			return !aText
		case aText && sa != sb:
			return sa < sb
		case !aText && a.Args[ka[i]] != b.Args[kb[i]]:
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
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return "", fmt.Errorf("golden: count %s = %v is not an integer", key, v)
		}
		return strconv.FormatInt(int64(v), 10), nil
	}
	return strconv.FormatFloat(v, 'g', -1, 64), nil
}

// EncodeGolden renders entries in the golden format: a JSON array, one object
// {"name": ..., "args": {...}, "value": ...} per line, sorted by name and then by the arguments'
// keys in alphabetical order; floats in shortest round-trip form, counts as integers. It refuses
// NaN or infinite values, a key used for both a number and a text, and duplicate entries.
func EncodeGolden(entries []Entry) ([]byte, error) {
	sorted := append([]Entry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool { return entryLess(sorted[i], sorted[j]) })
	var b bytes.Buffer
	b.WriteString("[\n")
	for n, e := range sorted {
		if n > 0 && sorted[n-1].Key() == e.Key() {
			return nil, errors.New("golden: duplicate entry " + e.Key())
		}
		name, _ := json.Marshal(e.Name)
		fmt.Fprintf(&b, `{"name":%s,"args":{`, name)
		for i, k := range e.keys() {
			var v string
			if s, ok := e.Text[k]; ok {
				if _, both := e.Args[k]; both {
					return nil, fmt.Errorf("golden: %s: argument %s is both a number and a text", e.Name, k)
				}
				js, _ := json.Marshal(s)
				v = string(js)
			} else {
				var err error
				if v, err = formatNumber(k, e.Args[k]); err != nil {
					return nil, fmt.Errorf("%s: %w", e.Key(), err)
				}
			}
			kj, _ := json.Marshal(k)
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s:%s", kj, v)
		}
		v, err := formatNumber("value", e.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
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

// WriteFileAtomic writes data to path through a temporary file in the same folder and a rename,
// so a reader never sees a half-written file.
func WriteFileAtomic(path string, data []byte) error {
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

// WriteGolden writes entries to path atomically. Nothing is written when an entry cannot be
// encoded (a NaN or infinite value, say).
func WriteGolden(path string, entries []Entry) error {
	data, err := EncodeGolden(entries)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// DecodeGolden parses the golden format: each argument is a JSON number or a string.
func DecodeGolden(data []byte) ([]Entry, error) {
	var raw []struct {
		Name  string                     `json:"name"`
		Args  map[string]json.RawMessage `json:"args"`
		Value *float64                   `json:"value"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("golden: the file holds no entries")
	}
	out := make([]Entry, len(raw))
	for i, r := range raw {
		if r.Value == nil {
			return nil, fmt.Errorf("golden: entry %d (%s) has no value", i, r.Name)
		}
		e := Entry{Name: r.Name, Args: map[string]float64{}, Value: *r.Value}
		for k, v := range r.Args {
			var s string
			var f float64
			switch {
			case string(v) == "null":
				return nil, fmt.Errorf("golden: entry %d (%s): argument %s is null", i, r.Name, k)
			case json.Unmarshal(v, &s) == nil:
				if e.Text == nil {
					e.Text = map[string]string{}
				}
				e.Text[k] = s
			case json.Unmarshal(v, &f) == nil:
				if _, err := formatNumber(k, f); err != nil {
					return nil, fmt.Errorf("entry %d (%s): %w", i, r.Name, err)
				}
				e.Args[k] = f
			default:
				return nil, fmt.Errorf("golden: entry %d (%s): argument %s = %s is neither a number nor a string", i, r.Name, k, v)
			}
		}
		out[i] = e
	}
	return out, nil
}

// ReadGolden reads a golden file.
func ReadGolden(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := DecodeGolden(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// CompareGolden compares computed entries with the golden file at path (GoldenRel relative,
// GoldenFloor absolute; text arguments as text) and returns one line per entry that moved,
// appeared or disappeared; none means the file is current.
func CompareGolden(path string, computed []Entry) ([]string, error) {
	stored, err := ReadGolden(path)
	if err != nil {
		return nil, err
	}
	want := map[string]float64{}
	for _, e := range stored {
		if _, dup := want[e.Key()]; dup {
			return nil, errors.New("golden: duplicate entry " + e.Key() + " in " + path)
		}
		want[e.Key()] = e.Value
	}
	approx := cmpopts.EquateApprox(GoldenRel, GoldenFloor)
	var moved []string
	seen := map[string]bool{}
	for _, e := range computed {
		k := e.Key()
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
		if !seen[e.Key()] {
			moved = append(moved, fmt.Sprintf("%s: in the golden file, no longer computed", e.Key()))
		}
	}
	sort.Strings(moved)
	return moved, nil
}

// TB is the part of testing.TB the golden helpers need.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// CheckGolden compares entries with the golden file at path, or rewrites the file when update is
// set (the -update flag), failing t with every moved entry and the command that regenerates them.
func CheckGolden(t TB, path string, entries []Entry, update bool) {
	t.Helper()
	if update {
		if err := WriteGolden(path, entries); err != nil {
			t.Fatalf("%v", err)
		}
		t.Logf("rewrote %s (%d entries)", path, len(entries))
		return
	}
	moved, err := CompareGolden(path, entries)
	if err != nil {
		t.Fatalf("%v\nregenerate with: make golden", err)
	}
	if len(moved) > 0 {
		t.Fatalf("%s: %d entries moved:\n  %s\nIf the change is intended, regenerate with: make golden",
			path, len(moved), strings.Join(moved, "\n  "))
	}
}
