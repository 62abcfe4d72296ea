// Package claim is the machinery of the verification suite, shared by every paper and specific to
// none:
//
//   - Result, the outcome of one check: what was measured, the bound it was held to, the verdict
//     (or a skip with its reason), and, for a Monte-Carlo check, its power: the smallest relative
//     error it can detect at its sample size;
//   - Claim and the registry (Register, Claims, Lookup, Papers): a claim's ID, statement, source in
//     the paper, conditions and registered findings, a run at the command's settings that returns
//     its results, figure data and measured findings, and its negative control;
//   - the statistical checks (MeanCheck, DiffCheck, ShrinkCheck, RobustCheck, RelCheck, ...) and the
//     false-alarm budget (FalseAlarm, Comparisons) their critical values come from;
//   - golden files (EncodeGolden, WriteGolden, CompareGolden, CheckGolden) with numeric and text
//     arguments, and the generated catalogue (Catalogue, which writes CLAIMS.md).
//
// The claims themselves are in package props; cmd/verify draws the figures and prints the table.
package claim
