// Package nn is nnsimd's neural-network layer: fully connected (dense)
// networks trained by stochastic gradient descent, built on the float32
// kernels of package kernels.
//
// It follows the conventions of "Grokking Deep Learning" exactly:
//
//   - a layer's weights are a matrix of shape inputs×outputs, stored row-major,
//     and layer_out = act(layer_in · W [+ b]);
//   - no bias unless Config.Bias asks for one;
//   - for the mse loss a sample's error is Σ_j (pred_j − target_j)² and
//     delta = pred − target, with no factor 2 and no mean over the outputs
//     (so the update is half the gradient of the recorded error, as in the
//     book);
//   - a hidden layer's delta is delta_out · Wᵀ ⊙ act′(hidden), computed with
//     the weights before this sample's update;
//   - the update is W −= lr · outer(layer_in, delta).
//
// Per-sample SGD (TrainConfig.BatchSize ≤ 1) runs the book's order for each
// sample: forward, loss, delta, backward, update. Mini-batch SGD (BatchSize > 1)
// averages the gradient over the batch and runs on matrix products.
//
// Training is deterministic: the same Config.Seed, TrainConfig and data on the
// same kernel implementation give bit-identical weights, whatever
// TrainConfig.Threads is.
//
// Where the time goes: per-sample training is bound by the first layer, so
// inputs that are mostly zero (MNIST: 81%) take a sparse path that visits
// only the rows of W for non-zero inputs, forward (Σ x_i·W[i,:]) and in the
// update, in spans of consecutive rows per kernel call. Mini-batch training
// is three GEMMs per layer (X·W with bias and relu fused, δ·Wᵀ, and Xᵀ·δ
// fused with the update), except that a batch of sparse inputs takes the
// first layer's X·W and update over the non-zeros only, and so do Predict
// and Evaluate its X·W; so do the wider layers above a relu, block by
// block of 16 rows, when enough of its outputs are zero. Neither allocates
// once Fit has started: the workspaces belong to the network.
package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"weak"
)

// Activation names a layer's activation function.
type Activation string

// The activation functions. Derivatives are taken at the layer's output y,
// as the book's relu2deriv(output) does.
const (
	Identity Activation = "identity" // y = z; y′ = 1
	ReLU     Activation = "relu"     // y = max(z, 0); y′ = 1 if y > 0, else 0
	Sigmoid  Activation = "sigmoid"  // y = 1/(1+e^−z); y′ = y·(1−y)
	Tanh     Activation = "tanh"     // y = tanh z; y′ = 1 − y²
	// Step is the perceptron's threshold: y = 1 if z > 0, else 0. Its true
	// derivative is 0 almost everywhere, which would stop all learning, so
	// training treats it as 1 (the straight-through estimator).
	Step Activation = "step"
	// Softmax is allowed only on the output layer: y_j = e^{z_j} / Σ_k e^{z_k}.
	Softmax Activation = "softmax"
)

// Loss names the training loss.
type Loss string

// The losses.
const (
	// MSE is the book's squared error: a sample's loss is Σ_j (pred_j − target_j)²
	// and delta = (pred − target) ⊙ act′(output) (act′ = 1 for identity).
	// With a softmax output the delta goes through softmax's full Jacobian.
	MSE Loss = "mse"
	// CrossEntropy is −Σ_j t_j·log p_j with p = softmax(z), computed by
	// log-sum-exp (so p = 0 never produces −Inf). delta = p − target, which is
	// the exact gradient when the targets sum to 1 (one-hot, for example).
	// It requires a softmax output; Config.Output "" then means softmax.
	CrossEntropy Loss = "cross_entropy"
)

// Init names a weight initialisation.
type Init string

// The initialisations. Every layer's weights are drawn in order, row-major,
// from one PCG generator (math/rand/v2) seeded by Config.Seed. Biases start at 0.
const (
	Uniform Init = "uniform" // w = InitScale·(2·u − 1), u uniform in [0,1): the book's 0.2·rand − 0.1 for scale 0.1
	He      Init = "he"      // He normal: w ~ N(0, 2/inputs)
	Xavier  Init = "xavier"  // Glorot uniform: w uniform in ±√(6/(inputs+outputs))
)

// Config describes a network's shape and initialisation.
type Config struct {
	Sizes     []int      // layer widths including the input, e.g. {784, 128, 10}; len ≥ 2, each ≥ 1
	Hidden    Activation // activation of every hidden layer; "" = relu
	Output    Activation // "" = identity (softmax with the cross_entropy loss)
	Loss      Loss       // "" = mse
	Bias      bool       // add a bias vector per layer (initialised to 0)
	Init      Init       // "" = uniform
	InitScale float32    // half-width of the uniform init; 0 = 0.1 (unused by he and xavier)
	Seed      uint64     // weight init seed
}

// Limits on a network's shape, so that a typo or a corrupt model file cannot
// ask for an absurd amount of memory.
const (
	maxLayers = 1 << 10 // weight layers
	maxWidth  = 1 << 24 // units in one layer
	maxParams = 1 << 31 // weights and biases in all
)

// Errors. Every error about arguments, training or a model file's contents
// wraps one of them, with details, e.g. "nn: Fit: y has 9 columns, network
// outputs 10: invalid argument"; failures to open, write or rename a file
// wrap the os package's error instead.
var (
	ErrInvalid   = errors.New("invalid argument")  // bad config, shapes, NaN hyper-parameters or data
	ErrDiverged  = errors.New("training diverged") // returned as *DivergedError, which Is(ErrDiverged)
	ErrCanceled  = errors.New("training canceled") // the progress hook returned false
	ErrBadMagic  = errors.New("not an nnsimd model file")
	ErrVersion   = errors.New("unsupported model file version")
	ErrTruncated = errors.New("model file truncated")
	ErrChecksum  = errors.New("model file checksum mismatch")
	ErrCorrupt   = errors.New("model file corrupt") // impossible header values
)

// DivergedError reports the first sample whose loss was NaN or beyond the
// float32 range. Training stops before that sample's update, so the weights
// are those reached after the previous update.
type DivergedError struct {
	Epoch  int     // 1-based epoch
	Sample int     // 0-based row of the training data
	Loss   float64 // the offending loss (NaN or ±Inf or > MaxFloat32)
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("nn: Fit: training diverged: loss %g at epoch %d, sample %d (try a smaller learning rate)", e.Loss, e.Epoch, e.Sample)
}

// Is makes errors.Is(err, ErrDiverged) true.
func (e *DivergedError) Is(target error) bool { return target == ErrDiverged }

func invalidf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
}

// layer is one dense layer: out = act(in · w + b).
type layer struct {
	in, out int
	act     Activation
	w       []float32 // in×out, row-major
	b       []float32 // out, nil without bias

	frozen     bool
	frozenIdx  []int32   // indices into w whose update is skipped (FreezeWeights)
	frozenSave []float32 // their values, saved before an update and restored after it

	vw, vb []float32 // momentum velocities, allocated by Fit when Momentum > 0

	// panels, while not nil, holds the weights in column panels instead
	// of w (see panels.go), in panelBuf; vw then follows the same layout.
	panels, panelBuf []float32
}

// Network is a feed-forward network of dense layers. It is not safe for
// concurrent use: Forward, Predict, Evaluate and Fit share its workspaces.
type Network struct {
	cfg    Config
	layers []layer
	ws     sampleWork
	bw     batchWork

	momentumSteps int // mini-batch steps with momentum since Fit reset the velocities
	// lists are the last mini-batch Fit's lists of its inputs' non-zeros,
	// whose memory the next Fit lists its own into, unless the garbage
	// collector has taken it back (a user's loop of one-epoch Fits pays
	// the page faults of fresh lists once, not every epoch).
	lists weak.Pointer[sparseData]
}

// New builds a network from cfg, with weights initialised from cfg.Seed.
func New(cfg Config) (*Network, error) {
	cfg, err := validConfig("New", cfg)
	if err != nil {
		return nil, err
	}
	n := newShell(cfg)
	n.initWeights()
	return n, nil
}

// validConfig checks cfg and fills in its defaults.
func validConfig(fn string, cfg Config) (Config, error) {
	cfg.Sizes = append([]int(nil), cfg.Sizes...)
	if cfg.Hidden == "" {
		cfg.Hidden = ReLU
	}
	if cfg.Loss == "" {
		cfg.Loss = MSE
	}
	if cfg.Output == "" {
		cfg.Output = Identity
		if cfg.Loss == CrossEntropy {
			cfg.Output = Softmax
		}
	}
	if cfg.Init == "" {
		cfg.Init = Uniform
	}
	if cfg.InitScale == 0 {
		cfg.InitScale = 0.1
	}
	if len(cfg.Sizes) < 2 {
		return cfg, invalidf("nn: %s: Sizes has %d entries, want at least 2 (inputs and outputs)", fn, len(cfg.Sizes))
	}
	if len(cfg.Sizes)-1 > maxLayers {
		return cfg, invalidf("nn: %s: %d layers, at most %d supported", fn, len(cfg.Sizes)-1, maxLayers)
	}
	var params int64
	for i, s := range cfg.Sizes {
		if s < 1 || s > maxWidth {
			return cfg, invalidf("nn: %s: Sizes[%d] = %d, want 1..%d", fn, i, s, maxWidth)
		}
		if i > 0 {
			params += int64(cfg.Sizes[i-1])*int64(s) + int64(s)
			if params > maxParams {
				return cfg, invalidf("nn: %s: more than %d parameters", fn, maxParams)
			}
		}
	}
	switch cfg.Hidden {
	case Identity, ReLU, Sigmoid, Tanh, Step:
	case Softmax:
		return cfg, invalidf("nn: %s: Hidden = %q: softmax is allowed only as the output activation", fn, cfg.Hidden)
	default:
		return cfg, invalidf("nn: %s: unknown hidden activation %q (want identity, relu, sigmoid, tanh or step)", fn, cfg.Hidden)
	}
	switch cfg.Output {
	case Identity, ReLU, Sigmoid, Tanh, Step, Softmax:
	default:
		return cfg, invalidf("nn: %s: unknown output activation %q (want identity, relu, sigmoid, tanh, step or softmax)", fn, cfg.Output)
	}
	switch cfg.Loss {
	case MSE:
	case CrossEntropy:
		if cfg.Output != Softmax {
			return cfg, invalidf("nn: %s: loss cross_entropy needs a softmax output, Output is %q", fn, cfg.Output)
		}
	default:
		return cfg, invalidf("nn: %s: unknown loss %q (want mse or cross_entropy)", fn, cfg.Loss)
	}
	switch cfg.Init {
	case Uniform, He, Xavier:
	default:
		return cfg, invalidf("nn: %s: unknown init %q (want uniform, he or xavier)", fn, cfg.Init)
	}
	if s := float64(cfg.InitScale); math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return cfg, invalidf("nn: %s: InitScale = %g, want a finite value ≥ 0", fn, s)
	}
	return cfg, nil
}

// newShell allocates the layers of a validated config, weights zero.
func newShell(cfg Config) *Network {
	n := &Network{cfg: cfg, layers: make([]layer, len(cfg.Sizes)-1)}
	for l := range n.layers {
		ly := &n.layers[l]
		ly.in, ly.out = cfg.Sizes[l], cfg.Sizes[l+1]
		ly.act = cfg.Hidden
		if l == len(n.layers)-1 {
			ly.act = cfg.Output
		}
		ly.w = make([]float32, ly.in*ly.out)
		if cfg.Bias {
			ly.b = make([]float32, ly.out)
		}
	}
	n.ws.init(n)
	return n
}

// pcgStream separates the init generator from the shuffle generator, so
// Config.Seed and TrainConfig.Seed may be equal without correlation.
const (
	pcgStreamInit    = 0x6e6e73696d642d69 // "nnsimd-i"
	pcgStreamShuffle = 0x6e6e73696d642d73 // "nnsimd-s"
)

func (n *Network) initWeights() {
	rng := rand.New(rand.NewPCG(n.cfg.Seed, pcgStreamInit))
	for l := range n.layers {
		ly := &n.layers[l]
		switch n.cfg.Init {
		case Uniform:
			s := float64(n.cfg.InitScale)
			for i := range ly.w {
				ly.w[i] = float32(s * (2*rng.Float64() - 1))
			}
		case He:
			sd := math.Sqrt(2 / float64(ly.in))
			for i := range ly.w {
				ly.w[i] = float32(sd * rng.NormFloat64())
			}
		case Xavier:
			s := math.Sqrt(6 / float64(ly.in+ly.out))
			for i := range ly.w {
				ly.w[i] = float32(s * (2*rng.Float64() - 1))
			}
		}
	}
}

// Config returns a copy of the network's configuration, defaults filled in.
func (n *Network) Config() Config {
	c := n.cfg
	c.Sizes = append([]int(nil), c.Sizes...)
	return c
}

// NumLayers returns the number of weight layers, len(Sizes)−1.
func (n *Network) NumLayers() int { return len(n.layers) }

// Inputs returns the width of the input layer.
func (n *Network) Inputs() int { return n.cfg.Sizes[0] }

// Outputs returns the width of the output layer.
func (n *Network) Outputs() int { return n.cfg.Sizes[len(n.cfg.Sizes)-1] }

func (n *Network) layer(fn string, l int) *layer {
	if l < 0 || l >= len(n.layers) {
		panic(fmt.Sprintf("nn: %s: layer %d out of range [0, %d)", fn, l, len(n.layers)))
	}
	return &n.layers[l]
}

// Weights returns layer l's weight matrix, inputs×outputs row-major: weight
// i*outputs+j connects input i to output j. It is a live view: writes change
// the network. It panics if l is out of range.
func (n *Network) Weights(l int) []float32 { return n.layer("Weights", l).w }

// Biases returns layer l's bias vector as a live view, or nil if the network
// has no biases. It panics if l is out of range.
func (n *Network) Biases(l int) []float32 { return n.layer("Biases", l).b }

// SetWeights copies w into layer l's weights; len(w) must be inputs·outputs.
func (n *Network) SetWeights(l int, w []float32) error {
	if l < 0 || l >= len(n.layers) {
		return invalidf("nn: SetWeights: layer %d out of range [0, %d)", l, len(n.layers))
	}
	ly := &n.layers[l]
	if len(w) != len(ly.w) {
		return invalidf("nn: SetWeights: layer %d has %d×%d = %d weights, got %d", l, ly.in, ly.out, len(ly.w), len(w))
	}
	copy(ly.w, w)
	return nil
}

// SetBiases copies b into layer l's biases; len(b) must be the layer's outputs.
func (n *Network) SetBiases(l int, b []float32) error {
	if l < 0 || l >= len(n.layers) {
		return invalidf("nn: SetBiases: layer %d out of range [0, %d)", l, len(n.layers))
	}
	ly := &n.layers[l]
	if ly.b == nil {
		return invalidf("nn: SetBiases: the network has no biases (Config.Bias is false)")
	}
	if len(b) != len(ly.b) {
		return invalidf("nn: SetBiases: layer %d has %d biases, got %d", l, len(ly.b), len(b))
	}
	copy(ly.b, b)
	return nil
}

// FreezeLayer stops (or, with frozen false, resumes) training of layer l's
// weights and biases. Deltas still flow back through a frozen layer. It panics
// if l is out of range.
func (n *Network) FreezeLayer(l int, frozen bool) { n.layer("FreezeLayer", l).frozen = frozen }

// FreezeWeights freezes single weights of layer l (the book's ch. 5 "freezing
// one weight"): mask[i*outputs+j] = true keeps weight (i, j) unchanged by
// training. A nil mask unfreezes all of the layer's weights. Biases are not
// affected; use FreezeLayer for those.
func (n *Network) FreezeWeights(l int, mask []bool) error {
	if l < 0 || l >= len(n.layers) {
		return invalidf("nn: FreezeWeights: layer %d out of range [0, %d)", l, len(n.layers))
	}
	ly := &n.layers[l]
	if mask == nil {
		ly.frozenIdx, ly.frozenSave = nil, nil
		return nil
	}
	if len(mask) != len(ly.w) {
		return invalidf("nn: FreezeWeights: mask has %d entries, layer %d has %d×%d = %d weights", len(mask), l, ly.in, ly.out, len(ly.w))
	}
	var idx []int32
	for i, m := range mask {
		if m {
			idx = append(idx, int32(i))
		}
	}
	ly.frozenIdx = idx
	ly.frozenSave = make([]float32, len(idx))
	return nil
}

// saveFrozen remembers the frozen weights before an update; restoreFrozen
// puts them back after it. Updating everything and undoing a few keeps the
// update itself a plain kernel call in both training modes.
func (ly *layer) saveFrozen() {
	for k, i := range ly.frozenIdx {
		ly.frozenSave[k] = ly.w[i]
	}
}

func (ly *layer) restoreFrozen() {
	for k, i := range ly.frozenIdx {
		ly.w[i] = ly.frozenSave[k]
	}
}
