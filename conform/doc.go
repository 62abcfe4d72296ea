// Package conform checks another program's implementation of the suite's formulas: a conformance
// runner in the manner of protobuf's conformance tester. It starts the program, speaks
// newline-delimited JSON to it over stdin/stdout (PROTOCOL.md: a hello with the protocol version
// and the ops the program supports, then one request per line), and applies properties to the
// answers: each op against theory/ (or numeric/rbp) at tolerances derived from the rounding and
// the conditioning of the quantity, reference-free identities between answers, and error replies
// to requests outside the op's domain. Cases are drawn and shrunk by pgregory.net/rapid, driven
// outside go test through a small testing.TB; a failure is reported with the request and reply
// lines of its shrunk case and a command that judges just that case.
//
// The runner is robust to the program: a per-request timeout, crashes reported with the program's
// last stderr lines, garbage and wrong ids reported as protocol errors, and the program's whole
// process group ended (it is started with Setpgid and killed with kill(-pgid)).
//
//	go run ./cmd/verify conform -- /usr/bin/python3 conform/python/conform_testee.py
//	go run ./cmd/verify conform -paper rbp -known-failures known.txt -- ./my-impl
//
// Two programs ship with it: cmd/conform-go (package gotestee: theory/ and numeric/ themselves)
// and python/conform_testee.py (numpy only, the template to copy), whose --fault flag selects one
// of six plausible bugs that the tests show are caught.
package conform
