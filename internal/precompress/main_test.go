package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestPrecompress(t *testing.T) {
	name := filepath.Join(t.TempDir(), "stage.wasm")
	want := bytes.Repeat([]byte("\x00asm connection lab "), 5000)
	if err := os.WriteFile(name, want, 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if err := precompress(name, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(log.String(), name+": 100000 bytes, brotli ") {
		t.Errorf("log = %q; want the file's name and sizes", log.String())
	}
	for ext, open := range map[string]func(io.Reader) (io.Reader, error){
		".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	} {
		f, err := os.Open(name + ext)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		r, err := open(f)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		got, err := io.ReadAll(r)
		f.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s decompresses to %d bytes (err %v); want the original %d", ext, len(got), err, len(want))
		}
		if st.Size() >= int64(len(want))/10 {
			t.Errorf("%s is %d bytes; want well under a tenth of %d for this repetitive input", ext, st.Size(), len(want))
		}
	}
	left, _ := filepath.Glob(name + "*.tmp*")
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestPrecompressMissing(t *testing.T) {
	if err := precompress(filepath.Join(t.TempDir(), "none.wasm"), io.Discard); err == nil {
		t.Error("precompress of a missing file: no error")
	}
}
