// The constants of the assembly Exp kernels (exp.go), one table for every
// ISA: each file that includes this defines EXPCONST(i, bits) to fill
// entry i of its table (a scalar, or a vector of its width) with bits,
// and declares the table after.

EXPCONST(0, $0x3fb8aa3b)  // log₂e
EXPCONST(1, $0x3f317200)  // ln2, high part (exact in 16 bits)
EXPCONST(2, $0x35bfbe8e)  // ln2 − the high part
EXPCONST(3, $0x39500d01)  // 1/7!
EXPCONST(4, $0x3ab60b61)  // 1/6!
EXPCONST(5, $0x3c088889)  // 1/5!
EXPCONST(6, $0x3d2aaaab)  // 1/4!
EXPCONST(7, $0x3e2aaaab)  // 1/3!
EXPCONST(8, $0x3f000000)  // 1/2!
EXPCONST(9, $0x3f800000)  // 1
EXPCONST(10, $0xc2aeac4f) // ExpMin
EXPCONST(11, $0x42b17218) // 88.72284: e^x rounds to +Inf from here
EXPCONST(12, $0x7f800000) // +Inf
EXPCONST(13, $127)        // the exponent bias
