package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nnsimd/nnsimd/examples/internal/booktest"
)

// The book's numbers: testdata/book.py (the book's loop with input 2, then
// with alpha 0.1) run with python3, float64 printed with repr(). The book
// prints these with 12 significant digits; the lines it shows
// ("Error:0.04 Prediction:1.0", "Error:0.36 Prediction:0.2",
// "Error:3.24 Prediction:2.6", "Error:6.67087267987e+14
// Prediction:-25828031.8", "Error:6.00378541188e+15 Prediction:77484098.6",
// "Error:5.40340687069e+16 Prediction:-232452292.6" for alpha 1;
// "...Prediction:0.800012187195" at the end for alpha 0.1) agree.
var divergingTrace = []string{
	"Error:0.03999999999999998 Prediction:1.0",
	"Error:0.3599999999999998 Prediction:0.20000000000000018",
	"Error:3.2399999999999984 Prediction:2.5999999999999996",
	"Error:29.159999999999986 Prediction:-4.599999999999999",
	"Error:262.4399999999999 Prediction:16.999999999999996",
	"Error:2361.959999999998 Prediction:-47.79999999999998",
	"Error:21257.639999999978 Prediction:146.59999999999994",
	"Error:191318.75999999983 Prediction:-436.5999999999998",
	"Error:1721868.839999999 Prediction:1312.9999999999995",
	"Error:15496819.559999991 Prediction:-3935.799999999999",
	"Error:139471376.03999993 Prediction:11810.599999999997",
	"Error:1255242384.3599997 Prediction:-35428.59999999999",
	"Error:11297181459.239996 Prediction:106288.99999999999",
	"Error:101674633133.15994 Prediction:-318863.79999999993",
	"Error:915071698198.4395 Prediction:956594.5999999997",
	"Error:8235645283785.954 Prediction:-2869780.599999999",
	"Error:74120807554073.56 Prediction:8609344.999999996",
	"Error:667087267986662.1 Prediction:-25828031.799999986",
	"Error:6003785411879960.0 Prediction:77484098.59999996",
	"Error:5.403406870691965e+16 Prediction:-232452292.5999999",
}

var alphaTrace = []string{
	"Error:0.03999999999999998 Prediction:1.0",
	"Error:0.0144 Prediction:0.92",
	"Error:0.005183999999999993 Prediction:0.872",
	"Error:0.0018662400000000014 Prediction:0.8432000000000001",
	"Error:0.0006718464000000028 Prediction:0.8259200000000001",
	"Error:0.00024186470400000033 Prediction:0.815552",
	"Error:8.70712934399997e-05 Prediction:0.8093312",
	"Error:3.134566563839939e-05 Prediction:0.80559872",
	"Error:1.1284439629823931e-05 Prediction:0.803359232",
	"Error:4.062398266736526e-06 Prediction:0.8020155392",
	"Error:1.4624633760252567e-06 Prediction:0.8012093235200001",
	"Error:5.264868153690924e-07 Prediction:0.8007255941120001",
	"Error:1.8953525353291194e-07 Prediction:0.8004353564672001",
	"Error:6.82326912718715e-08 Prediction:0.8002612138803201",
	"Error:2.456376885786678e-08 Prediction:0.8001567283281921",
	"Error:8.842956788836216e-09 Prediction:0.8000940369969153",
	"Error:3.1834644439835434e-09 Prediction:0.8000564221981492",
	"Error:1.1460471998340758e-09 Prediction:0.8000338533188895",
	"Error:4.125769919393652e-10 Prediction:0.8000203119913337",
	"Error:1.485277170987127e-10 Prediction:0.8000121871948003",
}

// divergedEpoch is where the float64 trace's error first exceeds float32's
// largest value 3.4e38: iteration 42 (0-based) gives 4.79e38, so epoch 43.
const divergedEpoch = 43

// Tolerances. Diverging: weight ← 1.6 − 3·weight triples each rounding
// error while the weight itself triples too, so the relative error grows by
// about one float32 rounding (6e-8) per step: 20 steps, under 2e-6; the
// error doubles that. 1e-5 leaves room and is still far below any real bug
// (a wrong update changes the first digits within a step or two).
// Converging (alpha 0.1): the error contracts (weight ← 0.6·weight + 0.32)
// and the prediction stays within a few ulps of the book's; the squared
// error of the cancelling difference is bounded as in ch4_gradient_descent.
func divergingTolerance(booktest.Number) booktest.Tolerance {
	return booktest.Tolerance{Rel: 1e-5}
}

func alphaTolerance(n booktest.Number) booktest.Tolerance {
	if n.Label == "Error" {
		return booktest.Squared(n.Want, 5e-7, 1e-6)
	}
	return booktest.Tolerance{Rel: 1e-6}
}

func TestTraces(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := booktest.Lines(out.String())
	if len(got) != 1+20+1+1+20 {
		t.Fatalf("%d lines, want 43:\n%s", len(got), out.String())
	}
	booktest.Compare(t, got[:21], append([]string{"input 2, alpha 1:"}, divergingTrace...), divergingTolerance)
	booktest.Compare(t, got[22:], append([]string{"input 2, alpha 0.1:"}, alphaTrace...), alphaTolerance)

	stop := got[21]
	wantPrefix := fmt.Sprintf("Fit for %d epochs: stopped at epoch %d: nn: Fit: training diverged", maxEpochs, divergedEpoch)
	if !strings.HasPrefix(stop, wantPrefix) {
		t.Errorf("line 22 is %q, want it to start %q", stop, wantPrefix)
	}
}
