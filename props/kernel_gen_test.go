package props

import (
	"math"

	"github.com/dlt5/verify/numeric/weights"
	"pgregory.net/rapid"
)

// lightRotLaw draws a rotationally invariant law with light tails: a moderateRotLaw or a Gaussian
// scale mixture (whose radial kurtosis can reach ~18).
func lightRotLaw() *rapid.Generator[weights.Law] {
	mixture := rapid.Custom(func(t *rapid.T) weights.Law {
		return weights.GaussMixture{Scale: rapid.Float64Range(0.1, 3).Draw(t, "scale"),
			Low: rapid.Float64Range(0.05, 1).Draw(t, "low"), P: rapid.Float64Range(0.05, 0.95).Draw(t, "p")}
	})
	return rapid.OneOf(moderateRotLaw(), mixture)
}

// moderateRotLaw draws a rotationally invariant law of small radial kurtosis (Gaussian, sphere,
// Student-t with nu >= 30): the laws a negative control uses, so that the effect it must detect
// stands far beyond the bound (a scale mixture with E V^2 near 18 pushes the z-test to the
// robust bound, whose radius then exceeds the effect).
func moderateRotLaw() *rapid.Generator[weights.Law] {
	return rapid.Custom(func(t *rapid.T) weights.Law {
		scale := rapid.Float64Range(0.1, 3).Draw(t, "scale")
		switch rapid.IntRange(0, 2).Draw(t, "law") {
		case 0:
			return weights.Gaussian{Scale: scale}
		case 1:
			return weights.StudentT{Nu: rapid.Float64Range(HeavyNu, 100).Draw(t, "nu"), Scale: scale}
		default:
			return weights.Sphere{Radius: scale}
		}
	})
}

// iidLaw draws one of the i.i.d. laws that are not rotationally invariant.
func iidLaw() *rapid.Generator[weights.Law] {
	return rapid.Custom(func(t *rapid.T) weights.Law {
		scale := rapid.Float64Range(0.1, 3).Draw(t, "scale")
		return []weights.Law{weights.Uniform{Scale: scale}, weights.Rademacher{Scale: scale}, weights.Laplace{Scale: scale},
			weights.CentredExp{Scale: scale}}[rapid.IntRange(0, 3).Draw(t, "law")]
	})
}

// vector draws a vector in R^d with entries in [-10, 10].
func vector(d int) *rapid.Generator[[]float64] {
	return rapid.SliceOfN(rapid.Float64Range(-10, 10), d, d)
}

// nonZeroVector draws a vector with |x| >= 1e-3.
func nonZeroVector(d int) *rapid.Generator[[]float64] {
	return vector(d).Filter(func(x []float64) bool { return norm(x) >= 1e-3 })
}

// pair draws two non-zero inputs in R^d: independent, at an angle drawn uniformly in [0, pi]
// (independent vectors concentrate near pi/2 as d grows), nearly parallel, or nearly
// antiparallel. A zero input (k = 0 exactly) is a unit test, TestKER1Trivial.
func pair(d int) *rapid.Generator[[2][]float64] {
	return rapid.Custom(func(t *rapid.T) [2][]float64 {
		x := nonZeroVector(d).Draw(t, "x")
		z := nonZeroVector(d).Draw(t, "z")
		y := make([]float64, d)
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			copy(y, z)
		case 1:
			y = atAngle(t, x, rapid.Float64Range(0, math.Pi).Draw(t, "theta"))
		case 2, 3:
			sign := 1.0
			if rapid.Bool().Draw(t, "antiparallel") {
				sign = -1
			}
			eps := math.Pow(10, rapid.Float64Range(-9, -1).Draw(t, "log10 eps"))
			for i := range y {
				y[i] = sign*x[i] + eps*z[i]
			}
		}
		return [2][]float64{x, y}
	})
}

// atAngle returns y in R^d at angle theta from x (d >= 2), in the plane of x and a drawn vector.
func atAngle(t *rapid.T, x []float64, theta float64) []float64 {
	d := len(x)
	z := nonZeroVector(d).Filter(func(z []float64) bool {
		return math.Abs(dot(z, x))/(norm(z)*norm(x)) < 0.99
	}).Draw(t, "direction")
	nx := norm(x)
	u := make([]float64, d)
	c := dot(z, x) / (nx * nx)
	for i := range u {
		u[i] = z[i] - c*x[i]
	}
	nu := norm(u)
	y := make([]float64, d)
	for i := range y {
		y[i] = math.Cos(theta)*x[i]/nx + math.Sin(theta)*u[i]/nu
	}
	return y
}

func norm(x []float64) float64 { return math.Sqrt(dot(x, x)) }

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}
