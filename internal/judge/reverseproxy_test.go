package judge

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"testing"
	"time"

	"connlab/engine"
)

// TestHopByHopMatchesReverseProxy sends the same request, and has the
// origin send the same response, through Go's httputil.ReverseProxy on
// loopback and through the engine's HTTP/1.1 proxy rule (ForwardHeader),
// and compares the header fields each side forwards.
//
// Known, deliberate differences, removed before comparing:
//   - ReverseProxy adds X-Forwarded-For (a gateway's habit); our proxy adds
//     Via (RFC 9110 §7.6.3 asks proxies for it).
//   - Go's client transport adds Accept-Encoding: gzip when a request has
//     none, and its server adds Date and Content-Length to responses.
//   - When a response's Connection field includes "close", Go's transport
//     deletes the whole field while reading the response (shouldClose in
//     net/http's transfer.go), so ReverseProxy never learns which fields it
//     named and forwards them: with the chapter's example it passes Meter
//     on. RFC 9110 §7.6.1 says to remove them, and our proxy does; the test
//     compares without "close" and checks that case on its own.
func TestHopByHopMatchesReverseProxy(t *testing.T) {
	reqFields := engine.Header{
		{Name: "Host", Value: "www.example.com"},
		{Name: "User-Agent", Value: "connlab-browser"},
		{Name: "Accept", Value: "image/png"},
		{Name: "Accept-Encoding", Value: "identity"},
		{Name: "Connection", Value: "keep-alive, Meter"},
		{Name: "Meter", Value: "max-uses=3"},
		{Name: "Keep-Alive", Value: "timeout=5, max=100"},
		{Name: "Proxy-Connection", Value: "keep-alive"},
		{Name: "Proxy-Authorization", Value: "Basic Y29ubmxhYjpsYWI="},
		{Name: "X-Lesson", Value: "9"},
	}
	respFields := func(conn string) engine.Header {
		return engine.Header{
			{Name: "Cache-Control", Value: "max-age=3600"},
			{Name: "Connection", Value: conn},
			{Name: "Meter", Value: "max-uses=3, max-refuses=6, dont-report"},
			{Name: "Keep-Alive", Value: "timeout=5"},
			{Name: "Content-Type", Value: "text/plain"},
		}
	}
	const (
		withoutClose = "meter, bill-my-credit-card"
		bookExample  = "meter, close, bill-my-credit-card" // the chapter, §4.3.1
	)

	var gotAtOrigin http.Header
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAtOrigin = r.Header.Clone()
		conn := withoutClose
		if r.URL.Path == "/book" {
			conn = bookExample
		}
		for _, f := range respFields(conn) {
			w.Header().Add(f.Name, f.Value)
		}
		fmt.Fprint(w, "hello")
	}))
	defer origin.Close()
	u, _ := url.Parse(origin.URL)
	proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	defer proxy.Close()

	resp := roundTrip(t, proxy.Listener.Addr().String(), &engine.Message{Request: true, Method: "GET", Target: "/a", Proto: "HTTP/1.1", Header: reqFields})

	// Requests: what reached the origin.
	real := names(gotAtOrigin, "X-Forwarded-For")
	model := fieldNames(engine.ForwardHeader(reqFields), "Host") // Go keeps Host in r.Host, not r.Header
	if !slices.Equal(real, model) {
		t.Errorf("request fields forwarded:\n ReverseProxy: %v\n engine:       %v", real, model)
	}
	// Responses: what reached the client.
	real = names(resp.Header, "Date", "Content-Length")
	model = fieldNames(engine.ForwardHeader(respFields(withoutClose)))
	if !slices.Equal(real, model) {
		t.Errorf("response fields forwarded:\n ReverseProxy: %v\n engine:       %v", real, model)
	}

	// The chapter's own example, with "close": ReverseProxy leaks Meter.
	resp = roundTrip(t, proxy.Listener.Addr().String(), &engine.Message{Request: true, Method: "GET", Target: "/book", Proto: "HTTP/1.1", Header: reqFields})
	real = names(resp.Header, "Date", "Content-Length")
	model = fieldNames(engine.ForwardHeader(respFields(bookExample)))
	if slices.Contains(model, "Meter") {
		t.Errorf("engine forwarded Meter although Connection names it: %v", model)
	}
	if !slices.Equal(real, append(slices.Clone(model), "Meter")) && !slices.Equal(real, model) {
		t.Errorf("with Connection: close, ReverseProxy forwarded %v; engine %v", real, model)
	}
	t.Logf("with %q ReverseProxy forwards %v; the engine, following RFC 9110 §7.6.1, %v", bookExample, real, model)
}

// roundTrip writes req on a fresh connection to addr, so it carries exactly
// its fields, and reads the response.
func roundTrip(t *testing.T, addr string, req *engine.Message) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// names lists h's field names, canonical and sorted, without skip.
func names(h http.Header, skip ...string) []string {
	var out []string
	for k := range h {
		if !slices.Contains(skip, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func fieldNames(h engine.Header, skip ...string) []string {
	var out []string
	for _, f := range h {
		k := http.CanonicalHeaderKey(f.Name)
		if !slices.Contains(skip, k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
