package judge

import (
	"slices"
	"testing"
)

// TestParse frames one direction of a connection as a packet analyzer
// would: the messages complete on the wire, and the start lines of the
// ones that begin, complete or not.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		name    string
		data    string
		fin     bool
		methods []string // the requests' methods, for a response direction
		done    []string // requests or status codes complete on the wire
		heads   int      // start lines found
	}{
		{"two requests", "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n", false, nil, []string{"GET /", "GET /a"}, 2},
		{"request body", "POST /o HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n", false, nil, []string{"POST /o", "GET /"}, 2},
		{"request body cut", "POST /o HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabc", true, nil, nil, 1},
		{"content-length", "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", false, []string{"GET"}, []string{"200"}, 1},
		{"chunked then more", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX: 1\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false, []string{"GET", "GET"}, []string{"200", "404"}, 2},
		{"chunked cut", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", true, []string{"GET"}, nil, 1},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc", true, []string{"GET"}, nil, 1},
		{"until the close", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the close", true, []string{"GET"}, []string{"200"}, 1},
		{"cut by a reset", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\ncut by a reset", false, []string{"GET"}, nil, 1},
		{"HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, []string{"HEAD", "GET"}, []string{"200", "200"}, 2},
		{"interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, []string{"POST"}, []string{"100", "200"}, 2},
		{"head cut", "HTTP/1.1 200 OK\r\nContent-Le", false, []string{"GET"}, nil, 1},
	} {
		w := wireHTTP{heads: map[int][]string{}}
		d := direction{data: []byte(c.data), fin: c.fin, spans: []span{{0, 0}}}
		w.parse(d, c.methods)
		got := w.requests
		if c.methods != nil {
			got = w.codes
		}
		if !slices.Equal(got, c.done) || len(w.heads[0]) != c.heads {
			t.Errorf("%s: complete %q, %d start lines; want %q, %d", c.name, got, len(w.heads[0]), c.done, c.heads)
		}
	}
}
