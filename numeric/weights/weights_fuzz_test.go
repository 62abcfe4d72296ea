package weights_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/weights"
)

var special = []float64{0.5, 0, 1, -1, 3, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, 1e80, 1e308, 1e-300, 5e-324, 4}

// law builds a weight law from kind and parameters, including nil, typed-nil and invalid ones.
func law(kind uint8, scale, p float64) weights.Law {
	switch kind % 14 {
	case 0:
		return nil
	case 1:
		return (*weights.Gaussian)(nil)
	case 2:
		return weights.Scaled{Law: nil, C: scale}
	case 3:
		return weights.Scaled{Law: (*weights.StudentT)(nil), C: scale}
	case 4:
		return weights.StudentT{Nu: p, Scale: scale}
	case 5:
		return weights.Sphere{Radius: scale}
	case 6:
		return weights.GaussMixture{Scale: scale, Low: p, P: 0.3}
	case 7:
		return weights.Uniform{Scale: scale}
	case 8:
		return weights.Rademacher{Scale: scale}
	case 9:
		return weights.Laplace{Scale: scale}
	case 10:
		return weights.CentredExp{Scale: scale}
	case 11:
		return weights.Scaled{Law: weights.Gaussian{Scale: p}, C: scale}
	case 12:
		return weights.GaussMixture{Scale: 1, Low: 0.5, P: p}
	default:
		return weights.Gaussian{Scale: scale}
	}
}

// FuzzLaws covers Check, RadialKurtosis and the laws' Validate, Name and (for valid laws, with
// 0..6 coordinates) Fill: no panic, and either an error or a finite kurtosis >= 1 (up to
// rounding) and finite draws.
func FuzzLaws(f *testing.F) {
	for i, v := range special {
		for kind := range 14 {
			if (i+kind)%3 == 0 {
				f.Add(uint8(kind), v, special[(i+kind)%len(special)], i*3-4)
			}
		}
	}
	f.Add(uint8(13), 1.0, 0.0, math.MaxInt)
	f.Add(uint8(13), 1.0, 0.0, math.MaxInt-1)
	f.Add(uint8(4), 1.0, 6.0, 3)
	f.Add(uint8(4), 1e80, 6.0, 3)
	f.Add(uint8(11), 1e100, 1e100, 3)
	f.Add(uint8(13), 1e-100, 0.0, 3)
	f.Fuzz(func(t *testing.T, kind uint8, scale, p float64, d int) {
		l := law(kind, scale, p)
		err := weights.Check(l)
		if err == nil {
			_ = l.Name()
		}
		k, kerr := weights.RadialKurtosis(l, d)
		if kerr == nil && (!(k >= 1-1e-12) || math.IsInf(k, 0)) {
			t.Fatalf("RadialKurtosis(%#v, %d) = %v with a nil error", l, d, k)
		}
		if err != nil {
			return
		}
		w := make([]float64, ((d%7)+7)%7)
		l.Fill(rand.New(rand.NewPCG(uint64(d), 1)), w)
		for i, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s.Fill: coordinate %d is %v", l.Name(), i, v)
			}
		}
	})
}

func TestRadialKurtosisNil(t *testing.T) {
	for name, l := range map[string]weights.Law{"nil": nil, "typed nil": (*weights.Gaussian)(nil), "scaled nil": weights.Scaled{C: 1}} {
		if _, err := weights.RadialKurtosis(l, 3); err == nil {
			t.Errorf("RadialKurtosis(%s): no error", name)
		}
	}
	if k, err := weights.RadialKurtosis(weights.Gaussian{Scale: 1}, math.MaxInt); err != nil || math.Abs(k-1) > 1e-12 {
		t.Errorf("Gaussian kurtosis at d = MaxInt: %v, %v; want 1 (d (d + 2) used to overflow int)", k, err)
	}
	if k, err := weights.RadialKurtosis(weights.Gaussian{Scale: 1e100}, 3); err == nil {
		t.Errorf("Gaussian kurtosis at scale 1e100 = %v with a nil error: E|w|^4 overflows", k)
	}
}
