package conform

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dlt5/verify/conform/gotestee"
	"github.com/dlt5/verify/conform/protocol"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
	"pgregory.net/rapid"
)

// skipShort skips t under -short (the quick loop): it runs every property or every fault, seconds
// of processes that the full go test (the CI gate) runs.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: seconds of processes; the full go test runs it")
	}
}

var long = flag.Bool("long", false, "full runs of the Go and Python programs and of every fault, timed against the budgets (20 s, 60 s)")

// TestMain doubles as the programs under test: with CONFORM_TESTEE set, the test binary speaks
// the protocol (the Go program, or a misbehaving one) instead of running tests.
func TestMain(m *testing.M) {
	mode := os.Getenv("CONFORM_TESTEE")
	if mode == "" {
		os.Exit(m.Run())
	}
	if mode == "go" {
		if err := gotestee.Serve(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	misbehave(mode)
}

// misbehave is a program that answers like the Go program until a request with the op named
// after its mode's colon, where it breaks the protocol the way the mode says.
func misbehave(mode string) {
	what, op, _ := strings.Cut(mode, ":")
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			os.Exit(0)
		}
		req, _ := protocol.DecodeRequest(line)
		reply := gotestee.Answer(line)
		if req.Op == "hello" {
			switch what {
			case "bad-hello":
				fmt.Println("hello yourself")
				continue
			case "only-kappa":
				reply.Result["ops"] = []any{"kernel.kappa"}
			}
			os.Stdout.Write(protocol.AppendReply(nil, reply))
			if what == "noread" { // answers without reading its requests: the runner's writes fill the pipe
				// Shrink the pipe to one page (Linux F_SETPIPE_SZ = 1031), so that it fills after
				// about 60 requests whatever rapid's case count (under -short rapid draws fewer
				// cases, and 661 requests never filled 64 KiB).
				if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 0, 1031, 4096); errno != 0 {
					fmt.Fprintln(os.Stderr, "noread: F_SETPIPE_SZ on stdin:", errno) // a crash the test reports, not a silent 64 KiB pipe
					os.Exit(3)
				}
				for id := int64(1); ; id++ {
					os.Stdout.Write(protocol.AppendReply(nil, protocol.Reply{ID: id, IsError: true, Error: "not reading"}))
				}
			}
			if what == "exit-after-hello" {
				fmt.Fprintln(os.Stderr, "exit-after-hello: done")
				os.Exit(0)
			}
			continue
		}
		if req.Op == op {
			switch what {
			case "hang":
				time.Sleep(time.Hour)
			case "grandchild-hang":
				cmd := exec.Command("sleep", "1000")
				if err := cmd.Start(); err == nil {
					_ = os.WriteFile(os.Getenv("CONFORM_PIDFILE"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
				}
				time.Sleep(time.Hour)
			case "crash":
				fmt.Fprintln(os.Stderr, "panic: something broke")
				fmt.Fprintln(os.Stderr, "goroutine 1 [running]: main.answer()")
				os.Exit(3)
			case "garbage":
				fmt.Println("this is not json")
				continue
			case "wrongid":
				reply.ID++
			case "nan": // what Python's json.dumps writes for float("nan")
				fmt.Printf("{\"id\": %d, \"result\": {\"kappa\": NaN}}\n", req.ID)
				continue
			}
		}
		if what == "perturb" {
			reply = perturb(line, reply)
		}
		os.Stdout.Write(protocol.AppendReply(nil, reply))
	}
}

// perturb is a wrong program: every number it answers is off by a relative 1e-6 (a different one
// for each request and field), and it answers every request that must get an error reply.
func perturb(line []byte, r protocol.Reply) protocol.Reply {
	if r.IsError {
		return protocol.Reply{ID: r.ID, Result: map[string]any{}}
	}
	h := fnv.New64a()
	h.Write(line)
	seed := h.Sum64()
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case float64:
			seed = seed*6364136223846793005 + 1442695040888963407
			return x * (1 + 1e-6*(0.5+float64(seed>>11)/(1<<53)))
		case []float64:
			out := make([]float64, len(x))
			for i, e := range x {
				out[i] = walk(e).(float64)
			}
			return out
		case [][]float64:
			out := make([][]float64, len(x))
			for i, e := range x {
				out[i] = walk(e).([]float64)
			}
			return out
		}
		return v
	}
	out := map[string]any{}
	for k, v := range r.Result {
		out[k] = walk(v)
	}
	return protocol.Reply{ID: r.ID, Result: out}
}

// self returns the argv that runs this test binary as the program of mode.
func self(t testing.TB, mode string, env ...string) []string {
	envPath, err := exec.LookPath("env")
	if err != nil {
		t.Skip("no env command")
	}
	return append(append([]string{envPath, "CONFORM_TESTEE=" + mode}, env...), os.Args[0])
}

var (
	pythonOnce sync.Once
	pythonPath string // a python3 with numpy, or "" for none
)

// python returns the argv of the bundled Python program, or skips (fails with
// DLT5_REQUIRE_DATA=1, as in CI) when no python3 with numpy is installed.
func python(t testing.TB, args ...string) []string {
	script, err := filepath.Abs("python/conform_testee.py")
	if err != nil {
		t.Fatal(err)
	}
	pythonOnce.Do(func() { // each look costs a numpy import (0.2 s CPU): once per test binary
		for _, py := range []string{"/usr/bin/python3", "python3"} {
			if exec.Command(py, "-c", "import numpy").Run() == nil {
				pythonPath = py
				return
			}
		}
	})
	if pythonPath != "" {
		return append([]string{pythonPath, script}, args...)
	}
	if os.Getenv("DLT5_REQUIRE_DATA") == "1" {
		t.Fatal("no python3 with numpy (Debian python3-numpy), and DLT5_REQUIRE_DATA=1")
	}
	t.Skip("no python3 with numpy (Debian python3-numpy): the Python program cannot run")
	return nil
}

func run(t testing.TB, argv []string, o Options) *Report {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Seed == 0 {
		o.Seed = 20180710
	}
	if o.ShrinkTime == 0 {
		o.ShrinkTime = 2 * time.Second
	}
	rep, err := Run(argv, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func report(rep *Report) string {
	var b bytes.Buffer
	printReport(&b, rep, true)
	return b.String()
}

// checks is the case cap of the default runs (go test ./... stays quick); -long runs each
// property at its own count.
func checks() int {
	if *long {
		return 0
	}
	return 4
}

func TestGoProgramPasses(t *testing.T) {
	start := time.Now()
	rep := run(t, self(t, "go"), Options{Checks: checks()})
	if rep.Status() != 0 || len(rep.Rows) != len(registry) {
		t.Fatalf("status %d, %d rows of %d:\n%s", rep.Status(), len(rep.Rows), len(registry), report(rep))
	}
	for _, r := range rep.Rows {
		if r.Verdict != "PASS" {
			t.Errorf("%s/%s: %s", r.Op, r.Property, r.Verdict)
		}
	}
	t.Logf("Go program: %d properties, %d requests, %.1f us per round trip, %.2f s", len(rep.Rows), rep.Requests, rep.MeanRoundTrip*1e6, time.Since(start).Seconds())
	if *long && time.Since(start) > 20*time.Second {
		t.Errorf("the full run against the Go program took %v, over the 20 s budget", time.Since(start))
	}
}

func TestPythonProgramPasses(t *testing.T) {
	argv := python(t)
	start := time.Now()
	rep := run(t, argv, Options{Checks: checks()})
	if rep.Status() != 0 {
		t.Fatalf("status %d:\n%s", rep.Status(), report(rep))
	}
	for _, r := range rep.Rows {
		if r.Verdict != "PASS" {
			t.Errorf("%s/%s: %s", r.Op, r.Property, r.Verdict)
		}
	}
	t.Logf("Python program: %d properties, %d requests, %.1f us per round trip, %.2f s", len(rep.Rows), rep.Requests, rep.MeanRoundTrip*1e6, time.Since(start).Seconds())
	if *long && time.Since(start) > 60*time.Second {
		t.Errorf("the full run against the Python program took %v, over the 60 s budget", time.Since(start))
	}
}

// TestTimescaleEdge: at sw2 = 0 with identical inputs chi_1 = 0 and the timescale is null; the
// Python program answered "math domain error" (-1/ln 0) there, which 8 drawn cases missed (the
// edge is drawn about once in 50 cases). (The Go program is theory/ itself.)
func TestTimescaleEdge(t *testing.T) {
	rep := run(t, python(t), Options{Property: "meanfield.vanilla_timescale/theory", Case: `{"sw2":0,"sv2":0,"sb2":1,"R":0}`})
	if rep.Status() != 0 {
		t.Errorf("%s", report(rep))
	}
}

// faults are the Python program's faulty variants, the property that must catch each, and every
// property a full run may fail with it (-long checks the full run fails no other).
var faults = []struct {
	fault, property string
	also            []string
}{
	{"tbptt-short", "rbp.tbptt/theory", []string{"rbp.neumann/tbptt", "rbp.bptt/theory"}},
	{"vjp-j", "rbp.neumann/theory", []string{"rbp.tbptt/theory", "rbp.bptt/theory", "rbp.cg/theory", "rbp.cg/converges", "rbp.cg/iterations", "rbp.cg/tolerance", "rbp.original/theory"}},
	{"cg-no-damping", "rbp.cg/theory", []string{"rbp.cg/iterations", "rbp.cg/tolerance"}},
	{"kappa-direct", "kernel.kappa/theory", nil},
	{"qmap-missing-term", "meanfield.vanilla/theory", []string{"meanfield.vanilla_timescale/theory"}},
	{"bound-log10", "cnnbound.bound/theory", nil},
	{"critical-iterate", "meanfield.vanilla/theory", []string{"meanfield.vanilla_timescale/theory"}},
	{"cg-iterations-ignored", "rbp.cg/iterations", nil},
	{"cg-absolute-tol", "rbp.cg/tolerance", nil},
	{"fixed-point-loose", "rbp.fixed_point/theory", []string{"rbp.neumann/theory", "rbp.neumann/tbptt", "rbp.tbptt/theory", "rbp.cg/theory", "rbp.cg/iterations", "rbp.cg/tolerance", "rbp.original/theory"}},
	{"pooling-floored", "cnnbound.bound/bad-input", nil},
	{"count-truncated", "kernel.deep/bad-input", []string{"rbp.neumann/bad-input", "rbp.tbptt/bad-input", "rbp.bptt/bad-input", "rbp.cg/bad-input", "rbp.original/bad-input"}},
}

// TestFaultsCaught: each faulty variant fails the property that must catch it, with a wrong
// answer, a shrunk case printed as request and reply, and a replay command that judges just that
// case again (and fails again).
func TestFaultsCaught(t *testing.T) {
	skipShort(t)
	python(t)
	for _, f := range faults {
		t.Run(f.fault, func(t *testing.T) {
			argv := python(t, "--fault", f.fault)
			shrink := 100 * time.Millisecond // a shrunk case, not the smallest one: go test ./conform stays quick
			if *long {
				shrink = 5 * time.Second
			}
			rep := run(t, argv, Options{Property: f.property, ShrinkTime: shrink})
			want := classWrong
			if strings.HasSuffix(f.property, "/bad-input") {
				want = classNoError
			}
			if len(rep.Rows) != 1 || rep.Rows[0].Verdict != "FAIL" || rep.Rows[0].Class != want {
				t.Fatalf("%s not caught by %s:\n%s", f.fault, f.property, report(rep))
			}
			r := rep.Rows[0]
			if r.Case == "" || len(r.Exchanges) == 0 || !strings.Contains(r.Exchanges[0].Request, `"op":"`) || !strings.Contains(r.Replay, "-property "+f.property) {
				t.Fatalf("the failure is not reported with its case, exchanges and replay:\n%s", report(rep))
			}
			t.Logf("%s: caught by %s after %d cases; shrunk case %s; measured %.4g > bound %.4g (%s)", f.fault, f.property, r.Cases, r.Case, r.Measured, r.Bound, r.What)
			again := run(t, argv, Options{Property: f.property, Case: r.Case})
			if len(again.Rows) != 1 || again.Rows[0].Verdict != "FAIL" || again.Rows[0].Cases != 1 {
				t.Fatalf("the replay of %s did not fail on its one case:\n%s", r.Case, report(again))
			}
			if !*long {
				return
			}
			full := run(t, argv, Options{})
			allowed := map[string]bool{f.property: true}
			for _, p := range f.also {
				allowed[p] = true
			}
			var failed []string
			for _, row := range full.Rows {
				id := row.Op + "/" + row.Property
				if row.failing() {
					failed = append(failed, id)
					if !allowed[id] {
						t.Errorf("%s fails %s too (%s): %s", f.fault, id, row.Verdict, row.Detail)
					}
				}
			}
			t.Logf("%s: a full run fails %v in %.1f s", f.fault, failed, full.Seconds)
		})
	}
}

// TestEveryPropertyCanFail: a program whose every number is off by a relative 1e-6, and which
// answers what it must refuse, fails every property. The first failure is the verdict, so the run
// barely shrinks (1 ms; 50 ms cost about 1.2 s of CPU over the properties); TestCrashIsReported and
// TestFaultsCaught hold the shrinking.
func TestEveryPropertyCanFail(t *testing.T) {
	skipShort(t)
	rep := run(t, self(t, "perturb"), Options{Checks: 40, ShrinkTime: time.Millisecond})
	for _, r := range rep.Rows {
		if r.Verdict != "FAIL" {
			t.Errorf("%s/%s: %s against answers off by 1e-6 (%d cases)", r.Op, r.Property, r.Verdict, r.Cases)
		}
	}
	if len(rep.Rows) != len(registry) {
		t.Errorf("%d rows for %d properties", len(rep.Rows), len(registry))
	}
}

func TestHangIsATimeout(t *testing.T) {
	start := time.Now()
	rep := run(t, self(t, "hang:kernel.deep"), Options{Paper: "kernel", Timeout: 300 * time.Millisecond})
	if time.Since(start) > 10*time.Second {
		t.Errorf("a hanging program held the run for %v", time.Since(start))
	}
	saw := false
	for _, r := range rep.Rows {
		switch r.Op {
		case "kernel.kappa":
			if r.Verdict != "PASS" {
				t.Errorf("%s/%s: %s before the hang", r.Op, r.Property, r.Verdict)
			}
		case "kernel.deep":
			if r.Verdict != "TIMEOUT" || !strings.Contains(r.Detail, "(kernel.deep)") || !strings.Contains(r.Detail, "no reply within 300ms") || !strings.Contains(r.Detail, "request ") {
				t.Errorf("%s/%s: %s %q", r.Op, r.Property, r.Verdict, r.Detail)
			}
			saw = true
		}
	}
	if !saw || rep.Status() == 0 {
		t.Errorf("status %d:\n%s", rep.Status(), report(rep))
	}
}

func TestCrashIsReported(t *testing.T) {
	skipShort(t)
	rep := run(t, self(t, "crash:dae.ustar"), Options{Op: "dae.ustar,dae.u", ShrinkTime: 500 * time.Millisecond})
	for _, r := range rep.Rows {
		if r.Op != "dae.ustar" && !(r.Property == "monotone") {
			continue
		}
		if r.Verdict != "CRASH" || !strings.Contains(r.Detail, "exit status 3") || !strings.Contains(r.Detail, "panic: something broke") || !strings.Contains(r.Detail, "(dae.ustar)") {
			t.Errorf("%s/%s: %s %q", r.Op, r.Property, r.Verdict, r.Detail)
		}
		// the crash happens on every dae.ustar request: rapid shrinks it to the simplest one
		if r.Property == "theory" && !strings.Contains(r.Case, `"lambda":0`) {
			t.Errorf("%s/%s: the crash was not shrunk: %s", r.Op, r.Property, r.Case)
		}
	}
	if rep.Status() != 1 {
		t.Errorf("status %d:\n%s", rep.Status(), report(rep))
	}
}

func TestProtocolErrors(t *testing.T) {
	skipShort(t) // 1.4 s of restarts; -short keeps TestHangIsATimeout and TestProcessGroupEnded
	for _, mode := range []string{"garbage:kernel.kappa", "wrongid:kernel.kappa"} {
		rep := run(t, self(t, mode), Options{Op: "kernel.kappa", ShrinkTime: 200 * time.Millisecond})
		if rep.Status() != 2 {
			t.Errorf("%s: status %d, want 2:\n%s", mode, rep.Status(), report(rep))
		}
		for _, r := range rep.Rows {
			if r.Verdict != "PROTOCOL" || !strings.Contains(r.Detail, "request ") {
				t.Errorf("%s: %s/%s: %s %q", mode, r.Op, r.Property, r.Verdict, r.Detail)
			}
		}
	}
	rep := run(t, self(t, "exit-after-hello"), Options{Op: "kernel.kappa", ShrinkTime: 200 * time.Millisecond})
	for _, r := range rep.Rows {
		if r.Verdict != "CRASH" || !strings.Contains(r.Detail, "exit status 0") || !strings.Contains(r.Detail, "exit-after-hello: done") {
			t.Errorf("exit-after-hello: %s/%s: %s %q", r.Op, r.Property, r.Verdict, r.Detail)
		}
	}
	rep = run(t, self(t, "bad-hello"), Options{Op: "kernel.kappa"})
	if rep.Fatal == "" || rep.Status() != 2 || len(rep.Rows) != 0 {
		t.Errorf("bad hello: status %d, fatal %q", rep.Status(), rep.Fatal)
	}
	rep = run(t, []string{filepath.Join(t.TempDir(), "no-such-program")}, Options{Op: "kernel.kappa"})
	if rep.Fatal == "" || rep.Status() != 2 {
		t.Errorf("missing program: status %d, fatal %q", rep.Status(), rep.Fatal)
	}
}

// TestNotReadingIsATimeout: a program that answers without reading its input makes the runner's
// writes block once the pipe is full (64 KiB); the write deadline turns that into a TIMEOUT (it
// held the runner forever before).
func TestNotReadingIsATimeout(t *testing.T) {
	skipShort(t) // 1.5 s of filling a pipe; the full go test runs it
	start := time.Now()
	// The child shrinks its pipe to one page, which fills after about 60 requests, before the first
	// property's failure has shrunk (with 64 KiB, 661 requests under -short never filled it).
	rep := run(t, self(t, "noread"), Options{Op: "kernel.kappa,kernel.deep,rbp.fixed_point", Timeout: 300 * time.Millisecond, ShrinkTime: 200 * time.Millisecond})
	if time.Since(start) > 20*time.Second {
		t.Errorf("a program that does not read its input held the run for %v", time.Since(start))
	}
	saw := false
	for _, r := range rep.Rows {
		saw = saw || r.Verdict == "TIMEOUT" && strings.Contains(r.Detail, "not reading its input")
	}
	if !saw || rep.Status() == 0 {
		t.Errorf("no TIMEOUT for the blocked write, or status %d:\n%s", rep.Status(), report(rep))
	}
}

// TestNaNIsAWrongAnswer: a NaN answer (Python's bare NaN token) is a failure of the case, not a
// protocol error.
func TestNaNIsAWrongAnswer(t *testing.T) {
	rep := run(t, self(t, "nan:kernel.kappa"), Options{Property: "kernel.kappa/theory", ShrinkTime: 200 * time.Millisecond})
	if r := rep.Rows[0]; r.Verdict != "FAIL" || r.Class != classNonFinite || rep.Status() != 1 {
		t.Errorf("%s", report(rep))
	}
}

// TestProcessGroupEnded: a hanging program's own child is ended with it.
func TestProcessGroupEnded(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep command")
	}
	pidfile := filepath.Join(t.TempDir(), "pid")
	rep := run(t, self(t, "grandchild-hang:kernel.kappa", "CONFORM_PIDFILE="+pidfile), Options{Property: "kernel.kappa/theory", Timeout: 300 * time.Millisecond})
	if rep.Rows[0].Verdict != "TIMEOUT" {
		t.Fatalf("%s", report(rep))
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(b))
	deadline := time.Now().Add(3 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		gone := syscall.Kill(pid, 0) == syscall.ESRCH || (err == nil && bytes.Contains(stat, []byte(") Z ")))
		if gone {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the program's child %d outlived the run", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUnsupportedOps(t *testing.T) {
	rep := run(t, self(t, "only-kappa"), Options{Paper: "kernel", Checks: 3})
	for _, r := range rep.Rows {
		want := "PASS"
		if r.Op != "kernel.kappa" {
			want = "SKIP"
		}
		if r.Verdict != want {
			t.Errorf("%s/%s: %s, want %s", r.Op, r.Property, r.Verdict, want)
		}
	}
	if rep.Status() != 0 {
		t.Errorf("skips fail the run")
	}
	rep = run(t, self(t, "only-kappa"), Options{Op: "kernel.deep", Require: true})
	if rep.Status() != 1 || rep.Rows[0].Verdict != "FAIL" {
		t.Errorf("-require: %s", report(rep))
	}
}

func TestKnownFailures(t *testing.T) {
	rep := run(t, self(t, "go"), Options{Op: "kernel.kappa", KnownFailures: []string{"kernel.kappa/theory"}, Checks: 3})
	if rep.Status() != 1 {
		t.Errorf("a listed property that passes must fail the run:\n%s", report(rep))
	}
	for _, r := range rep.Rows {
		if r.Property == "theory" && r.Verdict != "XPASS" {
			t.Errorf("listed and passing: %s", r.Verdict)
		}
	}
	rep = run(t, self(t, "perturb"), Options{Op: "kernel.kappa", KnownFailures: []string{"kernel.kappa/theory", "kernel.kappa/bad-input"}, Checks: 20, ShrinkTime: 50 * time.Millisecond})
	if rep.Status() != 0 {
		t.Errorf("listed failures must not fail the run:\n%s", report(rep))
	}
	for _, r := range rep.Rows {
		if r.Verdict != "XFAIL" {
			t.Errorf("%s/%s: %s, want XFAIL", r.Op, r.Property, r.Verdict)
		}
	}
	if _, err := Run(self(t, "go"), Options{KnownFailures: []string{"no.such/property"}, Timeout: time.Second}); err == nil {
		t.Error("an unknown property in the known-failures list was accepted")
	}
	file := filepath.Join(t.TempDir(), "known")
	if err := os.WriteFile(file, []byte("# open bugs\nkernel.kappa/theory  # issue 1\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ids, err := readKnownFailures(file)
	if err != nil || len(ids) != 1 || ids[0] != "kernel.kappa/theory" {
		t.Errorf("readKnownFailures: %v %v", ids, err)
	}
}

func TestMainCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"-no-such-flag"}, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
	if code := Main(nil, &out, &errOut); code != 2 {
		t.Errorf("no program: exit %d", code)
	}
	if code := Main([]string{"-op", "no.such", "--", "true"}, &out, &errOut); code != 2 {
		t.Errorf("no matching property: exit %d", code)
	}
	out.Reset()
	if code := Main([]string{"-list"}, &out, &errOut); code != 0 || strings.Count(out.String(), "/") < len(registry) {
		t.Errorf("-list: exit %d\n%s", code, out.String())
	}
	out.Reset()
	argv := self(t, "go")
	if code := Main(append([]string{"-op", "dae.ustar", "-checks", "3", "--"}, argv...), &out, &errOut); code != 0 || !strings.Contains(out.String(), "conform: 2 properties") {
		t.Errorf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := Main(append([]string{"-op", "dae.ustar", "-checks", "3", "-json", "--"}, argv...), &out, &errOut); code != 0 || !strings.Contains(out.String(), `"verdict": "PASS"`) {
		t.Errorf("-json: exit %d\n%s", code, out.String())
	}
	out.Reset()
	errOut.Reset()
	// a hand-written case that does not fit (U has 1 row, W 2): a bad flag, not a panic
	badCase := `{"problem":{"W":[[0.5,0],[0,0.5]],"U":[[1]],"x":[1],"c":[1],"y":[1]},"K":1}`
	if code := Main(append([]string{"-property", "rbp.neumann/theory", "-case", badCase, "--"}, argv...), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "is not a case of rbp.neumann/theory") {
		t.Errorf("a -case that does not fit: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if got := replayCommand("a/b", "{}", time.Second, []string{"prog"}); !strings.Contains(got, "-timeout 1s --") {
		t.Errorf("the replay command drops a non-default -timeout: %s", got)
	}
	out.Reset()
	if code := Main(append([]string{"-property", "kernel.kappa/theory", "--"}, self(t, "perturb")...), &out, &errOut); code != 1 ||
		!strings.Contains(out.String(), "replay: go run ./cmd/verify conform -property kernel.kappa/theory -case '{") || !strings.Contains(out.String(), `  > {"id":`) {
		t.Errorf("a failure's report: exit %d\n%s", code, out.String())
	}
}

// TestDeepStepBound holds the bound kernel.deep/fixed-point uses on theory/kernel's map:
// theta' <= theta / (1 + c theta), c = (1-a)^2 / (3 pi (1 + a^2)), to rounding.
func TestDeepStepBound(t *testing.T) {
	for _, a := range []float64{0, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.8, 0.99, 1} {
		c := deepRate(a)
		for i := 1; i <= 20000; i++ {
			for _, theta := range []float64{math.Pi * float64(i) / 20000, math.Pow(10, -15*float64(i)/20000)} {
				next, err := kernel.DepthStep(theta, a)
				if err != nil {
					t.Fatal(err)
				}
				if bound := theta / (1 + c*theta); next > bound*(1+4*eps) {
					t.Fatalf("a = %v, theta = %v: theta' = %v above theta/(1 + c theta) = %v", a, theta, next, bound)
				}
			}
		}
	}
}

// TestCGDrawsZeroRHS: rbp.cg/theory draws y = h* (b = 0, the relative residual's denominator 0)
// about one case in ten; a CG that tests |r|/|rhs| <= tol before its first step answered 0/0
// there and passed, with no such case drawn.
func TestCGDrawsZeroRHS(t *testing.T) {
	initRapid()
	setRapid(200, 7, time.Second)
	zero, all := 0, 0
	rapid.Check(t, func(rt *rapid.T) {
		all++
		if floats.Norm(drawCG(rt).Problem.ref().b, 2) == 0 {
			zero++
		}
	})
	if zero < all/20 {
		t.Errorf("b = 0 in %d of %d drawn CG cases", zero, all)
	}
}

// TestPropertySeed: the seed depends on the run's seed and the property's id (so a property draws
// the same cases alone or with the others), and is never 0 (rapid's "random").
func TestPropertySeed(t *testing.T) {
	if propertySeed(1, "a") == propertySeed(1, "b") || propertySeed(1, "a") == propertySeed(2, "a") {
		t.Error("propertySeed ignores the seed or the id")
	}
	for _, p := range Properties() {
		if propertySeed(0, p.ID) == 0 {
			t.Errorf("%s: seed 0", p.ID)
		}
	}
	if shellQuote("a b'c") != `'a b'\''c'` || shellQuote("/usr/bin/python3") != "/usr/bin/python3" {
		t.Error("shellQuote")
	}
}

// BenchmarkRoundTrip measures one request over the pipe to the Go program and back, encoding and
// decoding included (kernel.kappa: the program's own work is ~50 ns).
func BenchmarkRoundTrip(b *testing.B) {
	s := newSession(self(b, "go"), 10*time.Second, nil)
	if err := s.start(); err != nil {
		b.Fatal(err)
	}
	defer s.close()
	in := map[string]any{"theta": 1.0, "a": 0.1}
	b.ResetTimer()
	for range b.N {
		s.beginCase()
		if s.answer("kernel.kappa", in).float("kappa") <= 0 {
			b.Fatal("kappa <= 0")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/request")
}
