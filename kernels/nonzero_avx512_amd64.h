// The non-zero test that nonZerosAVX512Asm (sparse_avx512_amd64.s) and
// compressNonZerosAVX512Asm (expand_avx512_amd64.s) share. Both keep x at
// SI, zero in Z4, and two x·0 sums in Z5 and Z14: x·0 is NaN from any ±Inf
// or NaN and ±0 otherwise, and two sums let a pair of vectors go without
// waiting on one chain of multiply-adds.

// NZTEST1 loads the 16 floats at SI into Z0, adds Z0·0 to Z5, and sets in
// K1 the lanes that are not zero (unordered counts, so NaNs do).
#define NZTEST1 \
	VMOVUPS     (SI), Z0;       \
	VFMADD231PS Z0, Z4, Z5;     \
	VCMPPS      $4, Z4, Z0, K1

// NZTEST2 is NZTEST1 on the 32 floats at SI: the second 16 in Z8, their
// x·0 added to Z14, their non-zero lanes in K2.
#define NZTEST2 \
	VMOVUPS     (SI), Z0;       \
	VMOVUPS     64(SI), Z8;     \
	VFMADD231PS Z0, Z4, Z5;     \
	VFMADD231PS Z8, Z4, Z14;    \
	VCMPPS      $4, Z4, Z0, K1; \
	VCMPPS      $4, Z4, Z8, K2

// NZFINITE(ret) joins the sums and sets the byte ret to whether every
// float seen was finite.
#define NZFINITE(ret) \
	VADDPS   Z14, Z5, Z5;     \
	VCMPPS   $3, Z5, Z5, K1;  \
	KORTESTW K1, K1;          \
	SETEQ    ret
