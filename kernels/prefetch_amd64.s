//go:build !purego

#include "textflag.h"

// func prefetch(p unsafe.Pointer, n uintptr)
// SI walks the lines from the one holding the first byte to the one
// holding the last, DI.
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), DI
	LEAQ -1(SI)(DI*1), DI
	ANDQ $-64, SI
	ANDQ $-64, DI

loop:
	PREFETCHT1 (SI)
	ADDQ       $64, SI
	CMPQ       SI, DI
	JBE        loop
	RET
