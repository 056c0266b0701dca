/* Framed channel to the grader (see wire.h). Single-threaded: one frame out, one frame in.
 * No libc types here: model.c includes this while compiled freestanding against <ag/kernel.h>. */
#ifndef AG_CHANNEL_H
#define AG_CHANNEL_H


#include "wire.h"

struct ag_reply {
	unsigned long long a;
	unsigned long long b;
	const unsigned char *blob;
	unsigned int blob_len;
};

/* Raw system calls: the driver is linked into this executable, so a student's global named
 * write() or read() must not be able to capture the host's channel. */
long ag_sys_read(int fd, void *buf, unsigned long n);
long ag_sys_write(int fd, const void *buf, unsigned long n);
__attribute__((noreturn)) void ag_sys_exit(int code);

void ag_begin(unsigned char type);
void ag_u8(unsigned char v);
void ag_u32(unsigned int v);
void ag_u64(unsigned long long v);
void ag_blob(const void *data, unsigned int len);
void ag_str(const char *s);
/* Sends the frame built since ag_begin. */
void ag_send(void);
/* Sends the frame and waits for its Reply; an Oops reply ends the process (AG_EXIT_OOPS). */
void ag_call(struct ag_reply *reply);

/* Reads the next frame; returns its type, or -1 on a clean end of stream. Reads ahead. */
int ag_read_frame(void);
/* Drops read-ahead bytes: a forked child gets a channel of its own. */
void ag_channel_forget(void);
unsigned char ag_rd_u8(void);
unsigned int ag_rd_u32(void);
unsigned long long ag_rd_u64(void);

/* Sends Result(status, value, message). */
void ag_result(unsigned char status, long long value, const char *message);

#endif
