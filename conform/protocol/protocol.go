// Package protocol is the wire format of the conformance runner (conform/PROTOCOL.md): one JSON
// object per line in each direction. The runner writes requests {"id": N, "op": "...", "inputs":
// {...}} to the program under test and reads replies {"id": N, "result": {...}} or {"id": N,
// "error": "..."}; the first exchange is the hello (op "hello").
//
// JSON has no NaN or infinity. A float is written as a JSON number or as one of the strings
// "NaN", "Infinity", "-Infinity"; the decoder also accepts the bare tokens NaN, Infinity and
// -Infinity outside strings (what Python's json.dumps writes by default), so that a program that
// answers NaN is told its answer is wrong instead of being cut off for a protocol error.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Version is the protocol version the runner speaks (the hello's "protocol").
const Version = 1

// MaxLine is the longest line either side may write, in bytes.
const MaxLine = 1 << 24

// Request is one request line. Inputs holds the op's named inputs: float64, int, string, bool,
// nil, []float64, [][]float64, []any and map[string]any values (see Append).
type Request struct {
	ID     int64
	Op     string
	Inputs map[string]any
}

// Reply is one reply line: the request's id and either a result object or an error string.
type Reply struct {
	ID     int64
	Result map[string]any // nil for an error reply
	Error  string         // the program's message; IsError says whether there was one
	// IsError reports an error reply (an empty message is still an error).
	IsError bool
}

// AppendRequest appends r as one line (with its newline) to buf.
func AppendRequest(buf []byte, r Request) []byte {
	buf = append(buf, `{"id":`...)
	buf = strconv.AppendInt(buf, r.ID, 10)
	buf = append(buf, `,"op":`...)
	buf = appendString(buf, r.Op)
	buf = append(buf, `,"inputs":`...)
	buf = Append(buf, r.Inputs)
	return append(buf, "}\n"...)
}

// AppendReply appends r as one line (with its newline) to buf: the program side of the protocol
// (the Go testee writes its replies with it).
func AppendReply(buf []byte, r Reply) []byte {
	buf = append(buf, `{"id":`...)
	buf = strconv.AppendInt(buf, r.ID, 10)
	if r.IsError {
		buf = append(buf, `,"error":`...)
		buf = appendString(buf, r.Error)
	} else {
		buf = append(buf, `,"result":`...)
		buf = Append(buf, r.Result)
	}
	return append(buf, "}\n"...)
}

// Append appends the JSON encoding of v to buf: float64 in shortest round-trip form, or "NaN",
// "Infinity", "-Infinity" for the non-finite ones; int and int64 as integers; string, bool and
// nil; []float64, [][]float64, []string, []any; map[string]any with its keys sorted (so the
// encoding is deterministic); json.RawMessage as is. Any other type is encoded by encoding/json.
func Append(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		return appendFloat(buf, x)
	case string:
		return appendString(buf, x)
	case []float64:
		buf = append(buf, '[')
		for i, f := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendFloat(buf, f)
		}
		return append(buf, ']')
	case [][]float64:
		buf = append(buf, '[')
		for i, row := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = Append(buf, row)
		}
		return append(buf, ']')
	case []string:
		buf = append(buf, '[')
		for i, s := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, s)
		}
		return append(buf, ']')
	case []any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = Append(buf, e)
		}
		return append(buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k)
			buf = append(buf, ':')
			buf = Append(buf, x[k])
		}
		return append(buf, '}')
	case json.RawMessage:
		return append(buf, x...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return appendString(buf, fmt.Sprintf("unencodable %T", v))
	}
	return append(buf, b...)
}

func appendFloat(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(buf, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(buf, `"-Infinity"`...)
	}
	return strconv.AppendFloat(buf, f, 'g', -1, 64)
}

func appendString(buf []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return append(buf, b...)
}

// bareTokens rewrites the bare tokens NaN, Infinity and -Infinity outside strings as the strings
// "NaN", "Infinity", "-Infinity". Anything else is left for encoding/json to judge. It returns
// line itself when there is nothing to rewrite.
func bareTokens(line []byte) []byte {
	if !bytes.ContainsAny(line, "NI") {
		return line
	}
	var out []byte
	inString, escaped := false, false
	last := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		for _, tok := range [...]string{"NaN", "Infinity", "-Infinity"} {
			if bytes.HasPrefix(line[i:], []byte(tok)) && (i == 0 || boundary(line[i-1])) && (i+len(tok) == len(line) || boundary(line[i+len(tok)])) {
				out = append(out, line[last:i]...)
				out = append(out, '"')
				out = append(out, tok...)
				out = append(out, '"')
				i += len(tok) - 1
				last = i + 1
				break
			}
		}
	}
	if out == nil {
		return line
	}
	return append(out, line[last:]...)
}

// boundary reports whether c may stand next to a bare token: JSON punctuation or white space.
func boundary(c byte) bool {
	switch c {
	case ',', ':', '[', ']', '{', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// decodeObject decodes one line holding one JSON object, numbers as json.Number.
func decodeObject(line []byte) (map[string]any, error) {
	line = bytes.TrimRight(line, "\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, errors.New("an empty line")
	}
	dec := json.NewDecoder(bytes.NewReader(bareTokens(line)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("more than one JSON value on the line")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a JSON %s, want an object", kind(v))
	}
	return obj, nil
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// id reads an integer id.
func id(obj map[string]any) (int64, error) {
	raw, ok := obj["id"]
	if !ok {
		return 0, errors.New(`no "id"`)
	}
	n, ok := raw.(json.Number)
	if !ok {
		return 0, fmt.Errorf(`"id" is a %s, want an integer`, kind(raw))
	}
	v, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf(`"id" %s is not an integer`, n)
	}
	return v, nil
}

// DecodeReply decodes one reply line. Errors (protocol errors: the runner stops talking to the
// program) are a line that is not one JSON object, an id that is not an integer, and a reply
// with both or neither of "result" (an object) and "error" (a string).
func DecodeReply(line []byte) (Reply, error) {
	obj, err := decodeObject(line)
	if err != nil {
		return Reply{}, err
	}
	var r Reply
	if r.ID, err = id(obj); err != nil {
		return Reply{}, err
	}
	res, hasRes := obj["result"]
	msg, hasErr := obj["error"]
	switch {
	case hasRes && hasErr:
		return Reply{}, errors.New(`a reply with both "result" and "error"`)
	case hasErr:
		s, ok := msg.(string)
		if !ok {
			return Reply{}, fmt.Errorf(`"error" is a %s, want a string`, kind(msg))
		}
		r.Error, r.IsError = s, true
	case hasRes:
		m, ok := res.(map[string]any)
		if !ok {
			return Reply{}, fmt.Errorf(`"result" is a %s, want an object`, kind(res))
		}
		r.Result = m
	default:
		return Reply{}, errors.New(`a reply with neither "result" nor "error"`)
	}
	return r, nil
}

// DecodeRequest decodes one request line (the program side): an integer id, a string op and an
// object of inputs (absent inputs are an empty object).
func DecodeRequest(line []byte) (Request, error) {
	obj, err := decodeObject(line)
	if err != nil {
		return Request{}, err
	}
	var r Request
	if r.ID, err = id(obj); err != nil {
		return Request{}, err
	}
	op, ok := obj["op"].(string)
	if !ok {
		return r, errors.New(`no string "op"`)
	}
	r.Op = op
	r.Inputs = map[string]any{}
	if in, ok := obj["inputs"]; ok {
		m, ok := in.(map[string]any)
		if !ok {
			return r, fmt.Errorf(`"inputs" is a %s, want an object`, kind(in))
		}
		r.Inputs = m
	}
	return r, nil
}

// Float converts a decoded JSON value to a float64: a number, or one of the strings "NaN",
// "Infinity", "-Infinity" (also "Inf", "+Inf", "-Inf", any case). Errors: any other value,
// including a numeric string.
func Float(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("number %s: %v", x, err)
		}
		return f, nil // out of range: +-Inf or 0, as the number says
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return f, nil
		}
		return 0, fmt.Errorf("string %q, want a number (or \"NaN\", \"Infinity\", \"-Infinity\")", x)
	}
	return 0, fmt.Errorf("a %s, want a number", kind(v))
}

// Int converts a decoded JSON value to an int: an integer-valued number. Errors: anything else
// (a fraction, "NaN", a value beyond int64).
func Int(v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		if f, isF := v.(float64); isF && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), nil
		}
		return 0, fmt.Errorf("a %s, want an integer", kind(v))
	}
	i, err := n.Int64()
	if err != nil {
		f, ferr := strconv.ParseFloat(string(n), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
			return 0, fmt.Errorf("number %s is not an integer", n)
		}
		i = int64(f)
	}
	return int(i), nil
}

// Vector converts a decoded JSON array of floats (see Float).
func Vector(v any) ([]float64, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("a %s, want an array of numbers", kind(v))
	}
	out := make([]float64, len(arr))
	for i, e := range arr {
		f, err := Float(e)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %v", i, err)
		}
		out[i] = f
	}
	return out, nil
}

// Matrix converts a decoded JSON array of rows, each an array of floats. Rows may differ in
// length here; callers check the shape they need.
func Matrix(v any) ([][]float64, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("a %s, want an array of rows", kind(v))
	}
	out := make([][]float64, len(arr))
	for i, e := range arr {
		row, err := Vector(e)
		if err != nil {
			return nil, fmt.Errorf("row %d: %v", i, err)
		}
		out[i] = row
	}
	return out, nil
}
