//go:build !purego

#include "textflag.h"

// func prefetch(x []float32)
// R0 walks the lines of x from the one holding x[0] to the one holding its
// last element, R1.
TEXT ·prefetch(SB), NOSPLIT, $0-24
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	LSL  $2, R1
	ADD  R0, R1
	SUB  $4, R1
	AND  $~63, R0
	AND  $~63, R1

loop:
	PRFM (R0), PLDL2KEEP
	ADD  $64, R0
	CMP  R1, R0
	BLS  loop
	RET
