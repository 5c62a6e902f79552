// ROWDOT16 sets X0 to the dot product of the row at row with x at DI, the
// one-row path of gemvNAVX512Asm and gemvNRowsAVX512Asm: two 16-lane sums
// over the whole pairs of vectors (their bytes in pairs), one more vector
// if n (a register or frame slot) has its 16 bit set, and the last partial
// vector under K1 (none if K1 is 0), added and summed horizontally.
// Clobbers AX, Z0, Z1, Z4, Z8 and Z9; its labels take the rowdot_ prefix.
#define ROWDOT16(row, pairs, n) \
	VPXORD        Z0, Z0, Z0;             \
	VPXORD        Z4, Z4, Z4;             \
	XORL          AX, AX;                 \
	TESTQ         pairs, pairs;           \
	JZ            rowdot_single;          \
rowdot_pairs:                                 \
	VMOVUPS       (DI)(AX*1), Z8;         \
	VMOVUPS       64(DI)(AX*1), Z9;       \
	VFMADD231PS   (row)(AX*1), Z8, Z0;    \
	VFMADD231PS   64(row)(AX*1), Z9, Z4;  \
	ADDQ          $128, AX;               \
	CMPQ          AX, pairs;              \
	JB            rowdot_pairs;           \
rowdot_single:                                \
	TESTQ         $16, n;                 \
	JZ            rowdot_tail;            \
	VMOVUPS       (DI)(AX*1), Z8;         \
	VFMADD231PS   (row)(AX*1), Z8, Z0;    \
	ADDQ          $64, AX;                \
rowdot_tail:                                  \
	KORTESTW      K1, K1;                 \
	JZ            rowdot_reduce;          \
	VMOVUPS.Z     (DI)(AX*1), K1, Z8;     \
	VMOVUPS.Z     (row)(AX*1), K1, Z9;    \
	VFMADD231PS   Z9, Z8, Z4;             \
rowdot_reduce:                                \
	VADDPS        Z4, Z0, Z0;             \
	VEXTRACTF64X4 $1, Z0, Y1;             \
	VADDPS        Y1, Y0, Y0;             \
	VEXTRACTF128  $1, Y0, X1;             \
	VADDPS        X1, X0, X0;             \
	VMOVHLPS      X0, X0, X1;             \
	VADDPS        X1, X0, X0;             \
	VMOVSHDUP     X0, X1;                 \
	VADDSS        X1, X0, X0
