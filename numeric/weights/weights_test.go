package weights

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

func TestValidate(t *testing.T) {
	bad := []Law{
		Gaussian{Scale: 0}, Gaussian{Scale: math.NaN()}, StudentT{Nu: 2, Scale: 1}, StudentT{Nu: math.Inf(1), Scale: 1},
		Sphere{Radius: -1}, GaussMixture{Scale: 1, Low: 0, P: 0.5}, GaussMixture{Scale: 1, Low: 0.5, P: 1},
		GaussMixture{Scale: 1, Low: 1.5, P: 0.5}, Uniform{Scale: math.Inf(1)}, Rademacher{}, Laplace{Scale: -2},
		CentredExp{}, Scaled{Law: Gaussian{Scale: 1}, C: 0}, Scaled{}, Scaled{Law: Sphere{}, C: 1},
	}
	for _, l := range bad {
		if l.Validate() == nil {
			t.Errorf("%#v validated", l)
		}
	}
	good := []Law{Gaussian{Scale: 1}, StudentT{Nu: 2.5, Scale: 1}, Sphere{Radius: 1}, GaussMixture{Scale: 1, Low: 1, P: 0.5},
		Uniform{Scale: 1}, Rademacher{Scale: 1}, Laplace{Scale: 1}, CentredExp{Scale: 1}, Scaled{Law: Laplace{Scale: 1}, C: 2}}
	for _, l := range good {
		if err := l.Validate(); err != nil {
			t.Errorf("%#v: %v", l, err)
		}
	}
}

// TestRadialKurtosis checks E|w|^4 / (E|w|^2)^2 where it is known exactly: (d + 2)/d for the
// Gaussian, 1 on the sphere, (d + 2)/d (nu - 2)/(nu - 4) for Student-t, scale-free under Scaled.
func TestRadialKurtosis(t *testing.T) {
	for d := 1; d <= 8; d++ {
		cases := map[string]struct {
			law  Law
			want float64
		}{
			"gauss":     {Gaussian{Scale: 3}, float64(d+2) / float64(d)},
			"sphere":    {Sphere{Radius: 2}, 1},
			"student-t": {StudentT{Nu: 7, Scale: 0.5}, float64(d+2) / float64(d) * 5 / 3},
			"scaled":    {Scaled{Law: Gaussian{Scale: 1}, C: 10}, float64(d+2) / float64(d)},
			"mixture":   {GaussMixture{Scale: 1, Low: 0.5, P: 0.5}, float64(d+2) / float64(d) * (0.5*0.25 + 0.5*1.5*1.5)},
		}
		for name, c := range cases {
			got, err := RadialKurtosis(c.law, d)
			if err != nil || math.Abs(got-c.want) > 1e-14*c.want {
				t.Errorf("%s d=%d: %v (%v), want %v", name, d, got, err, c.want)
			}
		}
	}
	if _, err := RadialKurtosis(StudentT{Nu: 4, Scale: 1}, 3); err == nil {
		t.Error("nu = 4 has no finite fourth moment")
	}
	if _, err := RadialKurtosis(Uniform{Scale: 1}, 3); err == nil {
		t.Error("the i.i.d. uniform law states no fourth moment")
	}
}

// TestFillShapes: every law fills the whole vector with finite values, and the sphere's draws
// have the radius.
func TestFillShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float64, 70) // more than one 64-bit word of Rademacher signs
	for _, l := range []Law{Gaussian{Scale: 1}, StudentT{Nu: 3, Scale: 1}, Sphere{Radius: 2}, GaussMixture{Scale: 1, Low: 0.3, P: 0.4},
		Uniform{Scale: 1}, Rademacher{Scale: 2}, Laplace{Scale: 1}, CentredExp{Scale: 1}, Scaled{Law: Rademacher{Scale: 1}, C: 3}} {
		for i := range w {
			w[i] = math.NaN()
		}
		l.Fill(rng, w)
		for i, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s left w[%d] = %v", l.Name(), i, v)
			}
		}
	}
	Sphere{Radius: 2}.Fill(rng, w)
	var n float64
	for _, v := range w {
		n += v * v
	}
	if math.Abs(math.Sqrt(n)-2) > 1e-14 {
		t.Fatalf("sphere draw has radius %v", math.Sqrt(n))
	}
	Rademacher{Scale: 2}.Fill(rng, w)
	for i, v := range w {
		if math.Abs(v) != 2 {
			t.Fatalf("Rademacher w[%d] = %v", i, v)
		}
	}
}

// TestScaledFill: Scaled{law, C} draws exactly C times law's draw from the same stream.
func TestScaledFill(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.Float64Range(0.01, 100).Draw(t, "C")
		seed := rapid.Uint64().Draw(t, "seed")
		d := rapid.IntRange(1, 20).Draw(t, "d")
		law := []Law{Gaussian{Scale: 1}, StudentT{Nu: 5, Scale: 2}, Sphere{Radius: 1}, Laplace{Scale: 1}}[rapid.IntRange(0, 3).Draw(t, "law")]
		a, b := make([]float64, d), make([]float64, d)
		law.Fill(rand.New(rand.NewPCG(seed, 0)), a)
		Scaled{Law: law, C: c}.Fill(rand.New(rand.NewPCG(seed, 0)), b)
		for i := range a {
			if b[i] != c*a[i] {
				t.Fatalf("scaled draw %v, want %v", b[i], c*a[i])
			}
		}
		if s := (Scaled{Law: law, C: c}).SecondMoment(d); math.Abs(s-c*c*law.SecondMoment(d)) > 1e-14*s {
			t.Fatalf("scaled second moment %v", s)
		}
	})
}
