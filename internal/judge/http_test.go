package judge

import "testing"

func TestBodyLen(t *testing.T) {
	for _, c := range []struct {
		head     string
		body     string
		response bool
		fin      bool
		n        int
		ok       bool
	}{
		{"GET / HTTP/1.1\r\nHost: x", "GET /a HTTP/1.1", false, false, 0, true},
		{"POST /o HTTP/1.1\r\nContent-Length: 3", "abcGET", false, false, 3, true},
		{"POST /o HTTP/1.1\r\nContent-Length: 4", "abc", false, true, 4, false},
		{"HTTP/1.1 200 OK\r\ncontent-length: 5", "hello", true, false, 5, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", "3\r\nabc\r\n0\r\n\r\nHTTP/1.1", true, false, 13, true},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", "3\r\nabc\r\n0\r\n", true, true, 0, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", "a\r\nabc", true, true, 0, false},
		{"HTTP/1.0 200 OK\r\nServer: x", "until the close", true, true, 15, true},
		{"HTTP/1.0 200 OK\r\nServer: x", "cut by a reset", true, false, 14, false},
	} {
		n, ok := bodyLen(c.head, []byte(c.body), c.response, c.fin)
		if ok != c.ok || (ok && n != c.n) {
			t.Errorf("bodyLen(%q, %q, fin=%v) = %d, %v; want %d, %v", c.head, c.body, c.fin, n, ok, c.n, c.ok)
		}
	}
}
