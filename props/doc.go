// Package props states the claims of the five papers of the ICML 2018 session "Deep Learning
// (Theory) 5", one function per check, each taking one case value and returning what it
// measured, the bound it was held to and the verdict (a claim.Result). The catalogue a user reads
// is CLAIMS.md at the repository root, generated from the registrations here. The rapid property
// tests in this package draw the cases; cmd/verify runs the registered claims at the papers' own
// settings. `go test ./props` is the gate, with one false-alarm budget (package claim).
//
// Where a new paper's pieces go (its key is one short name, the same everywhere, for example
// "meanfield"):
//
//   - theory/<key>: the closed forms. Pure functions; bad arguments give errors, never a panic or
//     a silent NaN; a fuzz target per exported function.
//   - numeric/<key>: the simulations and problem builders, with randomness from an explicit seed or
//     *rand.Rand; shared numerics (estimators, weight laws, Haar matrices, finite differences,
//     Jacobians by products) are in numeric/stats, numeric/weights, numeric/orthogonal,
//     numeric/diff.
//   - props/<key>.go: the claim functions and their case types, one per check, named by claim ID
//     (KER1, KER3PSD, ...); a wrong variant is a field of the case or a function of its own, and a
//     set-up error is a failing Result (claim.Failed), never discarded.
//   - props/<key>_register.go: the paper (claim.RegisterPaper) and each claim (claim.Register)
//     with its statement, source in the paper, conditions and findings, its run at the command's
//     settings (results, figure data, evidence for its findings) and its negative controls; the
//     wrong formulas the controls use; the golden grid (<key>Golden).
//   - props/<key>_test.go: a rapid property per claim, a test that each negative control is
//     rejected, the golden test (golden/<key>.json) and the figures' test.
//   - props/<key>_gen_test.go: the rapid generators, drawing only where the claim holds.
//
// Then `make golden` writes golden/<key>.json and CLAIMS.md, and `make test` must pass.
package props
