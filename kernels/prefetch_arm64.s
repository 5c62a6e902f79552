//go:build !purego

#include "textflag.h"

// func prefetch(p unsafe.Pointer, n uintptr)
// R0 walks the lines from the one holding the first byte to the one
// holding the last, R1.
TEXT ·prefetch(SB), NOSPLIT, $0-16
	MOVD p+0(FP), R0
	MOVD n+8(FP), R1
	ADD  R0, R1
	SUB  $1, R1
	AND  $~63, R0
	AND  $~63, R1

loop:
	PRFM (R0), PLDL2KEEP
	ADD  $64, R0
	CMP  R1, R0
	BLS  loop
	RET
