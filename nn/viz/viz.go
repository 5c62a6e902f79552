// Package viz draws what a network learned as PNG pictures, with the
// standard library alone: first-layer weights as a grid of images (the
// book's "visualizing weights") and the decision regions of a 2-D
// classifier (the perceptron playground).
package viz

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"
)

// ErrInvalid reports arguments the pictures cannot be drawn from.
var ErrInvalid = errors.New("invalid argument")

// Colours of the diverging map: white at zero, growing towards a deep red
// (positive) or blue (negative) at the largest |w|.
var (
	white       = color.RGBA{255, 255, 255, 255}
	positiveEnd = color.RGBA{178, 24, 43, 255}
	negativeEnd = color.RGBA{33, 102, 172, 255}
	nanColour   = color.RGBA{0, 0, 0, 255} // non-finite weights stand out in black
	background  = color.RGBA{200, 200, 200, 255}
	ink         = color.RGBA{0, 0, 0, 255}
)

// Layout of the weight picture, in pixels.
const (
	gap        = 1  // between tiles
	margin     = 6  // around everything
	textScale  = 2  // 3×5 glyphs drawn as 6×10
	labelSpace = 3  // between a label and its tile
	legendH    = 14 // height of the colour bar
	maxTilePx  = 4096
)

// WeightsPNG draws the inputs×outputs matrix w (row-major, as nn stores a
// layer) as a grid of outputs tiles: tile j is column j reshaped to h rows of
// wd pixels (e.g. 28×28 for MNIST), scaled up, labelled with j, coloured by a
// diverging map symmetric around zero (blue negative, white 0, red positive,
// full colour at max |w|). A colour bar at the bottom shows the scale, with
// −max and +max written at its ends.
func WeightsPNG(out io.Writer, w []float32, inputs, outputs, h, wd int) error {
	switch {
	case h < 1 || wd < 1:
		return fmt.Errorf("viz: WeightsPNG: tile of %d×%d pixels, want both ≥ 1: %w", h, wd, ErrInvalid)
	case inputs != h*wd:
		return fmt.Errorf("viz: WeightsPNG: %d inputs do not make %d×%d = %d-pixel tiles: %w", inputs, h, wd, h*wd, ErrInvalid)
	case outputs < 1:
		return fmt.Errorf("viz: WeightsPNG: %d outputs, want ≥ 1: %w", outputs, ErrInvalid)
	case len(w) != inputs*outputs:
		return fmt.Errorf("viz: WeightsPNG: w has %d values, want inputs·outputs = %d·%d = %d: %w", len(w), inputs, outputs, inputs*outputs, ErrInvalid)
	case h > maxTilePx || wd > maxTilePx:
		return fmt.Errorf("viz: WeightsPNG: tile of %d×%d pixels, at most %d a side: %w", h, wd, maxTilePx, ErrInvalid)
	}

	limit := maxAbsFinite(w)
	l := layoutWeights(outputs, h, wd, limit)
	img := image.NewRGBA(image.Rect(0, 0, l.width, l.height))
	fillRect(img, 0, 0, l.width, l.height, background)

	for j := 0; j < outputs; j++ {
		label := strconv.Itoa(j)
		lx, ly := l.labelOrigin(j, label)
		drawText(img, lx, ly, label, textScale, ink)
		t := l.tileOrigin(j)
		for i := 0; i < inputs; i++ {
			c := diverging(w[i*outputs+j], limit)
			fillRect(img, t.X+(i%wd)*l.scale, t.Y+(i/wd)*l.scale, l.scale, l.scale, c)
		}
	}

	// Colour bar: the scale from −max (left) through 0 (middle) to +max.
	bar := l.legend
	for x := 0; x < bar.Dx(); x++ {
		t := 2*float64(x)/float64(max(bar.Dx()-1, 1)) - 1
		fillRect(img, bar.Min.X+x, bar.Min.Y, 1, bar.Dy(), diverging(float32(t), 1))
	}
	ty := bar.Max.Y + labelSpace
	drawText(img, bar.Min.X, ty, l.minLabel, textScale, ink)
	drawText(img, bar.Min.X+(bar.Dx()-textWidth("0", textScale))/2, ty, "0", textScale, ink)
	drawText(img, bar.Max.X-textWidth(l.maxLabel, textScale), ty, l.maxLabel, textScale, ink)

	return encode(out, img, "WeightsPNG")
}

// weightsLayout places the parts of the weight picture.
type weightsLayout struct {
	scale              int // each weight is drawn as scale×scale pixels
	cols, rows         int // of the grid of tiles
	tileW, tileH       int
	cellW, cellH       int // a tile with its label above
	labelH             int
	width, height      int
	legend             image.Rectangle // the colour bar
	minLabel, maxLabel string          // written under the bar's ends
}

func layoutWeights(outputs, h, wd int, limit float32) weightsLayout {
	var l weightsLayout
	// Scale small tiles up to about 112 pixels a side (28×28 → 4×), a bit
	// less for many tiles, so a picture of a few hundred units stays a few
	// megapixels.
	target := 112
	if outputs > 100 {
		target = 84
	}
	l.scale = max(1, min(8, target/max(h, wd)))
	l.tileW, l.tileH = wd*l.scale, h*l.scale
	l.cols, l.rows = gridShape(outputs)
	l.labelH = textHeight(textScale) + labelSpace
	l.cellW = max(l.tileW, textWidth(strconv.Itoa(outputs-1), textScale))
	l.cellH = l.labelH + l.tileH
	gridW := l.cols*(l.cellW+gap) - gap
	gridH := l.rows*(l.cellH+gap) - gap

	l.minLabel, l.maxLabel = "-"+formatValue(limit), "+"+formatValue(limit)
	legendW := max(gridW, textWidth(l.minLabel+" 0 "+l.maxLabel, textScale))
	legendW = min(legendW, 512) // a longer bar shows nothing more
	l.width = 2*margin + max(gridW, legendW)
	x := (l.width - legendW) / 2
	y := margin + gridH + 2*margin
	l.legend = image.Rect(x, y, x+legendW, y+legendH)
	l.height = l.legend.Max.Y + labelSpace + textHeight(textScale) + margin
	return l
}

// gridShape picks columns and rows for n tiles: between square and twice as
// wide as tall, leaving the fewest empty cells (10 → 5×2, 128 → 16×8,
// 256 → 16×16), the wider on ties.
func gridShape(n int) (cols, rows int) {
	widest := min(n, int(math.Ceil(math.Sqrt(2*float64(n)))))
	bestEmpty := -1
	for c := widest; c >= 1 && c*c >= n; c-- {
		r := (n + c - 1) / c
		if empty := c*r - n; bestEmpty < 0 || empty < bestEmpty {
			cols, rows, bestEmpty = c, r, empty
		}
	}
	return cols, rows
}

// cellOrigin is the top-left corner of output j's cell (label, then tile).
func (l weightsLayout) cellOrigin(j int) image.Point {
	return image.Pt(margin+(j%l.cols)*(l.cellW+gap), margin+(j/l.cols)*(l.cellH+gap))
}

// tileOrigin is the top-left pixel of output j's tile.
func (l weightsLayout) tileOrigin(j int) image.Point {
	c := l.cellOrigin(j)
	return image.Pt(c.X+(l.cellW-l.tileW)/2, c.Y+l.labelH)
}

// labelOrigin is where output j's label starts: centred above its tile.
func (l weightsLayout) labelOrigin(j int, label string) (x, y int) {
	c := l.cellOrigin(j)
	return c.X + (l.cellW-textWidth(label, textScale))/2, c.Y
}

// maxAbsFinite is the largest |v| over the finite values, 0 if there is none.
func maxAbsFinite(w []float32) float32 {
	var m float32
	for _, v := range w {
		if a := float32(math.Abs(float64(v))); a > m && !math.IsInf(float64(a), 0) {
			m = a
		}
	}
	return m
}

// formatValue writes |v| with three significant digits in the characters
// the built-in font has.
func formatValue(v float32) string {
	return strconv.FormatFloat(float64(v), 'g', 3, 32)
}

// diverging maps v in [−limit, limit] to the colour scale; values beyond it
// saturate, NaN is black.
func diverging(v, limit float32) color.RGBA {
	if v != v {
		return nanColour
	}
	if limit == 0 || v == 0 {
		return white
	}
	t := float64(v / limit)
	end := positiveEnd
	if t < 0 {
		t, end = -t, negativeEnd
	}
	return mix(white, end, min(t, 1))
}

// mix interpolates linearly from a (t = 0) to b (t = 1).
func mix(a, b color.RGBA, t float64) color.RGBA {
	lerp := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + t*(float64(y)-float64(x)))) }
	return color.RGBA{lerp(a.R, b.R), lerp(a.G, b.G), lerp(a.B, b.B), 255}
}

func encode(out io.Writer, img image.Image, fn string) error {
	if err := png.Encode(out, img); err != nil {
		return fmt.Errorf("viz: %s: %w", fn, err)
	}
	return nil
}

// Size of the decision-region picture, and of its points.
const (
	decisionSize = 400
	pointRadius  = 5
)

// DecisionPNG draws a 2-D classifier over [x0,x1]×[y0,y1] (y up): each pixel
// is tinted by the class predict gives its centre (≥ 0.5 red, below blue,
// paler where predict is near 0.5), the boundary where the class flips is
// drawn dark, and pts are drawn as discs coloured by their labels (≥ 0.5 the
// red class), so misclassified points show as red on blue or blue on red.
func DecisionPNG(out io.Writer, predict func(x, y float32) float32, x0, x1, y0, y1 float32, pts [][2]float32, labels []float32) error {
	switch {
	case predict == nil:
		return fmt.Errorf("viz: DecisionPNG: predict is nil: %w", ErrInvalid)
	case !(x1 > x0) || !(y1 > y0) || isInf(x0) || isInf(x1) || isInf(y0) || isInf(y1):
		return fmt.Errorf("viz: DecisionPNG: region [%v,%v]×[%v,%v], want finite x0 < x1 and y0 < y1: %w", x0, x1, y0, y1, ErrInvalid)
	case len(labels) != len(pts):
		return fmt.Errorf("viz: DecisionPNG: %d points but %d labels: %w", len(pts), len(labels), ErrInvalid)
	}
	const n = decisionSize
	toX := func(px int) float32 { return x0 + (x1-x0)*(float32(px)+0.5)/n }
	toY := func(py int) float32 { return y1 - (y1-y0)*(float32(py)+0.5)/n }

	class := make([]int8, n*n) // 1, 0, or -1 where predict gave NaN
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			p := predict(toX(px), toY(py))
			var c color.RGBA
			switch {
			case p != p:
				class[py*n+px] = -1
				c = color.RGBA{128, 128, 128, 255}
			case p >= 0.5:
				class[py*n+px] = 1
				c = mix(white, positiveEnd, 0.15+0.35*confidence(p))
			default:
				c = mix(white, negativeEnd, 0.15+0.35*confidence(p))
			}
			img.SetRGBA(px, py, c)
		}
	}
	// The boundary: pixels whose right or lower neighbour is of the other class.
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			k := class[py*n+px]
			if px+1 < n && class[py*n+px+1] != k || py+1 < n && class[(py+1)*n+px] != k {
				img.SetRGBA(px, py, color.RGBA{40, 40, 40, 255})
			}
		}
	}
	// Axes through the origin, when it is in view.
	axis := color.RGBA{150, 150, 150, 255}
	if x0 < 0 && x1 > 0 {
		fillRect(img, int(float32(n)*(-x0)/(x1-x0)), 0, 1, n, axis)
	}
	if y0 < 0 && y1 > 0 {
		fillRect(img, 0, int(float32(n)*y1/(y1-y0)), n, 1, axis)
	}
	for i, p := range pts {
		cx := int(math.Floor(float64((p[0] - x0) / (x1 - x0) * n)))
		cy := int(math.Floor(float64((y1 - p[1]) / (y1 - y0) * n)))
		fill := negativeEnd
		if labels[i] >= 0.5 {
			fill = positiveEnd
		}
		drawDisc(img, cx, cy, pointRadius, ink)
		drawDisc(img, cx, cy, pointRadius-1, fill)
	}
	return encode(out, img, "DecisionPNG")
}

// confidence is how far p is from the 0.5 threshold, in [0, 1].
func confidence(p float32) float64 {
	return min(1, math.Abs(float64(p)-0.5)*2)
}

func isInf(v float32) bool { return math.IsInf(float64(v), 0) }

// drawDisc fills a disc of radius r centred on (cx, cy), clipped.
func drawDisc(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if dx*dx+dy*dy <= r*r && image.Pt(cx+dx, cy+dy).In(img.Rect) {
				img.SetRGBA(cx+dx, cy+dy, c)
			}
		}
	}
}
