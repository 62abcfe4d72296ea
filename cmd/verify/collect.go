package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dlt5/verify/props/claim"
)

// result is one claim's rows, its run (for the report) and how long it took.
type result struct {
	rows []Row
	run  ran
	took time.Duration
}

// collect runs the selected claims over parallel workers and returns their rows in registry
// order: the output depends on the seed only, never on the number of workers or their timing
// (every claim draws from its own seeds). Progress goes to progress.
func collect(claims []claim.Claim, seed uint64, controls bool, parallel int, progress io.Writer) ([]Row, []ran) {
	results := make([]result, len(claims))
	p := newProgress(progress, len(claims))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p.start(claims[i].ID)
				results[i] = runClaim(claims[i], seed, controls)
				p.finish(claims[i].ID, results[i].took)
			}
		}()
	}
	for _, i := range dispatch(claims) {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, c := range claims { // the claims that measure the whole process, one at a time
		if c.Alone {
			p.start(c.ID)
			results[i] = runClaim(c, seed, controls)
			p.finish(c.ID, results[i].took)
		}
	}
	p.close()
	var rows []Row
	var runs []ran
	for _, r := range results {
		rows = append(rows, r.rows...)
		runs = append(runs, r.run)
	}
	return rows, runs
}

// dispatch is the order in which collect starts the claims that share the workers: the costliest
// first (claim.Seconds, largest first; ties in registry order), which keeps the run's tail short.
// Claims marked Alone are left out (collect runs them afterwards).
func dispatch(claims []claim.Claim) []int {
	var order []int
	for i, c := range claims {
		if !c.Alone {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return claims[order[a]].Seconds > claims[order[b]].Seconds })
	return order
}

// runClaim runs one claim, its findings' evidence and (when asked) its controls at claim.Full.
func runClaim(c claim.Claim, seed uint64, controls bool) result {
	start := time.Now()
	o := guard(c.ID+" run", func() claim.Outcome { return c.Run(seed) })
	if len(o.Results) == 0 {
		o.Results = []claim.Result{claim.Failed(c.ID+" run", fmt.Errorf("the run returned no result: nothing was checked"))}
	}
	var rows []Row
	for _, r := range o.Results {
		rows = append(rows, row(c, r, seed, false))
	}
	for _, f := range c.Findings {
		rows = append(rows, findingRow(c, f, o.Evidence, seed))
	}
	if controls {
		rs := guard(c.ID+" control", func() claim.Outcome { return claim.Results(c.Control(seed, claim.Full)...) }).Results
		if len(rs) == 0 {
			rs = []claim.Result{claim.Failed(c.ID+" control", fmt.Errorf("the control returned no result"))}
		}
		for _, r := range rs {
			rows = append(rows, row(c, r, seed, true))
		}
	}
	return result{rows: rows, run: ran{c, o}, took: time.Since(start)}
}

// guard runs f and turns a panic (a claim indexing past the rows it got, a simulation's bug) into
// one failed row naming where it happened, so that one claim cannot take the whole table with it.
func guard(what string, f func() claim.Outcome) (o claim.Outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = claim.Results(claim.Failed(what, fmt.Errorf("panic: %v", p)))
		}
	}()
	return f()
}

// progress reports claims as they finish: on a terminal one line rewritten in place (done /
// total, the claims running, elapsed, an estimate of what remains); elsewhere (CI logs) one plain
// line per finished claim.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	total   int
	done    int
	running []string
	begin   time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, tty: isTerminal(w), total: total, begin: time.Now()}
}

// isTerminal reports whether w is a character device (a terminal), not a file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) start(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, id)
	p.draw()
}

func (p *progress) finish(id string, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.running {
		if r == id {
			p.running = append(p.running[:i], p.running[i+1:]...)
			break
		}
	}
	p.done++
	if !p.tty {
		fmt.Fprintf(p.w, "%s %.1fs (%d/%d, %s elapsed)\n", id, took.Seconds(), p.done, p.total, round(time.Since(p.begin)))
		return
	}
	p.draw()
}

// draw rewrites the terminal's progress line (nothing elsewhere).
func (p *progress) draw() {
	if !p.tty {
		return
	}
	el := time.Since(p.begin)
	eta := "?"
	if p.done > 0 {
		eta = round(time.Duration(float64(el) / float64(p.done) * float64(p.total-p.done))).String()
	}
	fmt.Fprintf(p.w, "\r\033[K[%d/%d] %s  elapsed %s  ETA %s", p.done, p.total, strings.Join(p.running, " "), round(el), eta)
}

func (p *progress) close() {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%d claims in %s\n", p.total, round(time.Since(p.begin)))
	}
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
