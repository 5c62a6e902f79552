package viz

import (
	"image"
	"image/color"
)

// The standard library draws no text, so the pictures carry their own tiny
// font: 3×5-pixel glyphs for what labels and scale values need.
const (
	glyphW = 3
	glyphH = 5
)

// glyphs maps a character to its five rows, top first; '#' is ink.
var glyphs = map[rune][glyphH]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", ".#.", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'-': {"...", "...", "###", "...", "..."},
	'+': {"...", ".#.", "###", ".#.", "..."},
	'.': {"...", "...", "...", "...", ".#."},
	'e': {"...", "###", "###", "#..", "###"},
	' ': {"...", "...", "...", "...", "..."},
}

// textWidth is the width in pixels of s drawn at the given scale, with one
// scaled pixel between characters.
func textWidth(s string, scale int) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return (n*(glyphW+1) - 1) * scale
}

func textHeight(scale int) int { return glyphH * scale }

// drawText draws s with its top-left corner at (x, y). Characters without a
// glyph are drawn as a filled box, so a missing glyph is visible, not silent.
func drawText(img *image.RGBA, x, y int, s string, scale int, ink color.RGBA) {
	for _, r := range s {
		g, ok := glyphs[r]
		for row := 0; row < glyphH; row++ {
			for col := 0; col < glyphW; col++ {
				if ok && g[row][col] != '#' {
					continue
				}
				fillRect(img, x+col*scale, y+row*scale, scale, scale, ink)
			}
		}
		x += (glyphW + 1) * scale
	}
}

// fillRect paints a w×h rectangle, clipped to the image.
func fillRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	r := image.Rect(x, y, x+w, y+h).Intersect(img.Rect)
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			img.SetRGBA(px, py, c)
		}
	}
}
