package engine

import (
	"bytes"
	"image/png"
	"testing"
)

func TestPNGOfSizeIsARealPNGOfThatSize(t *testing.T) {
	for _, n := range []int{minPNG, 100, 10000, 12345} {
		b := pngOfSize(n)
		if len(b) != n {
			t.Errorf("pngOfSize(%d) made %d bytes", n, len(b))
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("pngOfSize(%d) does not decode: %v", n, err)
		}
		if r := img.Bounds(); r.Dx() != 1 || r.Dy() != 1 {
			t.Errorf("pngOfSize(%d) is %v; want 1x1", n, r)
		}
	}
}
