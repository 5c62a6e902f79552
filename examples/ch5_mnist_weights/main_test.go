package main

import (
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/nn/mnist"
)

// trained runs the program with the book's settings on real MNIST, skipping
// under -short or where MNIST cannot be found.
func trained(t *testing.T) (*result, string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains on MNIST; skipped with -short")
	}
	if _, err := mnist.Locate(); errors.Is(err, mnist.ErrNotFound) {
		t.Skipf("MNIST not available: %v", err)
	}
	o := defaultOptions()
	o.out = filepath.Join(t.TempDir(), "weights.png")
	var out strings.Builder
	r, err := train(&out, o)
	if err != nil {
		t.Fatal(err)
	}
	return r, out.String(), o.out
}

func TestMNISTWeights(t *testing.T) {
	r, out, pngPath := trained(t)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != defaultOptions().epochs+2 {
		t.Fatalf("%d lines of output, want one per epoch and two more:\n%s", len(lines), out)
	}
	for i, prefix := range []string{"Epoch:1 Error:", "Epoch:2 Error:", "Epoch:3 Error:", "Train-Acc:", "wrote "} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d is %q, want it to start %q", i+1, lines[i], prefix)
		}
	}

	// A single linear layer on 1000 images: about 85% of its training images
	// and 79% of the test set (measured: 0.855 and 0.7934). Chance is 10%;
	// a broken update or a transposed layer stays far below these bounds.
	if r.trainAcc.Total != 1000 || r.trainAcc.Accuracy < 0.8 {
		t.Errorf("train accuracy %.4f over %d images, want ≥ 0.8 over 1000", r.trainAcc.Accuracy, r.trainAcc.Total)
	}
	if r.test.Total != 10000 || r.test.Accuracy < 0.75 {
		t.Errorf("test accuracy %.4f over %d images, want ≥ 0.75 over 10000", r.test.Accuracy, r.test.Total)
	}

	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", pngPath, err)
	}
	if b := img.Bounds(); b.Dx() < 5*28 || b.Dy() < 2*28 {
		t.Errorf("picture is %d×%d pixels, too small for ten 28×28 tiles", b.Dx(), b.Dy())
	}

	t.Run("weights look like digits", func(t *testing.T) { checkLikeDigits(t, r) })
}

// checkLikeDigits checks the chapter's point: the weights of output d are
// most similar (largest dot product) to the average image of digit d. That
// is what makes the picture show digits.
func checkLikeDigits(t *testing.T, r *result) {
	const digits = 10
	features := r.train.Features
	mean := make([][]float64, digits)
	count := make([]int, digits)
	for d := range mean {
		mean[d] = make([]float64, features)
	}
	for i, label := range r.train.Labels {
		count[label]++
		for p, v := range r.train.X[i*features : (i+1)*features] {
			mean[label][p] += float64(v)
		}
	}
	w := r.net.Weights(0) // features×digits
	matched := 0
	for d := range digits {
		best, bestScore := -1, 0.0
		for out := range digits {
			score := 0.0
			for p := range features {
				score += mean[d][p] / float64(count[d]) * float64(w[p*digits+out])
			}
			if best < 0 || score > bestScore {
				best, bestScore = out, score
			}
		}
		if best == d {
			matched++
		} else {
			t.Logf("the average %d scores highest at output %d", d, best)
		}
	}
	if matched < digits {
		t.Errorf("only %d of the 10 average digits score highest at their own output", matched)
	}
}
