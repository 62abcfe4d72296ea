package props

// The DAE paper's registrations: the command's settings for DAE-1 .. DAE-9, their negative
// controls, findings and figures, and the golden grid.

// stableRangeFinding is DAE-3's finding: the catalogue's stable step range is too wide with
// weight decay.
const stableRangeFinding = "stable-range"

// stableRangeCase is the finding's smallest case: D = 2, H = 1, lambda = (0.25, 0.2), sigma2 = 1,
// gamma = 0.05, rotated covariance, u0 = 0.01.
func stableRangeCase() FlowCase {
	return FlowCase{Lambda: []float64{0.25, 0.2}, H: 1, Sigma2: 1, Gamma: 0.05, U0: 0.01, Rotated: true, Seed: 1}
}
