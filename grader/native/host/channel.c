#include "channel.h"

#include <string.h>
#include <stdint.h>
#include <sys/syscall.h>

static unsigned char g_out[AG_MAX_FRAME + 4];
static unsigned long g_out_len;
static unsigned char g_in[AG_MAX_FRAME];
static unsigned int g_in_len;
static unsigned int g_in_pos;

static long raw3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
}

long ag_sys_read(int fd, void *buf, unsigned long n) { return raw3(SYS_read, fd, (long)buf, (long)n); }
long ag_sys_write(int fd, const void *buf, unsigned long n) { return raw3(SYS_write, fd, (long)buf, (long)n); }

void ag_sys_exit(int code)
{
	for (;;)
		raw3(SYS_exit_group, code, 0, 0);
}

static void put_le(unsigned long long v, int n)
{
	if (g_out_len + (unsigned long)n > sizeof g_out)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	for (int i = 0; i < n; i++)
		g_out[g_out_len++] = (unsigned char)(v >> (8 * i));
}

void ag_begin(unsigned char type)
{
	g_out_len = 4;
	put_le(type, 1);
}

void ag_u8(unsigned char v) { put_le(v, 1); }
void ag_u32(unsigned int v) { put_le(v, 4); }
void ag_u64(unsigned long long v) { put_le(v, 8); }

void ag_blob(const void *data, unsigned int len)
{
	put_le(len, 4);
	if (g_out_len + len > sizeof g_out)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	if (len)
		memcpy(g_out + g_out_len, data, len);
	g_out_len += len;
}

void ag_str(const char *s) { ag_blob(s, (unsigned int)strlen(s)); }

void ag_send(void)
{
	unsigned int len = (unsigned int)(g_out_len - 4);
	for (int i = 0; i < 4; i++)
		g_out[i] = (unsigned char)(len >> (8 * i));
	unsigned long done = 0;
	while (done < g_out_len) {
		long n = ag_sys_write(AG_OUT_FD, g_out + done, g_out_len - done);
		if (n == -4 /* EINTR */)
			continue;
		if (n <= 0)
			ag_sys_exit(AG_EXIT_PROTOCOL);
		done += (unsigned long)n;
	}
}

/* Read-ahead: one read() usually brings a whole frame, often with its length. */
static unsigned char g_ahead[64 * 1024];
static unsigned long g_ahead_pos;
static unsigned long g_ahead_len;

void ag_channel_forget(void)
{
	g_ahead_pos = g_ahead_len = 0;
}

/* Returns 0 on success, 1 on EOF before any byte, exits on a broken frame. */
static int fill(unsigned char *p, unsigned long n, int allow_eof)
{
	unsigned long done = 0;
	while (done < n) {
		if (g_ahead_pos < g_ahead_len) {
			unsigned long k = g_ahead_len - g_ahead_pos;
			if (k > n - done)
				k = n - done;
			memcpy(p + done, g_ahead + g_ahead_pos, k);
			g_ahead_pos += k;
			done += k;
			continue;
		}
		/* A large remainder goes straight to its place; anything else through the read-ahead buffer. */
		int direct = n - done >= sizeof g_ahead;
		long r = direct ? ag_sys_read(AG_IN_FD, p + done, n - done) : ag_sys_read(AG_IN_FD, g_ahead, sizeof g_ahead);
		if (r == -4)
			continue;
		if (r == 0 && done == 0 && allow_eof)
			return 1;
		if (r <= 0)
			ag_sys_exit(AG_EXIT_PROTOCOL);
		if (direct) {
			done += (unsigned long)r;
		} else {
			g_ahead_pos = 0;
			g_ahead_len = (unsigned long)r;
		}
	}
	return 0;
}

int ag_read_frame(void)
{
	unsigned char hdr[4];
	if (fill(hdr, 4, 1))
		return -1;
	unsigned int len = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (unsigned int)hdr[3] << 24;
	if (len < 1 || len > AG_MAX_FRAME)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	fill(g_in, len, 0);
	g_in_len = len;
	g_in_pos = 1;
	return g_in[0];
}

static unsigned long long get_le(int n)
{
	if (g_in_pos + (unsigned int)n > g_in_len)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	unsigned long long v = 0;
	for (int i = 0; i < n; i++)
		v |= (unsigned long long)g_in[g_in_pos++] << (8 * i);
	return v;
}

unsigned char ag_rd_u8(void) { return (unsigned char)get_le(1); }
unsigned int ag_rd_u32(void) { return (unsigned int)get_le(4); }
unsigned long long ag_rd_u64(void) { return get_le(8); }

void ag_call(struct ag_reply *reply)
{
	ag_send();
	int type = ag_read_frame();
	if (type != AG_MSG_REPLY)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	unsigned char status = ag_rd_u8();
	if (status == AG_REPLY_OOPS)
		ag_sys_exit(AG_EXIT_OOPS);
	struct ag_reply r;
	r.a = ag_rd_u64();
	r.b = ag_rd_u64();
	r.blob_len = ag_rd_u32();
	if (g_in_pos + r.blob_len > g_in_len)
		ag_sys_exit(AG_EXIT_PROTOCOL);
	r.blob = g_in + g_in_pos;
	g_in_pos += r.blob_len;
	if (reply)
		*reply = r;
}

void ag_result(unsigned char status, long long value, const char *message)
{
	ag_begin(AG_MSG_RESULT);
	ag_u8(status);
	ag_u64((unsigned long long)value);
	ag_str(message ? message : "");
	ag_send();
}
