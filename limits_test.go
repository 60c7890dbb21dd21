package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs main itself when CONNLAB_MAIN_ARGS is set: the tests start
// the real program as a process (os.Args[0]) to send it signals.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("CONNLAB_MAIN_ARGS"); ok {
		os.Args = append([]string{"connlab"}, strings.Fields(args)...)
		main()
	}
	os.Exit(m.Run())
}

// runEnd is what run returned.
type runEnd struct {
	ending
	err error
}

// start runs srv on ln with the given drain; send on stop to stop it, and
// read its result from done.
func start(t *testing.T, ln net.Listener, srv *server, drain time.Duration) (chan<- os.Signal, <-chan runEnd) {
	t.Helper()
	stop := make(chan os.Signal, 2)
	done := make(chan runEnd, 1)
	go func() {
		end, err := run(stop, ln, srv, drain, io.Discard)
		done <- runEnd{end, err}
	}()
	return stop, done
}

// smallBuffers is a listener whose connections have an 8 KB send buffer,
// so that a response waits on the client as it would over a slow link
// instead of filling megabytes of loopback socket buffers.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		c.(*net.TCPConn).SetWriteBuffer(8 << 10)
	}
	return c, err
}

// slowGet sends GET target on a connection with a 4 KB receive buffer and
// reads the response at rate bytes per second (0: not at all, for stall,
// then on at full speed) for at most 30 s. It returns the response's
// Content-Length and the body bytes received before the server closed the
// connection.
func slowGet(t *testing.T, addr, target string, rate int, stall time.Duration) (length int64, got int, err error) {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	br := bufio.NewReaderSize(c, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, 0, err
	}
	if rate == 0 {
		time.Sleep(stall)
	}
	buf := make([]byte, max(1024, rate/100))
	begin := time.Now()
	for {
		n, err := resp.Body.Read(buf)
		got += n
		if err == io.EOF {
			return resp.ContentLength, got, nil
		}
		if err != nil {
			return resp.ContentLength, got, err
		}
		if rate > 0 {
			// Sleep until got bytes are due at rate.
			time.Sleep(time.Until(begin.Add(time.Duration(float64(got) / float64(rate) * float64(time.Second)))))
		}
	}
}

// burstyGet reads first bytes of target's body at once, pauses, then
// reads the rest at once, on a connection with a 4 KB receive buffer.
func burstyGet(t *testing.T, addr, target string, first int, pause time.Duration) (length int64, got int, err error) {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 1024), nil)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.ReadFull(resp.Body, make([]byte, first))
	if err != nil {
		return resp.ContentLength, n, err
	}
	time.Sleep(pause)
	rest, err := io.Copy(io.Discard, resp.Body)
	return resp.ContentLength, n + int(rest), err
}

// rateServer serves body at / from memory (Write) and at /file from a file
// (ReadFrom, sendfile) under the given rate limits, and records the error
// each response's copy ended with.
func rateServer(t *testing.T, body []byte, l limits) (addr string, errs <-chan error) {
	t.Helper()
	name := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(name, body, 0o644); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 10)
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		var err error
		if r.URL.Path == "/file" {
			f, _ := os.Open(name)
			defer f.Close()
			_, err = io.Copy(w, io.LimitReader(f, int64(len(body)))) // as http.ServeContent copies
		} else {
			_, err = w.Write(body)
		}
		errc <- err
	}), l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop, done := start(t, smallBuffers{ln}, srv, 0)
	t.Cleanup(func() {
		stop <- syscall.SIGINT
		<-done
	})
	return ln.Addr().String(), errc
}

// TestSlowReader: a client reading at four times the minimum rate gets the
// whole body, though it takes ten rate windows and more; a stalled client
// and one below the rate are cut, with the server's copy ending in an
// error. The numbers are the defaults scaled down (40 KB/s against 1 KB/s,
// here 200 KB/s against 50 KB/s in 200 ms windows).
func TestSlowReader(t *testing.T) {
	l := defaultLimits
	l.MinRate, l.RateWindow, l.MaxPause = 50<<10, 200*time.Millisecond, time.Second
	body := make([]byte, 200<<10)
	rand.Read(body)
	for _, target := range []string{"/", "/file"} {
		t.Run("fast enough"+target, func(t *testing.T) {
			t.Parallel()
			addr, errs := rateServer(t, body, l)
			begin := time.Now()
			length, got, err := slowGet(t, addr, target, 200<<10, 0)
			took := time.Since(begin)
			if err != nil || got != len(body) || length != int64(len(body)) {
				t.Errorf("GET %s at 200 KB/s: %d of %d bytes (Content-Length %d), %v", target, got, len(body), length, err)
			}
			if err := <-errs; err != nil {
				t.Errorf("GET %s at 200 KB/s: the server's copy ended with %v", target, err)
			}
			if took < 4*l.RateWindow {
				t.Errorf("GET %s at 200 KB/s took %v: the socket buffers took the body, the test shows nothing", target, took)
			}
		})
		t.Run("bursty"+target, func(t *testing.T) {
			// Reads 100 KB at once (2 s ahead of 50 KB/s), pauses 0.6 s
			// (three windows), then reads on: served whole, as curl
			// --limit-rate reads.
			t.Parallel()
			addr, errs := rateServer(t, body, l)
			length, got, err := burstyGet(t, addr, target, 100<<10, 600*time.Millisecond)
			if err != nil || got != len(body) || length != int64(len(body)) {
				t.Errorf("GET %s bursty: %d of %d bytes, %v", target, got, len(body), err)
			}
			if err := <-errs; err != nil {
				t.Errorf("GET %s bursty: the server's copy ended with %v", target, err)
			}
		})
		t.Run("stalled"+target, func(t *testing.T) {
			// Stalled after the headers: cut about a window after the
			// buffers fill.
			t.Parallel()
			addr, errs := rateServer(t, body, l)
			begin := time.Now()
			done := make(chan int, 1)
			go func() {
				_, got, _ := slowGet(t, addr, target, 0, time.Second)
				done <- got
			}()
			select {
			case err := <-errs:
				if err == nil {
					t.Errorf("GET %s stalled: the server's copy ended without an error", target)
				}
				if d := time.Since(begin); d > time.Second {
					t.Errorf("GET %s stalled: cut after %v; want about %v", target, d, l.RateWindow)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("GET %s stalled: still sending after 5 s", target)
			}
			if got := <-done; got >= len(body) {
				t.Errorf("GET %s stalled: got the whole body", target)
			}
		})
		t.Run("too slow"+target, func(t *testing.T) {
			// Reading at 10 KB/s, a fifth of the rate: cut.
			t.Parallel()
			addr, errs := rateServer(t, body, l)
			_, got, _ := slowGet(t, addr, target, 10<<10, 0)
			if err := <-errs; err == nil || got >= len(body) {
				t.Errorf("GET %s at 10 KB/s: %d of %d bytes, server's copy ended with %v; want it cut", target, got, len(body), err)
			}
		})
	}
}

// blocking serves requests that write "started", then wait for release
// (or 10 s) before writing "finished".
func blocking(release <-chan struct{}, started chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "started ")
		http.NewResponseController(w).Flush()
		started <- struct{}{}
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "finished")
	})
}

// getBody fetches url and sends the body (or the error) on the channel.
func getBody(url string) <-chan string {
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			got <- err.Error()
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b = append(b, " (cut: "+err.Error()+")"...)
		}
		got <- string(b)
	}()
	return got
}

// TestShutdownDrains: a stop lets the running request finish within the
// drain, cuts nothing, and refuses new connections.
func TestShutdownDrains(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{}, 1)
	srv := newServer(blocking(release, started), defaultLimits)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	stop, done := start(t, ln, srv, 5*time.Second)
	got := getBody("http://" + addr + "/")
	<-started
	stop <- syscall.SIGTERM
	time.Sleep(100 * time.Millisecond)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("new connection accepted while draining")
	}
	close(release)
	if b := <-got; b != "started finished" {
		t.Errorf("request running at shutdown got %q; want it whole", b)
	}
	select {
	case end := <-done:
		if end.err != nil || end.cut != 0 || end.forced != nil {
			t.Errorf("run = %+v; want no error, nothing cut", end)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after the drain")
	}
}

// TestShutdownCuts: requests still running when the drain ends are cut and
// counted; a second signal ends the drain at once.
func TestShutdownCuts(t *testing.T) {
	for _, second := range []bool{false, true} {
		release, started := make(chan struct{}), make(chan struct{}, 2)
		srv := newServer(blocking(release, started), defaultLimits)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		drain := 300 * time.Millisecond
		if second {
			drain = time.Minute
		}
		stop, done := start(t, ln, srv, drain)
		a, b := getBody("http://"+ln.Addr().String()+"/"), getBody("http://"+ln.Addr().String()+"/")
		<-started
		<-started
		begin := time.Now()
		stop <- syscall.SIGTERM
		if second {
			time.Sleep(100 * time.Millisecond)
			stop <- syscall.SIGINT
		}
		select {
		case end := <-done:
			if d := time.Since(begin); d > drain+time.Second || (second && d > time.Second) {
				t.Errorf("second signal %v: run returned after %v", second, d)
			}
			want := ending{cut: 2}
			if second {
				want.forced = syscall.SIGINT
			}
			if end.err != nil || end.ending != want {
				t.Errorf("second signal %v: run = %+v; want %+v", second, end, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("second signal %v: run did not return", second)
		}
		for _, got := range []<-chan string{a, b} {
			if s := <-got; strings.Contains(s, "finished") {
				t.Errorf("second signal %v: a cut request got %q", second, s)
			}
		}
		close(release)
	}
}

// TestProcessSignals runs the real program and stops it with signals while
// a client downloads the stage slowly: SIGTERM drains (the download ends
// within the drain, or is cut after it and counted) and exits 0; a second
// SIGINT ends it at once with status 130 (128 + SIGINT).
func TestProcessSignals(t *testing.T) {
	root := t.TempDir()
	wasm := make([]byte, 16<<20) // more than the loopback socket buffers hold (tcp_wmem)
	rand.Read(wasm)
	files := map[string]string{
		"lessons/01-test.md": testLesson,
		"build/wasm_exec.js": "//",
		"build/stage.wasm":   string(wasm),
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(root, "assets"), os.DirFS("assets")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		what    string
		drain   string
		rate    int // the client's, bytes/s
		signals []syscall.Signal
		code    int
		last    string // the last line on stdout
		whole   bool   // the download completes
	}{
		{"drained", "20s", 8 << 20, []syscall.Signal{syscall.SIGTERM}, 0, "커넥션 랩: 멈췄습니다: 끊은 연결은 없습니다", true},
		{"cut after the drain", "500ms", 50 << 10, []syscall.Signal{syscall.SIGTERM}, 0, "커넥션 랩: 멈췄습니다: 0.5초 안에 끝나지 않은 응답의 연결 1개를 끊었습니다", false},
		{"a second signal", "1m", 50 << 10, []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 130, "커넥션 랩: 두 번째 신호(SIGINT)를 받아 바로 끝냈습니다: 응답 중이던 연결 1개를 끊었습니다", false},
	} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "CONNLAB_MAIN_ARGS=-root "+root+" -wasm "+filepath.Join(root, "build")+" -addr 127.0.0.1:0 -drain "+tt.drain)
		stdout := &syncBuffer{}
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var addr string
		for i := 0; i < 250 && addr == ""; i++ {
			time.Sleep(20 * time.Millisecond)
			if s, ok := strings.CutPrefix(stdout.String(), "커넥션 랩: http://"); ok && strings.Contains(s, "/\n") {
				addr = s[:strings.Index(s, "/")]
			}
		}
		if addr == "" {
			cmd.Process.Kill()
			t.Fatalf("%s: no start-up line; stdout %q stderr %q", tt.what, stdout.String(), stderr.String())
		}
		type result struct {
			got int
			err error
		}
		dl := make(chan result, 1)
		dlStart := time.Now()
		go func() {
			_, got, err := slowGet(t, addr, "/stage.wasm", tt.rate, 0)
			dl <- result{got, err}
		}()
		time.Sleep(300 * time.Millisecond)
		begin := time.Now()
		for _, sig := range tt.signals {
			cmd.Process.Signal(sig)
			time.Sleep(200 * time.Millisecond)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		select {
		case err = <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%s: still running 20 s after the signal", tt.what)
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if code != tt.code || lines[len(lines)-1] != tt.last {
			t.Errorf("%s: exit %d, last line %q; want %d, %q (stderr %q)", tt.what, code, lines[len(lines)-1], tt.code, tt.last, stderr.String())
		}
		if tt.code == 130 && time.Since(begin) > 2*time.Second {
			t.Errorf("%s: exited %v after the first signal; want at once after the second", tt.what, time.Since(begin))
		}
		r := <-dl
		if d := time.Since(dlStart); !tt.whole && d > 10*time.Second {
			t.Errorf("%s: the cut download went on for %v (the socket buffer was sent after the cut)", tt.what, d)
		}
		if whole := r.err == nil && r.got == len(wasm); whole != tt.whole {
			t.Errorf("%s: download %d of %d bytes (%v); want whole %v", tt.what, r.got, len(wasm), r.err, tt.whole)
		}
	}
}

// TestServeStaleBuild: started with a stage.wasm.br of an older build, the
// server says so on stderr (naming the file and make wasm) and sends the
// stage uncompressed to a client asking for br.
func TestServeStaleBuild(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"lessons/01-test.md":  testLesson,
		"build/wasm_exec.js":  "//",
		"build/stage.wasm":    "\x00asm new",
		"build/stage.wasm.br": compress("br", "\x00asm old"),
		"build/stage.wasm.gz": compress("gzip", "\x00asm new"),
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(root, "assets"), os.DirFS("assets")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan os.Signal, 2)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	build := filepath.Join(root, "build")
	done := make(chan int, 1)
	go func() {
		done <- serve(stop, []string{"-root", root, "-wasm", build, "-addr", "127.0.0.1:0"}, stdout, stderr)
	}()
	defer func() {
		stop <- syscall.SIGTERM
		<-done
	}()
	var url string
	for i := 0; i < 100 && url == ""; i++ {
		time.Sleep(20 * time.Millisecond)
		if s, ok := strings.CutPrefix(stdout.String(), "커넥션 랩: "); ok && strings.HasSuffix(s, "/\n") {
			url = strings.TrimSpace(s)
		}
	}
	if url == "" {
		t.Fatalf("no start-up line; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	want := "connlab: 경고: " + build + "/stage.wasm.br에 든 것이 지금의 stage.wasm이 아닙니다 (이전 빌드); br 요청에도 압축하지 않은 stage.wasm을 보냅니다. make wasm으로 다시 만드세요\n"
	if stderr.String() != want {
		t.Errorf("stderr %q; want %q", stderr.String(), want)
	}
	req, _ := http.NewRequest("GET", url+"stage.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || string(b) != "\x00asm new" {
		t.Errorf("GET /stage.wasm for br: Content-Encoding %q body %q; want the new stage uncompressed", resp.Header.Get("Content-Encoding"), b)
	}
}
