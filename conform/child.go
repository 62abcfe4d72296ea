package conform

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dlt5/verify/conform/protocol"
)

// Transport failures: what can go wrong with the program rather than with its answers.
const (
	kindCrash    = "CRASH"    // the program exited, or closed its output
	kindTimeout  = "TIMEOUT"  // no reply within the per-request timeout
	kindProtocol = "PROTOCOL" // a reply that breaks the protocol (not JSON, wrong id, ...)
)

// transportError is a failure of the program under test to hold up its side of the protocol. The
// program has been stopped (its whole process group killed) when one is returned.
type transportError struct {
	kind    string
	request int64  // the id of the request the runner was on
	op      string // its op
	detail  string
	stderr  []string // the program's last lines on stderr
}

func (e *transportError) Error() string {
	word := map[string]string{kindCrash: "crash", kindTimeout: "timeout", kindProtocol: "protocol error"}[e.kind]
	msg := fmt.Sprintf("%s on request %d (%s): %s", word, e.request, e.op, e.detail)
	if len(e.stderr) > 0 {
		msg += "; last stderr lines:\n    " + strings.Join(e.stderr, "\n    ")
	}
	return msg
}

// stderrLines is how many of the program's last stderr lines a crash report keeps.
const stderrLines = 12

// tail keeps the last lines written to the program's stderr.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	t.lines = append(t.lines, s)
	if len(t.lines) > stderrLines {
		t.lines = t.lines[len(t.lines)-stderrLines:]
	}
}

func (t *tail) get() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.lines...)
}

// child is one running instance of the program under test, started in its own process group so
// that everything it starts can be ended with it.
type child struct {
	cmd        *exec.Cmd
	stdin      *os.File // written with a deadline: a program that stops reading cannot block the runner
	w          *bufio.Writer
	stdout     *os.File // read with a deadline: the per-request timeout
	out        *bufio.Reader
	stderr     tail
	stderrDone chan struct{}
	timeout    time.Duration
	dead       bool
	// From the hello.
	name string
	ops  map[string]bool
	// echo, when not nil, receives the program's stderr as it comes.
	echo io.Writer
}

// startChild starts argv and makes the hello exchange. An error is a protocol error of the program
// (or a program that cannot be started); the program has been stopped when one is returned.
func startChild(argv []string, timeout time.Duration, echo io.Writer) (*child, error) {
	if len(argv) == 0 {
		return nil, errors.New("no program to run")
	}
	c := &child{cmd: exec.Command(argv[0], argv[1:]...), stderrDone: make(chan struct{}), timeout: timeout, echo: echo}
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The write end of the program's input and the read end of its output are pipes from
	// os.Pipe, which the runtime polls: writes and reads take deadlines, so a program that hangs,
	// leaves a grandchild holding a pipe, or stops reading its input (the runner's write blocks
	// once the pipe's buffer is full) cannot hold the runner.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		_, _ = inR.Close(), inW.Close()
		return nil, err
	}
	c.cmd.Stdin, c.stdin = inR, inW
	c.cmd.Stdout = w
	c.stdout = r
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		_, _, _, _ = inR.Close(), inW.Close(), r.Close(), w.Close()
		return nil, err
	}
	err = c.cmd.Start()
	_, _ = w.Close(), inR.Close() // the program has its copies
	if err != nil {
		_, _ = r.Close(), inW.Close()
		return nil, fmt.Errorf("cannot start %q: %v", argv[0], err)
	}
	c.w = bufio.NewWriterSize(c.stdin, 1<<16)
	c.out = bufio.NewReaderSize(r, 1<<16)
	go c.readStderr(stderr)
	hello := protocol.AppendRequest(nil, protocol.Request{ID: 0, Op: "hello", Inputs: map[string]any{"protocol": protocol.Version}})
	line, err := c.roundTrip(hello, 0, "hello")
	if err != nil {
		return nil, err
	}
	if err := c.hello(line); err != nil {
		c.stop()
		return nil, &transportError{kind: kindProtocol, request: 0, op: "hello", detail: err.Error() + ": reply " + clip(string(line), 300), stderr: c.stderr.get()}
	}
	return c, nil
}

// hello reads the hello reply: protocol version, ops, name.
func (c *child) hello(line []byte) error {
	r, err := protocol.DecodeReply(line)
	if err != nil {
		return err
	}
	if r.ID != 0 {
		return fmt.Errorf("the hello reply has id %d, want 0", r.ID)
	}
	if r.IsError {
		return fmt.Errorf("the program refused the hello: %s", r.Error)
	}
	v, err := protocol.Int(r.Result["protocol"])
	if err != nil || v != protocol.Version {
		return fmt.Errorf("the program speaks protocol %v, the runner %d", r.Result["protocol"], protocol.Version)
	}
	ops, ok := r.Result["ops"].([]any)
	if !ok {
		return errors.New(`the hello reply has no "ops" array`)
	}
	c.ops = map[string]bool{}
	for _, o := range ops {
		s, ok := o.(string)
		if !ok {
			return fmt.Errorf(`"ops" holds a %T, want strings`, o)
		}
		c.ops[s] = true
	}
	c.name, _ = r.Result["name"].(string)
	return nil
}

// readLine reads the program's next line, of at most protocol.MaxLine bytes.
func (c *child) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := c.out.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			return line, nil
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(line) > 0 {
				return nil, fmt.Errorf("a last line without its newline (%q), then the end of output", clip(string(line), 200))
			}
			return nil, err
		}
		if len(line) > protocol.MaxLine {
			return nil, fmt.Errorf("a line longer than %d bytes", protocol.MaxLine)
		}
	}
}

func (c *child) readStderr(r io.Reader) {
	defer close(c.stderrDone)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		c.stderr.add(sc.Text())
		if c.echo != nil {
			fmt.Fprintln(c.echo, sc.Text())
		}
	}
	// A line over 1 MiB ends the scan; drain the rest so the program never blocks on stderr.
	_, _ = io.Copy(io.Discard, r)
}

// roundTrip writes one request line and returns the program's next line. On a transport failure
// it stops the program and returns a *transportError naming the request.
func (c *child) roundTrip(line []byte, id int64, op string) ([]byte, error) {
	if c.dead {
		return nil, &transportError{kind: kindCrash, request: id, op: op, detail: "the program is no longer running"}
	}
	deadline := time.Now().Add(c.timeout)
	if err := c.stdin.SetWriteDeadline(deadline); err != nil {
		return nil, c.crashed(id, op, "cannot time the request ("+err.Error()+")")
	}
	_, err := c.w.Write(line)
	if err == nil {
		err = c.w.Flush()
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.stop()
		return nil, &transportError{kind: kindTimeout, request: id, op: op, detail: fmt.Sprintf("the request could not be written within %v (the program is not reading its input)", c.timeout), stderr: c.stderr.get()}
	case err != nil:
		return nil, c.crashed(id, op, "writing the request failed ("+err.Error()+")")
	}
	if err := c.stdout.SetReadDeadline(deadline); err != nil {
		return nil, c.crashed(id, op, "cannot time the reply ("+err.Error()+")")
	}
	line, err = c.readLine()
	switch {
	case err == nil:
		return line, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.stop()
		return nil, &transportError{kind: kindTimeout, request: id, op: op, detail: fmt.Sprintf("no reply within %v", c.timeout), stderr: c.stderr.get()}
	case err == io.EOF:
		return nil, c.crashed(id, op, "it closed its output")
	}
	return nil, c.crashed(id, op, err.Error())
}

// crashed stops the program after it closed its output (usually: it exited) and describes how it
// ended.
func (c *child) crashed(id int64, op, what string) error {
	// Give a program that is exiting the moment to finish (its stderr ends when it has), so that its
	// own exit status is reported rather than our kill.
	select {
	case <-c.stderrDone:
	case <-time.After(200 * time.Millisecond):
	}
	status := c.stop()
	return &transportError{kind: kindCrash, request: id, op: op, detail: what + "; " + status, stderr: c.stderr.get()}
}

// stop ends the program's whole process group, reaps it and returns how it ended. The group is
// signalled before the leader is reaped, so its id cannot have been reused.
func (c *child) stop() string {
	if c.dead {
		return "stopped"
	}
	c.dead = true
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	_ = c.stdin.Close()
	_ = c.stdout.Close()
	select {
	case <-c.stderrDone:
	case <-time.After(time.Second): // a grandchild outside the group may hold the pipe
	}
	err := c.cmd.Wait()
	if c.cmd.ProcessState != nil {
		return c.cmd.ProcessState.String()
	}
	if err != nil {
		return err.Error()
	}
	return "exited"
}

// close ends the conversation: it closes the program's input (a well-behaved program exits at its
// end), waits up to grace for its output to end, then ends the process group.
func (c *child) close(grace time.Duration) {
	if c.dead {
		return
	}
	_ = c.w.Flush()
	_ = c.stdin.Close()
	select {
	case <-c.stderrDone:
	case <-time.After(grace):
	}
	c.stop()
}

// clip shortens s to at most n bytes for a message.
func clip(s string, n int) string {
	s = strings.TrimRight(s, "\r\n")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
