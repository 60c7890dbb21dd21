// Command connlab serves Connection Lab (커넥션 랩): the Korean lessons, the
// stage (build/stage.wasm) and its assets, on http://127.0.0.1:8080/ by
// default. Every lesson is parsed and checked against the engine at
// start-up; a broken lesson stops the server with its file and line.
//
//	connlab [-addr 127.0.0.1:8080] [-wasm build] [-root .]   serve the site
//	connlab -dist dist [-wasm build] [-root .]               write it as static files
//	connlab scenarios | trace | pcap ...                     engine subcommands (cli.go)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"connlab/internal/site"
)

func main() {
	if handled, code := runCLI(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	// Two signals may arrive before serve reads one: the first starts the
	// shutdown, the second ends it at once.
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	os.Exit(serve(stop, os.Args[1:], os.Stdout, os.Stderr))
}

// limits bounds what one client may take from the server. A tutorial about
// connection management should manage its own connections.
type limits struct {
	ReadHeader time.Duration // to read a request's headers: stops slowloris clients
	Read       time.Duration // to read a whole request
	MinRate    int           // bytes per second a response must be taken at, over each RateWindow
	RateWindow time.Duration // a client taking less than MinRate×RateWindow bytes in this time is cut
	MaxPause   time.Duration // the longest pause a client ahead of MinRate may take
	Idle       time.Duration // a keep-alive connection waiting for its next request
	HeaderSize int           // bytes of request headers
	Drain      time.Duration // at shutdown, how long running responses are given to finish
}

// The write limit is a rate, not a total time: the stage is 13 MB
// uncompressed, 45 minutes at the 5 KB/s of a poor mobile link, and a fixed
// total (it was 2 minutes) cut a student at 40 KB/s mid-body. A client
// must take 30 KB (MinRate×RateWindow) in every 30 s: a stalled one is cut
// 30 s after the kernel's socket buffers fill, a slow one never. A client
// ahead of 1 KB/s since its request began may pause for as long as it is
// ahead, up to MaxPause: curl --limit-rate 40k takes 4 MB at once, then
// waits a minute and more to bring its average down.
var defaultLimits = limits{
	ReadHeader: 5 * time.Second,
	Read:       10 * time.Second,
	MinRate:    1 << 10,
	RateWindow: 30 * time.Second,
	MaxPause:   2 * time.Minute,
	Idle:       60 * time.Second,
	HeaderSize: 16 << 10,
	Drain:      10 * time.Second,
}

// server is an http.Server that knows its connections in the middle of a
// response, to say how many a shutdown cut.
type server struct {
	*http.Server
	mu     sync.Mutex
	active map[net.Conn]bool
}

// newServer returns a server for h with the given limits.
func newServer(h http.Handler, l limits) *server {
	s := &server{active: map[net.Conn]bool{}}
	s.Server = &http.Server{
		Handler:           minRate(h, l.MinRate, l.RateWindow, l.MaxPause),
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.HeaderSize,
		ConnState: func(c net.Conn, state http.ConnState) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if state == http.StateActive {
				s.active[c] = true
			} else {
				delete(s.active, c)
			}
		},
	}
	return s
}

// busy returns how many connections are in the middle of a request.
func (s *server) busy() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.active)
}

// cut closes every connection at once and returns how many were in the
// middle of a request. Those are reset (SO_LINGER 0): a plain close would
// leave the kernel sending what the socket buffer holds, up to megabytes of
// a response that will never be whole, after the program has exited.
func (s *server) cut() int {
	s.mu.Lock()
	n := len(s.active)
	for c := range s.active {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
	}
	s.mu.Unlock()
	s.Close()
	return n
}

// minRate makes every response of h go out at rate bytes per second or
// more: a connection's write deadline is set a window ahead when a request
// starts and again each time another rate×window bytes of its response
// have been written; a client ahead of rate since the start gets the time
// it is ahead on top, up to maxPause.
func minRate(h http.Handler, rate int, window, maxPause time.Duration) http.Handler {
	chunk := int64(float64(rate) * window.Seconds())
	if chunk < 1 {
		chunk = 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &rateWriter{ResponseWriter: w, rc: http.NewResponseController(w), chunk: chunk, rate: rate, window: window, maxPause: maxPause, start: time.Now()}
		rw.extend()
		h.ServeHTTP(rw, r)
	})
}

// rateWriter is minRate's http.ResponseWriter.
type rateWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	chunk    int64 // bytes to write in each window
	rate     int
	window   time.Duration
	maxPause time.Duration
	start    time.Time
	written  int64 // bytes written so far
	left     int64 // bytes still to write before the deadline is moved on
}

// extend sets the write deadline for the next chunk: a window ahead, or
// later by as much as the client is ahead of rate, up to maxPause.
func (w *rateWriter) extend() {
	w.left = w.chunk
	now := time.Now()
	deadline := now.Add(w.window)
	due := w.start.Add(time.Duration(float64(w.written) / float64(w.rate) * float64(time.Second))).Add(w.window)
	if due.After(deadline) {
		deadline = due
		if limit := now.Add(max(w.maxPause, w.window)); deadline.After(limit) {
			deadline = limit
		}
	}
	w.rc.SetWriteDeadline(deadline)
}

func (w *rateWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := min(int64(len(p)), w.left)
		m, err := w.ResponseWriter.Write(p[:c])
		n += m
		p = p[m:]
		w.written += int64(m)
		if w.left -= int64(m); w.left == 0 {
			w.extend()
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ReadFrom copies src a chunk at a time through the connection's own
// ReadFrom, which sends a file with sendfile(2): http.ServeContent hands it
// an io.LimitedReader of the file, kept as one for each chunk.
func (w *rateWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{w}, src)
	}
	lr, limited := src.(*io.LimitedReader)
	if !limited {
		lr = &io.LimitedReader{R: src, N: math.MaxInt64}
	}
	var total int64
	for lr.N > 0 {
		part := &io.LimitedReader{R: lr.R, N: min(lr.N, w.left)}
		n, err := rf.ReadFrom(part)
		total += n
		lr.N -= n
		w.written += n
		if w.left -= n; w.left == 0 {
			w.extend()
		}
		if err != nil || part.N > 0 { // an error, or src ended within the chunk
			return total, err
		}
	}
	return total, nil
}

func (w *rateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serve runs the server (or the export) for the command line args until
// stop delivers a signal, and returns the exit code: 0 after a shutdown
// (even one that cut connections: it says how many), 128+n when a second
// signal n ended it at once, as a shell reports a program the signal killed.
func serve(stop <-chan os.Signal, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("connlab", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	wasmDir := flags.String("wasm", "build", "folder with stage.wasm, stage.wasm.br, stage.wasm.gz and wasm_exec.js (make wasm)")
	root := flags.String("root", ".", "folder with lessons/ and assets/")
	dist := flags.String("dist", "", "write the site as static files into this folder and exit")
	l := defaultLimits
	flags.DurationVar(&l.Drain, "drain", l.Drain, "at shutdown (Ctrl-C, SIGTERM), how long running responses are given to finish; a second signal ends at once")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "connlab: unexpected argument %q (subcommands: scenarios, trace, pcap)\n", flags.Arg(0))
		return 2
	}
	if l.Drain < 0 {
		fmt.Fprintf(stderr, "connlab: -drain %v is negative\n", l.Drain)
		return 2
	}

	content, err := site.OpenDir(*root)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: %v\n", err)
		return 1
	}
	build, err := site.OpenDir(*wasmDir)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: 경고: %v; 무대 없이 시작합니다 (make wasm으로 만드세요)\n", err)
		build = os.DirFS(os.DevNull) // every Open fails: the stage page says what is missing
	} else if _, err := fs.Stat(build, "stage.wasm"); err != nil {
		fmt.Fprintf(stderr, "connlab: 경고: %s/stage.wasm이 없습니다; make wasm으로 만드세요\n", *wasmDir)
	}
	s, err := site.New(content, build)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: 강의에 문제가 있어 시작하지 않습니다:\n%v\n", err)
		return 1
	}

	if *dist != "" {
		if err := s.Export(*dist); err != nil {
			fmt.Fprintf(stderr, "connlab: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "커넥션 랩: 강의 %d개를 %s에 썼습니다\n", len(s.Lessons()), *dist)
		return 0
	}
	s.CheckBuild(prefixWriter{stderr, "connlab: 경고: " + *wasmDir + "/"})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "커넥션 랩: http://%s/\n", ln.Addr())
	end, err := run(stop, ln, newServer(s, l), l.Drain, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: %v\n", err)
		return 1
	}
	if end.forced != nil {
		fmt.Fprintf(stdout, "커넥션 랩: 두 번째 신호(%s)를 받아 바로 끝냈습니다: 응답 중이던 연결 %d개를 끊었습니다\n", signalName(end.forced), end.cut)
		if sig, ok := end.forced.(syscall.Signal); ok {
			return 128 + int(sig)
		}
		return 1
	}
	if end.cut > 0 {
		fmt.Fprintf(stdout, "커넥션 랩: 멈췄습니다: %s 안에 끝나지 않은 응답의 연결 %d개를 끊었습니다\n", seconds(l.Drain), end.cut)
	} else {
		fmt.Fprintln(stdout, "커넥션 랩: 멈췄습니다: 끊은 연결은 없습니다")
	}
	return 0
}

// signalName names the signals serve stops on as kill(1) does.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// seconds writes d in seconds, in Korean: 10초, 0.5초.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "초" }

// prefixWriter writes each Write (one line) after a prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

// ending says how run's shutdown went.
type ending struct {
	cut    int       // connections closed in the middle of a request
	forced os.Signal // the second signal, if one ended the drain
}

// run serves on ln until stop delivers a signal, then shuts down: no new
// connections, idle ones closed, running requests given drain to finish;
// those still running then (or at a second signal) are closed and counted.
// It says on out that it is stopping.
func run(stop <-chan os.Signal, ln net.Listener, srv *server, drain time.Duration, out io.Writer) (ending, error) {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return ending{}, err
	case <-stop:
	}
	if n := srv.busy(); n > 0 {
		fmt.Fprintf(out, "커넥션 랩: 멈추는 중입니다: 응답 중인 연결 %d개를 최대 %s 기다립니다 (한 번 더 누르면 바로 끝냅니다)\n", n, seconds(drain))
	}
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	var end ending
	forced := make(chan os.Signal, 1)
	go func() {
		select {
		case sig := <-stop:
			forced <- sig
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := srv.Shutdown(ctx); err != nil {
		// The drain ran out or a second signal came: close what is left.
		end.cut = srv.cut()
	}
	cancel()
	select {
	case end.forced = <-forced:
	default:
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return end, err
	}
	return end, nil
}
