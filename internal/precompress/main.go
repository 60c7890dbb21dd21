// Command precompress writes FILE.br (brotli, quality 11) and FILE.gz
// (gzip -9) next to each FILE it is given, so that a static server can send
// the compressed form a browser asks for with Accept-Encoding.
//
//	go run ./internal/precompress build/stage.wasm
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress FILE...")
		os.Exit(2)
	}
	for _, name := range os.Args[1:] {
		if err := precompress(name, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "precompress:", err)
			os.Exit(1)
		}
	}
}

// precompress writes name.br and name.gz and reports their sizes on log.
func precompress(name string, log io.Writer) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	br, err := compress(data, func(w io.Writer) (io.WriteCloser, error) {
		// The largest window RFC 7932 allows (2^24 bytes, which every
		// browser's decoder takes): the 14 MB stage repeats itself at
		// distances beyond the default 4 MB, and the wider window makes
		// its download 26 KB (1 %) smaller.
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24}), nil
	})
	if err != nil {
		return err
	}
	gz, err := compress(data, func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	})
	if err != nil {
		return err
	}
	for _, out := range []struct {
		ext  string
		data []byte
	}{{".br", br}, {".gz", gz}} {
		if err := writeAtomic(name+out.ext, out.data); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "%s: %d bytes, brotli %d, gzip %d\n", name, len(data), len(br), len(gz))
	return nil
}

func compress(data []byte, newWriter func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytes.Buffer
	w, err := newWriter(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAtomic writes data to name through a temporary file in the same
// directory, so a server never serves a half-written file.
func writeAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(f.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(f.Name(), name)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
