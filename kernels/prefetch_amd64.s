//go:build !purego

#include "textflag.h"

// func prefetch(x []float32)
// SI walks the lines of x from the one holding x[0] to the one holding its
// last element, DI.
TEXT ·prefetch(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), DI
	LEAQ -4(SI)(DI*4), DI
	ANDQ $-64, SI
	ANDQ $-64, DI

loop:
	PREFETCHT1 (SI)
	ADDQ       $64, SI
	CMPQ       SI, DI
	JBE        loop
	RET
