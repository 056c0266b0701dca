/* Entry points of the kernel model (model.c) for the host's command loop (host.c). Plain C types
 * only: model.c is compiled freestanding against <ag/kernel.h>, host.c against libc. */
#ifndef AG_MODEL_H
#define AG_MODEL_H

/* Each returns an ag_result_status: OK (and *ret) or MISSING (and *why where given). */
/* The loader's findings: pointers to the driver's __ag_initcall/__ag_exitcall variables and its
 * init_module/cleanup_module functions, each NULL when the driver has none. */
void ag_model_set_entries(void *initcall, void *exitcall, void *init_module_fn, void *cleanup_module_fn);
int ag_model_init(long long *ret);
int ag_model_exit(void);
/* A command starts: its count of posted calls is zero. */
void ag_model_begin_command(void);
/* Reads the user's writable page runs for the coming ioctl from the Ioctl frame (u32 n, n x (u64 start,
 * u64 length); more than AG_MAX_USER_RUNS: none known, every copy asks). */
void ag_model_read_user_runs(void);
int ag_model_ioctl(unsigned int major, unsigned int cmd, unsigned long long arg, long long *ret, const char **why);

#endif
