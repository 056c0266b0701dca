/* Entry points of the kernel model (model.c) for the host's command loop (host.c). Plain C types
 * only: model.c is compiled freestanding against <ag/kernel.h>, host.c against libc. */
#ifndef AG_MODEL_H
#define AG_MODEL_H

/* Each returns an ag_result_status: OK (and *ret) or MISSING (and *why where given). */
int ag_model_init(long long *ret);
int ag_model_exit(void);
int ag_model_ioctl(unsigned int major, unsigned int cmd, unsigned long long arg, long long *ret, const char **why);

#endif
