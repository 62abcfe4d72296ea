package text

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestWrap: words are kept whole, lines are at most n, an over-long word is split, nothing is lost.
func TestWrap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		words := rapid.SliceOfN(rapid.StringMatching(`[a-z]{1,30}`), 1, 20).Draw(t, "words")
		n := rapid.IntRange(5, 40).Draw(t, "n")
		lines := Wrap(strings.Join(words, " "), n)
		for _, l := range lines {
			if len(l) > n {
				t.Fatalf("line %q longer than %d", l, n)
			}
		}
		if strings.Join(strings.Fields(strings.Join(lines, " ")), "") != strings.Join(words, "") {
			t.Fatalf("wrap lost text: %q -> %q", words, lines)
		}
	})
}

// FuzzWrap: any string and width give lines no longer than the width (at least 1), never a panic.
func FuzzWrap(f *testing.F) {
	f.Add("a bb ccc", 2)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, n int) {
		for _, l := range Wrap(s, n) {
			if len(l) > max(n, 1) {
				t.Fatalf("line %q longer than %d", l, n)
			}
		}
	})
}
