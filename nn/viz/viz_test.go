package viz

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	return img
}

func rgb(img image.Image, x, y int) (r, g, b int) {
	c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
	return int(c.R), int(c.G), int(c.B)
}

func isReddish(r, g, b int) bool { return r > 150 && r-b > 60 && r-g > 60 }
func isBluish(r, g, b int) bool  { return b > 150 && b-r > 60 }

func at(img image.Image, p image.Point) color.RGBA {
	return color.RGBAModel.Convert(img.At(p.X, p.Y)).(color.RGBA)
}

// hasInk reports whether the rectangle holds a pixel of text colour.
func hasInk(img image.Image, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if at(img, image.Pt(x, y)) == ink {
				return true
			}
		}
	}
	return false
}

func TestWeightsPNG(t *testing.T) {
	const h, wd, outputs = 5, 7, 12
	inputs := h * wd
	w := make([]float32, inputs*outputs)
	for i := range w {
		w[i] = 0.01 * float32(i%5-2)
	}
	w[0*outputs+1] = 2             // tile 1, top-left: the largest |w|
	w[(inputs-1)*outputs+1] = -1.5 // tile 1, bottom-right: three quarters of it, negative
	w[(wd-1)*outputs+11] = 0       // tile 11, top-right: zero
	var buf bytes.Buffer
	if err := WeightsPNG(&buf, w, inputs, outputs, h, wd); err != nil {
		t.Fatal(err)
	}
	img := decode(t, buf.Bytes())
	l := layoutWeights(outputs, h, wd, 2)
	if got := img.Bounds(); got != image.Rect(0, 0, l.width, l.height) {
		t.Fatalf("picture is %v, want %d×%d", got, l.width, l.height)
	}

	// Row-major reshaping: input 0 top-left, input inputs-1 bottom-right.
	tile := l.tileOrigin(1)
	if c := at(img, tile); c != positiveEnd {
		t.Errorf("tile 1 top-left (w = max) is %v, want full red %v", c, positiveEnd)
	}
	corner := tile.Add(image.Pt((wd-1)*l.scale, (h-1)*l.scale))
	if c := at(img, corner); !isBluish(int(c.R), int(c.G), int(c.B)) {
		t.Errorf("tile 1 bottom-right (w = -3/4 max) is %v, want bluish", c)
	}
	// Each weight covers scale×scale pixels: the last pixel of the first
	// weight's block is still red, the next one is not.
	if c := at(img, tile.Add(image.Pt(l.scale-1, l.scale-1))); c != positiveEnd {
		t.Errorf("pixel (%d,%d) of tile 1 is %v, want the first weight's red", l.scale-1, l.scale-1, c)
	}
	if c := at(img, tile.Add(image.Pt(l.scale, 0))); c == positiveEnd {
		t.Error("the second weight of tile 1 is drawn full red too")
	}
	if c := at(img, l.tileOrigin(11).Add(image.Pt((wd-1)*l.scale, 0))); c != white {
		t.Errorf("a zero weight is drawn %v, want white", c)
	}
	// A gap separates neighbouring tiles.
	if c := at(img, image.Pt(l.tileOrigin(1).X-1, l.tileOrigin(1).Y)); c != background {
		t.Errorf("pixel left of tile 1 is %v, want the background", c)
	}
	// Every tile has its label (ink) in the strip above it.
	for j := 0; j < outputs; j++ {
		o := l.cellOrigin(j)
		if !hasInk(img, image.Rect(o.X, o.Y, o.X+l.cellW, o.Y+l.labelH)) {
			t.Errorf("tile %d has no label", j)
		}
	}

	// The legend: blue at the left end, white in the middle, red at the right,
	// and text (−max, 0, +max) under it.
	bar := l.legend
	y := bar.Min.Y + bar.Dy()/2
	if c := at(img, image.Pt(bar.Min.X, y)); c != negativeEnd {
		t.Errorf("legend left end is %v, want %v", c, negativeEnd)
	}
	if c := at(img, image.Pt(bar.Max.X-1, y)); c != positiveEnd {
		t.Errorf("legend right end is %v, want %v", c, positiveEnd)
	}
	if c := at(img, image.Pt(bar.Min.X+bar.Dx()/2, y)); c.R < 240 || c.G < 240 || c.B < 240 {
		t.Errorf("legend middle is %v, want (nearly) white", c)
	}
	text := func(x0, x1 int) image.Rectangle {
		return image.Rect(x0, bar.Max.Y, x1, bar.Max.Y+labelSpace+textHeight(textScale))
	}
	third := bar.Dx() / 3
	if l.minLabel != "-2" || l.maxLabel != "+2" {
		t.Errorf("legend labels %q, %q; want -2, +2", l.minLabel, l.maxLabel)
	}
	if !hasInk(img, text(bar.Min.X, bar.Min.X+third)) || !hasInk(img, text(bar.Max.X-third, bar.Max.X)) {
		t.Error("no -max/+max values written under the legend's ends")
	}
}

// The legend's numbers must be drawable by the built-in font.
func TestLegendGlyphs(t *testing.T) {
	for _, v := range []float32{0, 1.2345e-7, 3.4e38, 0.5, 12345, 0.0625} {
		for _, r := range "-+" + formatValue(v) {
			if _, ok := glyphs[r]; !ok {
				t.Errorf("formatValue(%g) = %q uses %q, which has no glyph", v, formatValue(v), r)
			}
		}
	}
	if got := formatValue(0.123456); got != "0.123" {
		t.Errorf("formatValue(0.123456) = %q, want 0.123", got)
	}
	// A glyph-less character is drawn as a box, not skipped.
	img := image.NewRGBA(image.Rect(0, 0, 10, 10))
	drawText(img, 0, 0, "?", 1, ink)
	if !hasInk(img, image.Rect(0, 0, glyphW, glyphH)) {
		t.Error("unknown character left no mark")
	}
}

func TestWeightsPNGNonFinite(t *testing.T) {
	w := []float32{float32(math.NaN()), float32(math.Inf(1)), 0.5, -0.5}
	if got := maxAbsFinite(w); got != 0.5 {
		t.Errorf("maxAbsFinite = %v, want 0.5 (NaN and Inf ignored)", got)
	}
	if c := diverging(float32(math.NaN()), 1); c != nanColour {
		t.Errorf("NaN drawn as %v, want %v", c, nanColour)
	}
	if c := diverging(float32(math.Inf(-1)), 1); c != negativeEnd {
		t.Errorf("-Inf drawn as %v, want saturated blue", c)
	}
	var buf bytes.Buffer
	if err := WeightsPNG(&buf, w, 4, 1, 2, 2); err != nil {
		t.Fatal(err)
	}
	// All-zero weights: a white picture with a ±0 legend, not a division by 0.
	buf.Reset()
	if err := WeightsPNG(&buf, make([]float32, 4), 4, 1, 2, 2); err != nil {
		t.Fatal(err)
	}
	decode(t, buf.Bytes())
}

func TestWeightsPNGMNISTSize(t *testing.T) {
	var buf bytes.Buffer
	w := make([]float32, 784*10)
	for i := range w {
		w[i] = float32(i%13) - 6
	}
	if err := WeightsPNG(&buf, w, 784, 10, 28, 28); err != nil {
		t.Fatal(err)
	}
	b := decode(t, buf.Bytes()).Bounds()
	// 10 tiles of 28×28 at 4×: a 5×2 grid of 112-pixel tiles, plus margins.
	if b.Dx() < 5*112 || b.Dx() > 5*112+100 || b.Dy() < 2*112 || b.Dy() > 2*112+150 {
		t.Errorf("MNIST picture is %d×%d, want about 5×112 by 2×112 plus labels and legend", b.Dx(), b.Dy())
	}
}

func TestWeightsPNGErrors(t *testing.T) {
	var buf bytes.Buffer
	cases := []struct {
		w                      []float32
		inputs, outputs, h, wd int
		message                string
	}{
		{make([]float32, 784*10), 784, 10, 28, 27, "784 inputs do not make 28×27 = 756-pixel tiles"},
		{make([]float32, 100), 784, 10, 28, 28, "w has 100 values, want inputs·outputs = 784·10 = 7840"},
		{nil, 4, 0, 2, 2, "0 outputs"},
		{nil, 0, 1, 0, 0, "tile of 0×0 pixels"},
		{make([]float32, 4), 4, 1, -2, -2, "tile of -2×-2 pixels"},
	}
	for _, c := range cases {
		err := WeightsPNG(&buf, c.w, c.inputs, c.outputs, c.h, c.wd)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.message) {
			t.Errorf("WeightsPNG(%d values, %d, %d, %d, %d) = %v, want ErrInvalid with %q", len(c.w), c.inputs, c.outputs, c.h, c.wd, err, c.message)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written despite errors", buf.Len())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsReturned(t *testing.T) {
	err := WeightsPNG(failingWriter{}, make([]float32, 4), 4, 1, 2, 2)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write failure: %v", err)
	}
}

func TestDecisionPNG(t *testing.T) {
	// Class 1 right of x = 0.
	predict := func(x, y float32) float32 {
		if x > 0 {
			return 1
		}
		return 0
	}
	pts := [][2]float32{{0.5, 0.5}, {-0.5, -0.5}}
	var buf bytes.Buffer
	if err := DecisionPNG(&buf, predict, -1, 1, -1, 1, pts, []float32{1, 0}); err != nil {
		t.Fatal(err)
	}
	img := decode(t, buf.Bytes())
	if b := img.Bounds(); b.Dx() != decisionSize || b.Dy() != decisionSize {
		t.Fatalf("size %v, want %d square", b, decisionSize)
	}
	// Region tints: right half red, left half blue (away from points/axes).
	if r, g, b := rgb(img, 350, 50); !isReddish(r, g, b) {
		t.Errorf("right region is (%d,%d,%d), want reddish", r, g, b)
	}
	if r, g, b := rgb(img, 50, 350); !isBluish(r, g, b) {
		t.Errorf("left region is (%d,%d,%d), want bluish", r, g, b)
	}
	// Points: (0.5, 0.5) is at pixel (300, 100), y up; its centre is the
	// saturated class colour.
	if c := at(img, image.Pt(300, 100)); c != positiveEnd {
		t.Errorf("point of class 1 drawn as %v, want %v", c, positiveEnd)
	}
	if r, g, b := rgb(img, 100, 300); !isBluish(r, g, b) {
		t.Errorf("point of class 0 drawn as (%d,%d,%d), want bluish", r, g, b)
	}
	// The boundary at x = 0 is drawn dark at the column where class flips.
	if r, g, b := rgb(img, decisionSize/2-1, 30); r > 80 || g > 80 || b > 80 {
		t.Errorf("boundary pixel is (%d,%d,%d), want dark", r, g, b)
	}
}

func TestDecisionPNGErrors(t *testing.T) {
	p := func(x, y float32) float32 { return 0 }
	var buf bytes.Buffer
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		predict        func(x, y float32) float32
		x0, x1, y0, y1 float32
		pts            [][2]float32
		labels         []float32
		message        string
	}{
		{nil, 0, 1, 0, 1, nil, nil, "predict is nil"},
		{p, 1, 0, 0, 1, nil, nil, "want finite x0 < x1"},
		{p, 0, 1, 0, 0, nil, nil, "want finite x0 < x1 and y0 < y1"},
		{p, 0, inf, 0, 1, nil, nil, "want finite"},
		{p, 0, 1, 0, 1, [][2]float32{{0, 0}}, nil, "1 points but 0 labels"},
	} {
		err := DecisionPNG(&buf, c.predict, c.x0, c.x1, c.y0, c.y1, c.pts, c.labels)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.message) {
			t.Errorf("got %v, want ErrInvalid with %q", err, c.message)
		}
	}
}

func TestGridShape(t *testing.T) {
	for _, c := range []struct{ n, cols, rows int }{
		{1, 1, 1}, {2, 2, 1}, {3, 3, 1}, {10, 5, 2}, {128, 16, 8}, {256, 16, 16}, {100, 10, 10}, {7, 4, 2},
	} {
		if cols, rows := gridShape(c.n); cols != c.cols || rows != c.rows {
			t.Errorf("gridShape(%d) = %d×%d, want %d×%d", c.n, cols, rows, c.cols, c.rows)
		}
	}
	for n := 1; n <= 1000; n++ {
		cols, rows := gridShape(n)
		if cols*rows < n || cols*(rows-1) >= n || cols < rows {
			t.Fatalf("gridShape(%d) = %d×%d: too few or too many rows, or taller than wide", n, cols, rows)
		}
	}
}
