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
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"connlab/internal/site"
)

func main() {
	if handled, code := runCLI(os.Args[1:], os.Stdout, os.Stderr); handled {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := serve(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// limits bounds what one client may take from the server. A tutorial about
// connection management should manage its own connections.
type limits struct {
	ReadHeader time.Duration // to read a request's headers: stops slowloris clients
	Read       time.Duration // to read a whole request
	Write      time.Duration // to write a response (the wasm is a few MB)
	Idle       time.Duration // a keep-alive connection waiting for its next request
	HeaderSize int           // bytes of request headers
}

var defaultLimits = limits{
	ReadHeader: 5 * time.Second,
	Read:       10 * time.Second,
	Write:      2 * time.Minute,
	Idle:       60 * time.Second,
	HeaderSize: 16 << 10,
}

// newServer returns an http.Server for h with the given limits.
func newServer(h http.Handler, l limits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.HeaderSize,
	}
}

// serve runs the server (or the export) for the command line args until ctx
// ends, and returns the exit code.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("connlab", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	wasmDir := flags.String("wasm", "build", "folder with stage.wasm, stage.wasm.br, stage.wasm.gz and wasm_exec.js (make wasm)")
	root := flags.String("root", ".", "folder with lessons/ and assets/")
	dist := flags.String("dist", "", "write the site as static files into this folder and exit")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "connlab: unexpected argument %q (subcommands: scenarios, trace, pcap)\n", flags.Arg(0))
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

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "connlab: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "커넥션 랩: http://%s/\n", ln.Addr())
	if err := run(ctx, ln, newServer(s, defaultLimits)); err != nil {
		fmt.Fprintf(stderr, "connlab: %v\n", err)
		return 1
	}
	return 0
}

// run serves on ln until ctx ends, then shuts down gracefully: no new
// connections, idle ones closed, running requests given 10 seconds.
func run(ctx context.Context, ln net.Listener, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %v", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
