// Command rss trains 784-hidden-10 on full MNIST and prints the process's
// resident memory (VmRSS) after loading and after every epoch, to show that
// training allocates nothing that grows with the epochs (issue 6). It exits
// 1 if RSS after the last epoch exceeds RSS after the first by more than
// -tolerance MiB. Linux only (it reads /proc/self/status).
//
//	go run ./bench/rss [-epochs 3] [-batch 64] [-hidden 256] [-tolerance 8]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/nnsimd/nnsimd/nn"
	"github.com/nnsimd/nnsimd/nn/mnist"
)

// rssKiB is this process's resident set size from /proc/self/status.
func rssKiB() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("rss: no VmRSS line in /proc/self/status")
}

func main() {
	epochs := flag.Int("epochs", 3, "epochs to train")
	batch := flag.Int("batch", 64, "mini-batch size (1 = per-sample SGD)")
	hidden := flag.Int("hidden", 256, "hidden units")
	lr := flag.Float64("lr", 0.05, "learning rate")
	momentum := flag.Float64("momentum", 0.9, "momentum")
	tolerance := flag.Int64("tolerance", 8, "allowed RSS growth after the first epoch, MiB")
	dir := flag.String("mnist", "", "MNIST folder (default: located as the CLI does)")
	flag.Parse()
	if err := run(*dir, *epochs, *batch, *hidden, float32(*lr), float32(*momentum), *tolerance); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(1)
	}
}

func run(dir string, epochs, batch, hidden int, lr, momentum float32, tolerance int64) error {
	train, err := mnist.Load(dir, "train")
	if err != nil {
		return err
	}
	net, err := nn.New(nn.Config{Sizes: []int{train.Features, hidden, 10}, Hidden: nn.ReLU, Loss: nn.CrossEntropy, Init: nn.He, Seed: 1})
	if err != nil {
		return err
	}
	y := nn.OneHot(train.Labels, 10)
	start, err := rssKiB()
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d×%d: RSS %d KiB\n", train.N, train.Features, start)
	var perEpoch []int64
	var readErr error
	t0 := time.Now()
	tc := nn.TrainConfig{Epochs: epochs, LR: lr, BatchSize: batch, Momentum: momentum,
		Progress: func(p nn.Progress) bool {
			if p.Done < p.Total {
				return true
			}
			kib, err := rssKiB()
			if err != nil {
				readErr = err
				return false
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			perEpoch = append(perEpoch, kib)
			fmt.Printf("epoch %d/%d (%.1f s, loss %.4f): RSS %d KiB (%+d since epoch 1), Go heap in use %d KiB, %d GCs\n",
				p.Epoch, p.Epochs, time.Since(t0).Seconds(), p.Loss, kib, kib-perEpoch[0], ms.HeapInuse>>10, ms.NumGC)
			return true
		}}
	if _, err := net.Fit(train.X, y, train.N, tc); err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	if len(perEpoch) != epochs {
		return fmt.Errorf("saw the end of %d epochs, want %d", len(perEpoch), epochs)
	}
	if grew := perEpoch[len(perEpoch)-1] - perEpoch[0]; grew > tolerance<<10 {
		return fmt.Errorf("RSS grew %d KiB after the first epoch, more than %d MiB", grew, tolerance)
	}
	return nil
}
