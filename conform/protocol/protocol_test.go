package protocol

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeReply(t *testing.T) {
	good := []struct {
		line string
		want Reply
	}{
		{`{"id":3,"result":{"kappa":0.5}}`, Reply{ID: 3, Result: map[string]any{"kappa": "0.5"}}},
		{`{"id":4,"error":"theta outside [0, pi]"}`, Reply{ID: 4, Error: "theta outside [0, pi]", IsError: true}},
		{`{"id":5,"error":""}` + "\r\n", Reply{ID: 5, IsError: true}},
		{`{"id":6,"result":{"x":NaN,"y":[Infinity,-Infinity],"s":"NaN inside a string"}}`, Reply{ID: 6}},
	}
	for _, g := range good {
		r, err := DecodeReply([]byte(g.line))
		if err != nil {
			t.Fatalf("%s: %v", g.line, err)
		}
		if r.ID != g.want.ID || r.IsError != g.want.IsError || r.Error != g.want.Error {
			t.Errorf("%s: got %+v", g.line, r)
		}
	}
	r, _ := DecodeReply([]byte(`{"id":6,"result":{"x":NaN,"y":[Infinity,-Infinity],"s":"NaN inside a string"}}`))
	x, err := Float(r.Result["x"])
	if err != nil || !math.IsNaN(x) {
		t.Errorf("bare NaN: %v %v", x, err)
	}
	y, err := Vector(r.Result["y"])
	if err != nil || !math.IsInf(y[0], 1) || !math.IsInf(y[1], -1) {
		t.Errorf("bare infinities: %v %v", y, err)
	}
	if r.Result["s"] != "NaN inside a string" {
		t.Errorf("a string was rewritten: %q", r.Result["s"])
	}
	bad := []string{
		``, `garbage`, `[1,2]`, `{"result":{}}`, `{"id":"1","result":{}}`, `{"id":1.5,"result":{}}`,
		`{"id":1}`, `{"id":1,"result":{},"error":"x"}`, `{"id":1,"result":3}`, `{"id":1,"error":3}`,
		`{"id":1,"result":{}} {"id":2,"result":{}}`, `{"id":1,"result":{"x":NaNa}}`,
	}
	for _, b := range bad {
		if _, err := DecodeReply([]byte(b)); err == nil {
			t.Errorf("%q decoded without error", b)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	in := map[string]any{"theta": math.NaN(), "a": math.Inf(1), "b": math.Inf(-1), "W": [][]float64{{1, 2.5}, {1e-300, math.Copysign(0, -1)}},
		"K": 3, "name": "A1", "z": nil, "ok": true, "list": []any{1.5, "x"}}
	line := AppendRequest(nil, Request{ID: 7, Op: "kernel.kappa", Inputs: in})
	if !strings.HasSuffix(string(line), "\n") || strings.Count(string(line), "\n") != 1 {
		t.Fatalf("not one line: %q", line)
	}
	r, err := DecodeRequest(line)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != 7 || r.Op != "kernel.kappa" {
		t.Fatalf("%+v", r)
	}
	for k, want := range map[string]float64{"theta": math.NaN(), "a": math.Inf(1), "b": math.Inf(-1)} {
		got, err := Float(r.Inputs[k])
		if err != nil || !(got == want || math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: %v %v", k, got, err)
		}
	}
	w, err := Matrix(r.Inputs["W"])
	if err != nil || !reflect.DeepEqual(w, [][]float64{{1, 2.5}, {1e-300, 0}}) {
		t.Errorf("W: %v %v", w, err)
	}
	if k, err := Int(r.Inputs["K"]); err != nil || k != 3 {
		t.Errorf("K: %v %v", k, err)
	}
	if _, err := Int(r.Inputs["theta"]); err == nil {
		t.Error(`"NaN" accepted as an integer`)
	}
	if _, err := Float("1.5"); err == nil {
		t.Error("a numeric string accepted as a float")
	}
	rep := AppendReply(nil, Reply{ID: 9, Result: map[string]any{"u": 0.25}})
	back, err := DecodeReply(rep)
	if err != nil || back.ID != 9 {
		t.Fatalf("%v %v", back, err)
	}
	if u, err := Float(back.Result["u"]); err != nil || u != 0.25 {
		t.Errorf("u: %v %v", u, err)
	}
}

// FuzzDecodeReply: the decoder never panics, and a reply it accepts encodes and decodes to the
// same reply.
func FuzzDecodeReply(f *testing.F) {
	for _, s := range []string{`{"id":1,"result":{"kappa":0.5}}`, `{"id":2,"error":"bad"}`, `{"id":3,"result":{"x":NaN,"y":[-Infinity]}}`,
		`{"id":1e3,"result":{}}`, `{"id":-0,"result":{"s":"\"NaN\\"}}`, `NaN`, `{"id":1,"result":{"a":[[1,2],[3]]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := DecodeReply(line)
		if err != nil {
			return
		}
		again, err := DecodeReply(AppendReply(nil, r))
		if err != nil {
			t.Fatalf("re-encoded reply does not decode: %v", err)
		}
		if again.ID != r.ID || again.IsError != r.IsError || again.Error != r.Error || len(again.Result) != len(r.Result) {
			t.Fatalf("round trip changed the reply: %+v -> %+v", r, again)
		}
	})
}

// FuzzDecodeRequest: the program side's decoder never panics, and a request it accepts encodes and
// decodes to the same id and op.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"id":0,"op":"hello","inputs":{"protocol":1}}`, `{"id":3,"op":"kernel.kappa","inputs":{"theta":"NaN","a":0}}`,
		`{"id":4,"op":"x"}`, `{"id":5,"op":"x","inputs":[1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := DecodeRequest(line)
		if err != nil {
			return
		}
		again, err := DecodeRequest(AppendRequest(nil, r))
		if err != nil || again.ID != r.ID || again.Op != r.Op || len(again.Inputs) != len(r.Inputs) {
			t.Fatalf("round trip: %+v -> %+v (%v)", r, again, err)
		}
	})
}
