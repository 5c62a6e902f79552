// Command nnsimd trains, evaluates and draws dense networks on MNIST-style
// IDX data, and measures the SIMD kernels underneath.
//
//	nnsimd train [flags]            train on MNIST (found or fetched), report test accuracy
//	nnsimd eval -model F            accuracy and confusion matrix on the test set
//	nnsimd viz -model F -out P      first-layer weights as a PNG
//	nnsimd bench [-quick] [-isa X]  kernel throughput table
//	nnsimd isa                      kernel implementation in use and available
//	nnsimd version
//
// Errors are one line on stderr, "nnsimd: …", with exit status 2 for a usage
// mistake (bad flag or value) and 1 for a failure (missing or corrupt file,
// divergence, write error).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/nnsimd/nnsimd"
	"github.com/nnsimd/nnsimd/kernels"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// command is one subcommand: its one-line summary and its body, which parses
// its own flags from args.
type command struct {
	summary string
	run     func(env *env, args []string) error
}

// env is what a command writes to; stdout is also what the progress bar
// checks for a terminal.
type env struct {
	stdout, stderr io.Writer
	// catchInterrupt, when set, makes Ctrl-C a request to stop, reported by
	// closing the channel, until stop is called. Only long-running commands
	// ask for it; the others keep Ctrl-C's default.
	catchInterrupt func() (interrupted <-chan struct{}, stop func())
}

var commands map[string]command

func init() {
	// Assigned in init because help refers back to the table.
	commands = map[string]command{
		"train":   {"train a network on MNIST (or any IDX folder) and report test accuracy", runTrain},
		"eval":    {"accuracy and confusion matrix of a saved model on the test set", runEval},
		"viz":     {"draw a saved model's first-layer weights as a PNG", runViz},
		"bench":   {"measure the kernels on every ISA this CPU has", runBench},
		"isa":     {"show the kernel implementation in use and the available ones", runISA},
		"version": {"print the version", runVersion},
		"help":    {"show this help, or a command's: nnsimd help train", runHelp},
	}
}

// notifyInterrupt starts catching Ctrl-C: the returned channel is closed at
// the first one, so training can stop cleanly between batches. stop restores
// the default (a second Ctrl-C, or one after stop, kills the process).
func notifyInterrupt() (interrupted <-chan struct{}, stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		select {
		case <-signals:
			close(done)
		case <-finished:
		}
		signal.Stop(signals)
	}()
	var once sync.Once
	return done, func() { once.Do(func() { close(finished) }) }
}

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, catchInterrupt: notifyInterrupt}
	os.Exit(run(e, os.Args[1:]))
}

// run executes one command line and returns the exit status. It never
// panics: a panic (a bug) becomes one line on stderr and status 1.
func run(e *env, args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "nnsimd: internal error (please report): %s\n", oneLine(fmt.Errorf("%v", r)))
			status = exitFailure
		}
	}()
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "nnsimd: no command given; try `nnsimd help`")
		return exitUsage
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "nnsimd: unknown command %q; try `nnsimd help`\n", name)
		return exitUsage
	}
	err := cmd.run(e, args[1:])
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "nnsimd: %v\n", oneLine(err))
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "nnsimd: %v\n", oneLine(err))
		return exitFailure
	}
}

// usageError marks a mistake on the command line (exit status 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// oneLine keeps an error message on one line, whatever it wraps.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// newFlags makes a command's flag set; synopsis is its usage line after
// "nnsimd ".
func newFlags(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: nnsimd %s\n\n%s\n", synopsis, about)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(out, "\nflags:")
			fs.PrintDefaults()
		}
	}
	fs.SetOutput(e.stdout)
	return fs
}

// parseFlags parses args; -h prints the command's help to stdout and returns
// flag.ErrHelp, a bad flag is a one-line usage error (the flag package's own
// report, with the whole usage, would be many lines), and positional
// arguments are refused.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		return usagef("%s: %v (see `nnsimd %s -h`)", fs.Name(), err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q (see `nnsimd %s -h`)", fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// useISA switches the kernels to the one named by -isa; without it, a bad
// NNSIMD_ISA in the environment is an error rather than silently ignored.
func useISA(name string) error {
	if name != "" {
		if err := kernels.Use(name); err != nil {
			return usageError{fmt.Errorf("-isa: %w", err)}
		}
		return nil
	}
	if err := kernels.EnvError(); err != nil {
		return usageError{fmt.Errorf("%w (unset it, or pass -isa)", err)}
	}
	return nil
}

func runHelp(e *env, args []string) error {
	if len(args) > 0 {
		cmd, ok := commands[args[0]]
		if !ok || args[0] == "help" {
			return usagef("no help for %q; commands: %s", args[0], strings.Join(commandNames(), ", "))
		}
		return cmd.run(e, []string{"-h"})
	}
	w := e.stdout
	fmt.Fprintln(w, "nnsimd trains dense neural networks on the CPU with SIMD kernels.")
	fmt.Fprintln(w, "\nusage: nnsimd <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, name := range commandNames() {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\n`nnsimd <command> -h` lists a command's flags. MNIST is read from -data, or")
	fmt.Fprintln(w, "$NNSIMD_DATA, or fetched into the Go module cache with the go command.")
	fmt.Fprintln(w, "NNSIMD_ISA=generic|avx2|avx512|neon forces a kernel implementation.")
	return nil
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	// Working order rather than alphabetical: the main job first.
	order := map[string]int{"train": 0, "eval": 1, "viz": 2, "bench": 3, "isa": 4, "version": 5, "help": 6}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	return names
}

func runVersion(e *env, args []string) error {
	fs := newFlags(e, "version", "version", "Print the version, the Go release and the platform.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "nnsimd %s (%s, %s/%s)\n", nnsimd.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func runISA(e *env, args []string) error {
	fs := newFlags(e, "isa", "isa", "Show the kernel implementation in use and the ones this CPU can run.\nNNSIMD_ISA=name forces one at start-up.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "in use:    %s\navailable: %s\n", kernels.ISA(), strings.Join(kernels.Available(), ", "))
	if err := kernels.EnvError(); err != nil {
		return err
	}
	if v := os.Getenv("NNSIMD_ISA"); v != "" {
		fmt.Fprintf(e.stdout, "forced by: NNSIMD_ISA=%s\n", v)
	}
	return nil
}
