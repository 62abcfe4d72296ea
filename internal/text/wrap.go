// Package text holds the plain-text layout shared by the command's tables (cmd/verify and the
// conformance runner).
package text

import "strings"

// Wrap splits s into lines of at most n characters at spaces; a word longer than n is split. It
// returns at least one line (an empty one for empty s); n < 1 is taken as 1.
func Wrap(s string, n int) []string {
	n = max(n, 1)
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		for len(w) > n {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			lines, w = append(lines, w[:n]), w[n:]
		}
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= n:
			line += " " + w
		default:
			lines, line = append(lines, line), w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
