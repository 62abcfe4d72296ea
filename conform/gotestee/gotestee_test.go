package gotestee

import (
	"bytes"
	"strings"
	"testing"
)

func TestServe(t *testing.T) {
	in := strings.Join([]string{
		`{"id":0,"op":"hello","inputs":{"protocol":1}}`,
		`{"id":1,"op":"kernel.kappa","inputs":{"theta":0,"a":0}}`,
		`{"id":2,"op":"kernel.kappa","inputs":{"theta":"NaN","a":0}}`,
		`{"id":3,"op":"no.such","inputs":{}}`,
		`{"id":4,"op":"hello","inputs":{"protocol":2}}`,
		`not json`,
	}, "\n") + "\n"
	var out bytes.Buffer
	if err := Serve(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{`"ops":["kernel.kappa"`, `{"id":1,"result":{"kappa":0.5}}`, `{"id":2,"error":`, `unsupported op`, `protocol version`, `bad request`}
	if len(lines) != len(want) {
		t.Fatalf("%d replies to %d requests:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("reply %d = %s, want it to contain %s", i, lines[i], w)
		}
	}
	if len(Ops()) != len(handlers) {
		t.Errorf("Ops lists %d ops, %d have handlers", len(Ops()), len(handlers))
	}
}
