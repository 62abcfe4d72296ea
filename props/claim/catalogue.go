package claim

import (
	"bytes"
	"fmt"
	"strings"
)

// Catalogue renders the registered papers and claims as the project's catalogue (CLAIMS.md): for
// each paper its citation and summary, and for each claim its statement, source in the paper,
// conditions and registered findings. It is generated from the registry, so it says what the
// suite checks and nothing else.
func Catalogue(papers []Paper, claims []Claim) []byte {
	var b bytes.Buffer
	b.WriteString("# Claims\n\n")
	b.WriteString("Generated from the claim registry (package props) by `make golden`; a test holds it up to date, so\n")
	b.WriteString("edit the registrations, not this file. Each claim is checked by `go test ./props` (rapid properties\n")
	b.WriteString("and a negative control that must be rejected) and run at the papers' settings by\n")
	b.WriteString("`go run ./cmd/verify -claim ID`. A finding is where a paper's statement does not hold as written;\n")
	b.WriteString("the report (`make report`) gives the numbers its claim measured.\n")
	for _, p := range papers {
		fmt.Fprintf(&b, "\n## %s (`%s`, %s-n)\n\n%s\n", p.Citation, p.Key, p.Prefix, p.Summary)
		for _, c := range claims {
			if c.Paper != p.Key {
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n%s\n\n- Source: %s\n- Conditions: %s\n", c.ID, c.Statement, c.Source, c.Conditions)
			for _, f := range c.Findings {
				fmt.Fprintf(&b, "- Finding (%s): %s\n", f.Name, f.Says)
			}
		}
	}
	return []byte(strings.ReplaceAll(b.String(), "\n\n\n", "\n\n"))
}
