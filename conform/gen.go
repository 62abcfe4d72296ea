package conform

import (
	"encoding/json"
	"fmt"
	"math"

	"pgregory.net/rapid"
)

// eps is the machine epsilon of float64, 2^-52 (twice the unit roundoff): every tolerance below is
// a multiple of it times the quantities its rounding errors scale with.
const eps = 0x1p-52

// edged draws from g two times in three and from the edges otherwise (rapid shrinks towards g).
func edged(t *rapid.T, label string, g *rapid.Generator[float64], edges ...float64) float64 {
	return rapid.OneOf(g, g, rapid.SampledFrom(edges)).Draw(t, label)
}

// corruption turns a valid request into one that must get an error reply.
type corruption struct {
	why   string
	apply func(in map[string]any)
}

// set returns a corruption that replaces one input by a JSON value.
func set(field, value, why string) corruption {
	return corruption{why: why, apply: func(in map[string]any) { in[field] = json.RawMessage(value) }}
}

// badFloats are the corruptions of a float input: NaN, the infinities, and the values just
// outside its domain [lo, hi] (a NaN bound: none that side).
func badFloats(field string, lo, hi float64) []corruption {
	out := []corruption{
		set(field, `"NaN"`, field+" is NaN"),
		set(field, `"Infinity"`, field+" is +Infinity"),
		set(field, `"-Infinity"`, field+" is -Infinity"),
	}
	if !math.IsNaN(lo) {
		below := math.Nextafter(lo, math.Inf(-1))
		out = append(out, set(field, fmt.Sprint(below), fmt.Sprintf("%s = %v is below its domain's %v", field, below, lo)),
			set(field, fmt.Sprint(lo-1), fmt.Sprintf("%s = %v is below its domain's %v", field, lo-1, lo)))
	}
	if !math.IsNaN(hi) {
		above := math.Nextafter(hi, math.Inf(1))
		out = append(out, set(field, fmt.Sprint(above), fmt.Sprintf("%s = %v is above its domain's %v", field, above, hi)),
			set(field, fmt.Sprint(hi+1), fmt.Sprintf("%s = %v is above its domain's %v", field, hi+1, hi)))
	}
	return out
}

// badSize are the corruptions of a count: negative, NaN, and not an integer (a program that
// truncates K = 2.5 to 2 answers a question nobody asked).
func badSize(field string, min int) []corruption {
	return []corruption{
		set(field, fmt.Sprint(min-1), fmt.Sprintf("%s = %d is below its least value %d", field, min-1, min)),
		set(field, "-1000000", field+" = -1000000"),
		set(field, `"NaN"`, field+" is NaN"),
		set(field, fmt.Sprintf("%d.5", min+2), fmt.Sprintf("%s = %d.5 is not an integer", field, min+2)),
	}
}

// badCase is the case of a bad-input property: a valid case and the corruption applied to it.
type badCase[C any] struct {
	Base       C      `json:"base"`
	Corruption int    `json:"corruption"`
	Why        string `json:"why"`
}

// defineBad registers op's bad-input property: every corruption of a valid request must get an
// error reply.
func defineBad[C any](op string, cases int, gen func(*rapid.T) C, inputs func(C) map[string]any, corr []corruption) {
	doc := "a request outside the op's domain gets an error reply, never an answer: "
	for i, c := range corr {
		if i > 0 {
			doc += "; "
		}
		doc += c.why
	}
	define(op+"/bad-input", doc, cases, []string{op},
		func(t *rapid.T) badCase[C] {
			i := rapid.IntRange(0, len(corr)-1).Draw(t, "corruption")
			return badCase[C]{Base: gen(t), Corruption: i, Why: corr[i].why}
		},
		func(s *session, c badCase[C]) verdict {
			if c.Corruption < 0 || c.Corruption >= len(corr) {
				failNow(classMalformed, fmt.Sprintf("corruption %d out of range (the case does not belong to this property)", c.Corruption))
			}
			in := inputs(c.Base)
			corr[c.Corruption].apply(in)
			s.refuse(op, in, corr[c.Corruption].why)
			return verdict{}
		})
}
