/* <linux/overflow.h> of the autograder's kernel model: everything lives in <ag/kernel.h>. */
#include <ag/kernel.h>
