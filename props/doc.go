// Package props states the claims of the five papers of the ICML 2018 session "Deep Learning
// (Theory) 5" (shared/spec/) as functions: each claim, by its ID, takes its parameters and returns
// what it measured, the bound it was held to and the verdict (a Result). The rapid property tests
// in this package draw those parameters; cmd/verify runs the same functions at fixed settings.
//
// Three mechanisms are shared by every paper:
//   - the registry (Register, Claims): ID, paper, statement, a run at the command's settings and
//     the negative control, which the same check must reject;
//   - the statistical checks (MeanCheck, DiffCheck, RobustCheck, ShrinkCheck) and the false-alarm
//     budget (FalseAlarm, Comparisons) their critical values come from;
//   - the golden files (WriteGolden, CompareGolden) in the format of shared/spec/README.md.
package props
