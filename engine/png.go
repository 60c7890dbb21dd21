package engine

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// pngOfSize returns a valid PNG file of exactly n bytes (n >= minPNG): a
// 1×1 grey image padded with a private ancillary chunk, so that packet
// analyzers decode the images our server sends as real PNGs.
func pngOfSize(n int) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 1) // width
	binary.BigEndian.PutUint32(ihdr[4:], 1) // height
	ihdr[8] = 8                             // bit depth; colour type 0 (grey)

	var b bytes.Buffer
	b.Grow(n)
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	chunk("IHDR", ihdr)
	fixed := b.Len() + 12 + len(pngIDAT) + 12 + 12 // IDAT, padding chunk overhead, IEND
	pad := make([]byte, max(0, n-fixed))
	// "abc...z" repeated: the alphabet once, then doubling copies.
	for i := range min(26, len(pad)) {
		pad[i] = byte('a' + i)
	}
	for k := 26; k < len(pad); k *= 2 {
		copy(pad[k:], pad[:k])
	}
	chunk("paDd", pad) // ancillary, private, safe to copy
	chunk("IDAT", pngIDAT)
	chunk("IEND", nil)
	return b.Bytes()
}

// pngIDAT is the image data, the same in every file: compressed once, as
// a zlib writer allocates its state (hundreds of KB) each time it is made.
var pngIDAT = func() []byte {
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	zw.Write([]byte{0, 0x80}) // filter byte, one grey pixel
	zw.Close()
	return idat.Bytes()
}()

// minPNG is the size of the smallest PNG pngOfSize makes.
var minPNG = len(pngOfSize(0))
