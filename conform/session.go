package conform

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dlt5/verify/conform/protocol"
)

// exchange is one request line and the program's reply line (or what happened instead), as the
// failure report prints them.
type exchange struct {
	Request string `json:"request"`
	Reply   string `json:"reply"`
}

// maxRestarts bounds how often one property restarts a program that crashed or broke the protocol
// (each restart lets rapid shrink the case that did it).
const maxRestarts = 200

// session is the conversation with the program under test: it starts the program (and restarts it
// after a crash), numbers the requests, and keeps the current case's exchanges.
type session struct {
	argv    []string
	timeout time.Duration
	echo    io.Writer
	c       *child
	nextID  int64
	buf     []byte
	log     []exchange
	// requests counts every request sent (the hello included); roundTrip their total time.
	requests  int64
	sent      int64 // requests other than hellos
	roundTrip time.Duration
	restarts  int // in the current property
	// fatal is set when the program cannot be (re)started or fails its hello: the run stops.
	fatal error
	// protocolErrors counts PROTOCOL failures over the run (they make the exit status 2).
	protocolErrors int
	name           string
	ops            map[string]bool
}

func newSession(argv []string, timeout time.Duration, echo io.Writer) *session {
	return &session{argv: argv, timeout: timeout, echo: echo, nextID: 1}
}

// start (re)starts the program and makes the hello exchange.
func (s *session) start() error {
	c, err := startChild(s.argv, s.timeout, s.echo)
	s.requests++
	if err != nil {
		s.fatal = fmt.Errorf("the program failed its start or hello: %w", err)
		return s.fatal
	}
	s.c, s.name, s.ops = c, c.name, c.ops
	return nil
}

// close ends the program.
func (s *session) close() {
	if s.c != nil {
		s.c.close(2 * time.Second)
	}
}

// beginCase clears the exchange log for a new case.
func (s *session) beginCase() { s.log = s.log[:0] }

// send makes one request and returns the decoded reply. A transport failure (crash, timeout, a
// reply that breaks the protocol) stops the program and ends the case with that class.
func (s *session) send(op string, in map[string]any) protocol.Reply {
	if s.c == nil || s.c.dead {
		if s.fatal != nil {
			failNow(kindProtocol, s.fatal.Error())
		}
		if s.restarts >= maxRestarts {
			failNow(kindCrash, fmt.Sprintf("the program was restarted %d times in this property; no more", maxRestarts))
		}
		s.restarts++
		if err := s.start(); err != nil {
			s.protocolErrors++
			failNow(kindProtocol, err.Error())
		}
	}
	id := s.nextID
	s.nextID++
	s.buf = protocol.AppendRequest(s.buf[:0], protocol.Request{ID: id, Op: op, Inputs: in})
	ex := exchange{Request: string(s.buf[:len(s.buf)-1])}
	start := time.Now()
	line, err := s.c.roundTrip(s.buf, id, op)
	s.roundTrip += time.Since(start)
	s.requests++
	s.sent++
	if err != nil {
		ex.Reply = "(" + err.Error() + ")"
		s.log = append(s.log, ex)
		var te *transportError
		if errors.As(err, &te) {
			failNow(te.kind, te.Error())
		}
		failNow(kindCrash, err.Error())
	}
	ex.Reply = clip(string(line), 1<<20)
	s.log = append(s.log, ex)
	r, err := protocol.DecodeReply(line)
	if err == nil && r.ID != id {
		err = fmt.Errorf("a reply with id %d to request %d", r.ID, id)
	}
	if err != nil {
		s.c.stop()
		s.protocolErrors++
		failNow(kindProtocol, fmt.Sprintf("protocol error on request %d (%s): %v; reply %q", id, op, err, clip(string(line), 300)))
	}
	return r
}

// answer makes a request that has an answer: an error reply ends the case (ERROR-REPLY).
func (s *session) answer(op string, in map[string]any) result {
	r := s.send(op, in)
	if r.IsError {
		failNow(classErrorReply, fmt.Sprintf("%s answered an error to a request that has an answer: %q", op, r.Error))
	}
	return result(r.Result)
}

// refuse makes a request that must get an error reply: an answer ends the case (NO-ERROR).
func (s *session) refuse(op string, in map[string]any, why string) {
	r := s.send(op, in)
	if !r.IsError {
		failNow(classNoError, fmt.Sprintf("%s answered %s to a request that must get an error reply (%s)", op, clip(string(protocol.Append(nil, r.Result)), 200), why))
	}
}
