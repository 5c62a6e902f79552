package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/nnsimd/nnsimd/nn"
)

// progressBar redraws one status line in place on a terminal; elsewhere (a
// pipe, a log file, CI) it stays silent, leaving the per-epoch lines alone.
type progressBar struct {
	w     io.Writer
	live  bool // w is a terminal
	drawn bool // a status line is on screen
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, live: ok && term.IsTerminal(int(f.Fd()))}
}

const barWidth = 24

// update redraws the line: epoch, share done, throughput, running loss and
// the time left for the whole run. Fit calls it at its ProgressEvery pace.
func (b *progressBar) update(p nn.Progress) {
	if !b.live || p.Total == 0 {
		return
	}
	b.message(statusLine(p))
}

// message shows a status text until the next update or clear.
func (b *progressBar) message(s string) {
	if b.live {
		b.w.Write([]byte("\r" + s + "\x1b[K"))
		b.drawn = true
	}
}

// statusLine formats one progress report.
func statusLine(p nn.Progress) string {
	done := float64(p.Done) / float64(p.Total)
	filled := int(done * barWidth)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", barWidth-filled)
	eta := "?"
	if p.SamplesPerSec > 0 {
		left := float64((p.Epochs-p.Epoch)*p.Total + p.Total - p.Done)
		eta = formatDuration(time.Duration(left / p.SamplesPerSec * float64(time.Second)))
	}
	return fmt.Sprintf("epoch %d/%d [%s] %3.0f%%  %.0f samples/s  loss %.4f  ETA %s",
		p.Epoch, p.Epochs, bar, 100*done, p.SamplesPerSec, p.Loss, eta)
}

// formatDuration writes a remaining time the way a person reads it: 42s,
// 3m05s, 1h02m.
func formatDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
	}
}

// clear erases the status line so a regular line can take its place.
func (b *progressBar) clear() {
	if b.drawn {
		b.w.Write([]byte("\r\x1b[K"))
		b.drawn = false
	}
}
