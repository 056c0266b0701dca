/*
 * The native driver host: main() of the prebuilt host a C submission's compiled object is loaded into.
 *
 *   <host> --driver OBJ --in-fd N --out-fd M [--cpu-seconds S] [--mem-mb M] [--no-sandbox] [--fork-server]
 *
 * OBJ is the student's compiled driver (gcc -c output): read before the sandbox is entered, loaded
 * (loader.c) after, so no driver code and no parsing of it happens outside the sandbox.
 * Start-up: the driver object read, channel fds moved to 3/4 and every other fd but 0-2 closed; the user and I/O windows
 * reserved with no access (so a direct dereference of a user pointer or an ioremap'd address
 * faults); fault handlers on an alternate stack that report an Oops; the sandbox (sandbox.c, with
 * seccomp); then Ready, and one command at a time until End or the end of the channel.
 * Exit codes: wire.h (AG_EXIT_*). A forbidden system call is killed by seccomp: SIGSYS.
 *
 * --fork-server (what the grader uses): the same start-up without seccomp, RLIMIT_CPU and
 * RLIMIT_NPROC, then Ready (kind "c-fork-server") and, per Fork command, one child forked from this
 * pristine state (the server never runs driver code; its own driver globals stay as loaded). The child
 * gets fresh pipes as its fds 3/4, sets its CPU limit, RLIMIT_NPROC 0 and seccomp, and then is exactly
 * the one-instance host above, talking to the grader directly: Forked names the server's fds of the
 * child's pipes, which the grader opens through /proc/<server>/fd (nothing relays, so a round trip wakes
 * two processes, not four). Once the grader says Attached the server closes its copies, reaps the child
 * and reports ChildEnded. A child cannot forge a server frame or leave half a frame on its channel: the
 * server's channel is not the child's.
 * --cpu-seconds is ignored there: each Fork says it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "loader.h"
#include "model.h"
#include "sandbox.h"

static unsigned long g_stack_top;
static unsigned long g_stack_size;

/* ---- fault reporting (async-signal-safe: no libc beyond what is written here) ------------- */

static unsigned char g_oops_frame[512];
static char g_altstack[64 * 1024];

static unsigned int append(char *dst, unsigned int at, unsigned int cap, const char *s)
{
	while (*s && at + 1 < cap)
		dst[at++] = *s++;
	dst[at] = '\0';
	return at;
}

static unsigned int append_hex(char *dst, unsigned int at, unsigned int cap, unsigned long v)
{
	char tmp[19];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	at = append(dst, at, cap, "0x");
	while (n > 0 && at + 1 < cap)
		dst[at++] = tmp[--n];
	dst[at] = '\0';
	return at;
}

static void on_fault(int sig, siginfo_t *si, void *context)
{
	(void)context;
	unsigned long addr = (unsigned long)si->si_addr;
	char msg[200];
	unsigned int n = 0;
	unsigned char kind = AG_OOPS_FAULT;
	if (sig == SIGSEGV && si->si_code == SI_KERNEL) {
		n = append(msg, n, sizeof msg, "general protection fault (a non-canonical address such as a kernel-half pointer?)");
		addr = 0;
	} else if (sig == SIGSEGV || sig == SIGBUS) {
		if (addr >= AG_USER_WINDOW_BASE && addr < AG_USER_WINDOW_BASE + AG_USER_WINDOW_SIZE) {
			kind = AG_OOPS_USER_DEREF;
			n = append(msg, n, sizeof msg, "kernel accessed user memory without copy_*_user at ");
			n = append_hex(msg, n, sizeof msg, addr);
		} else if (addr >= AG_IO_WINDOW_BASE && addr < AG_IO_WINDOW_BASE + AG_IO_WINDOW_SIZE) {
			kind = AG_OOPS_IO_DEREF;
			n = append(msg, n, sizeof msg, "direct dereference of ioremap'd address ");
			n = append_hex(msg, n, sizeof msg, addr);
			n = append(msg, n, sizeof msg, ": use ioread32()/readl()");
		} else if (addr < 4096) {
			n = append(msg, n, sizeof msg, "NULL pointer dereference at ");
			n = append_hex(msg, n, sizeof msg, addr);
		} else if (g_stack_size && addr <= g_stack_top && addr + g_stack_size + (1UL << 20) >= g_stack_top) {
			n = append(msg, n, sizeof msg, "kernel stack overflow (unbounded recursion?) at ");
			n = append_hex(msg, n, sizeof msg, addr);
		} else {
			n = append(msg, n, sizeof msg, "unable to handle page fault at ");
			n = append_hex(msg, n, sizeof msg, addr);
		}
	} else if (sig == SIGILL) {
		n = append(msg, n, sizeof msg, "invalid opcode at ");
		n = append_hex(msg, n, sizeof msg, addr);
	} else if (sig == SIGFPE) {
		n = append(msg, n, sizeof msg, "divide error at ");
		n = append_hex(msg, n, sizeof msg, addr);
	} else {
		kind = AG_OOPS_BUG;
		n = append(msg, n, sizeof msg, "abort() called");
	}
	/* Frame: len, type, u8 kind, u64 address, string message. */
	unsigned int len = 1 + 1 + 8 + 4 + n;
	unsigned char *f = g_oops_frame;
	for (int i = 0; i < 4; i++)
		f[i] = (unsigned char)(len >> (8 * i));
	f[4] = AG_MSG_OOPS;
	f[5] = kind;
	for (int i = 0; i < 8; i++)
		f[6 + i] = (unsigned char)((unsigned long long)addr >> (8 * i));
	for (int i = 0; i < 4; i++)
		f[14 + i] = (unsigned char)(n >> (8 * i));
	for (unsigned int i = 0; i < n; i++)
		f[18 + i] = (unsigned char)msg[i];
	unsigned int total = 4 + len, done = 0;
	while (done < total) {
		long w = ag_sys_write(AG_OUT_FD, f + done, total - done);
		if (w <= 0)
			break;
		done += (unsigned int)w;
	}
	ag_sys_exit(AG_EXIT_OOPS);
}

static int install_fault_handlers(void)
{
	stack_t ss = { .ss_sp = g_altstack, .ss_size = sizeof g_altstack, .ss_flags = 0 };
	if (sigaltstack(&ss, NULL) != 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER | SA_RESETHAND;
	sigfillset(&sa.sa_mask);
	const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	for (unsigned int i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int reserve(unsigned long long base, unsigned long long size, const char *what)
{
	void *want = (void *)(unsigned long)base;
	void *p = mmap(want, size, PROT_NONE, MAP_FIXED_NOREPLACE | MAP_NORESERVE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != want) {
		fprintf(stderr, "autograder host: cannot reserve the %s window at %p\n", what, want);
		return -1;
	}
	return 0;
}

static long parse_num(const char *s, const char *opt)
{
	char *end;
	long v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || v < 0) {
		fprintf(stderr, "autograder host: %s needs a non-negative number\n", opt);
		exit(AG_EXIT_SETUP);
	}
	return v;
}

/* CPU time one driver call (init, an ioctl, exit) may use, in ms: of its own code (user mode), and in all
 * (with the system calls of its kernel calls); 0: none (the standalone host). The grader's watchdog enforces
 * the total from outside, but it samples /proc every 20 ms: these timers, armed around the driver's code, end
 * a spinning call at the budget itself. SIGVTALRM's and SIGPROF's default action ends the process and the
 * grader reads either during a call as that call's timeout. A driver may block them or reset the timers
 * (setitimer is allowed for this): the watchdog still stops it, later. */
static unsigned int g_call_user_ms, g_call_total_ms;

static void arm(int which, unsigned int ms)
{
	struct itimerval t = { { 0, 0 }, { ms / 1000, (long)(ms % 1000) * 1000 } };
	setitimer(which, &t, NULL);
}

static void call_timers(int on)
{
	if (!g_call_user_ms)
		return;
	arm(ITIMER_VIRTUAL, on ? g_call_user_ms : 0);
	arm(ITIMER_PROF, on ? g_call_total_ms : 0);
}

static void serve(void)
{
	for (;;) {
		int type = ag_read_frame();
		if (type < 0)
			ag_sys_exit(AG_EXIT_OK);
		long long ret = 0;
		const char *why = "";
		int status;
		ag_model_begin_command();
		switch (type) {
		case AG_MSG_BEGIN:
			ag_result(AG_RESULT_OK, 0, "");
			break;
		case AG_MSG_INIT:
			call_timers(1);
			status = ag_model_init(&ret);
			call_timers(0);
			ag_result((unsigned char)status, ret, status == AG_RESULT_OK ? "" : "the driver has no module_init");
			break;
		case AG_MSG_IOCTL: {
			/* Read the whole command before the driver runs: its kernel calls reuse the buffer. */
			unsigned int major = ag_rd_u32();
			unsigned int cmd = ag_rd_u32();
			unsigned long long arg = ag_rd_u64();
			ag_model_read_user_runs();
			call_timers(1);
			status = ag_model_ioctl(major, cmd, arg, &ret, &why);
			call_timers(0);
			ag_result((unsigned char)status, ret, why);
			break;
		}
		case AG_MSG_EXIT:
			call_timers(1);
			status = ag_model_exit();
			call_timers(0);
			ag_result((unsigned char)status, 0, status == AG_RESULT_OK ? "" : "the driver has no module_exit");
			break;
		case AG_MSG_END:
			ag_result(AG_RESULT_OK, 0, "");
			ag_sys_exit(AG_EXIT_OK);
		default:
			ag_result(AG_RESULT_HOST_ERROR, 0, "the C host does not know this command");
			break;
		}
	}
}

static void send_ready(const char *kind)
{
	ag_begin(AG_MSG_READY);
	ag_u32(AG_PROTOCOL_VERSION);
	ag_str(kind);
	ag_send();
}

/* ---- fork server ---------------------------------------------------------------------------- */

static __attribute__((noreturn)) void child(int down, int up, int server, int cpu_seconds, unsigned int user_ms, unsigned int total_ms, int sandbox)
{
	/* The pipes are above 4 (0-4 are open), so these cannot clobber each other. */
	if (dup2(down, AG_IN_FD) < 0 || dup2(up, AG_OUT_FD) < 0)
		ag_sys_exit(AG_EXIT_SETUP);
	ag_channel_forget();
	if (syscall(SYS_close_range, AG_OUT_FD + 1, ~0U, 0) != 0)
		for (int fd = AG_OUT_FD + 1; fd < 1024; fd++)
			close(fd);
	g_call_user_ms = user_ms;
	g_call_total_ms = total_ms;
	sigset_t timers;
	sigemptyset(&timers);
	sigaddset(&timers, SIGVTALRM);
	sigaddset(&timers, SIGPROF);
	if (signal(SIGVTALRM, SIG_DFL) == SIG_ERR || signal(SIGPROF, SIG_DFL) == SIG_ERR ||
	    sigprocmask(SIG_UNBLOCK, &timers, NULL) != 0)
		ag_sys_exit(AG_EXIT_SETUP);
	struct ag_sandbox sb = { .cpu_seconds = cpu_seconds, .nproc = 0, .seccomp = 1, .view = 1 };
	if (ag_sandbox_child(&sb, server, sandbox))
		ag_sys_exit(AG_EXIT_SETUP);
	send_ready("c");
	serve();
	ag_sys_exit(AG_EXIT_OK);
}

static void reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

static void forked(unsigned int pid, const char *why, int down, int up)
{
	ag_begin(AG_MSG_FORKED);
	ag_u32(pid);
	ag_str(why);
	ag_u32((unsigned int)down);
	ag_u32((unsigned int)up);
	ag_send();
}

static void fork_one(int cpu_seconds, unsigned int user_ms, unsigned int total_ms, int sandbox)
{
	int down[2], up[2];
	if (pipe(down) != 0) {
		forked(0, strerror(errno), -1, -1);
		return;
	}
	if (pipe(up) != 0) {
		close(down[0]);
		close(down[1]);
		forked(0, strerror(errno), -1, -1);
		return;
	}
	int server = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child(down[0], up[1], server, cpu_seconds, user_ms, total_ms, sandbox);
	int err = errno;
	close(down[0]);
	close(up[1]);
	if (pid < 0) {
		close(down[1]);
		close(up[0]);
		forked(0, strerror(err), -1, -1);
		return;
	}
	/* The grader opens these through /proc, then says Attached: only then may they close. */
	forked((unsigned int)pid, "", down[1], up[0]);
	int type = ag_read_frame();
	const char *note = "";
	if (type < 0) {
		/* The grader is gone: so is everything we serve. */
		kill(pid, SIGKILL);
		ag_sys_exit(AG_EXIT_OK);
	}
	if (type != AG_MSG_ATTACHED) {
		kill(pid, SIGKILL);
		note = "the grader did not attach to the child";
	}
	close(down[1]);
	close(up[0]);
	int status = 0;
	reap(pid, &status);
	ag_begin(AG_MSG_CHILD_ENDED);
	ag_u32((unsigned int)pid);
	ag_u8(WIFSIGNALED(status) ? 1 : 0);
	ag_u32(WIFSIGNALED(status) ? (unsigned int)WTERMSIG(status) : (unsigned int)WEXITSTATUS(status));
	ag_str(note);
	ag_send();
}

static __attribute__((noreturn)) void fork_server(int sandbox)
{
	send_ready("c-fork-server");
	for (;;) {
		int type = ag_read_frame();
		if (type < 0)
			ag_sys_exit(AG_EXIT_OK);
		/* Any other command was meant for a child that had already died: ChildEnded answered it. */
		if (type == AG_MSG_FORK) {
			int cpu_seconds = (int)ag_rd_u32();
			unsigned int user_ms = ag_rd_u32();
			fork_one(cpu_seconds, user_ms, ag_rd_u32(), sandbox);
		}
	}
}

/* The whole driver object, read before the sandbox hides its path. */
static unsigned char *read_object(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "autograder host: cannot open the driver %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= (64UL << 20))
			break;
		unsigned char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	int bad = ferror(f) || (buf && n == cap);
	fclose(f);
	if (!buf || bad) {
		fprintf(stderr, "autograder host: cannot read the driver %s (unreadable, or over 64 MiB)\n", path);
		free(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *driver = NULL;
	int parent = getppid();
	int in_fd = -1, out_fd = -1, sandbox = 1, server = 0;
	struct ag_sandbox sb = { .cpu_seconds = 0, .mem_mb = 0, .nproc = 0, .nofile = 16, .seccomp = 1, .view = 1 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--driver") && i + 1 < argc)
			driver = argv[++i];
		else if (!strcmp(argv[i], "--in-fd"))
			in_fd = (int)parse_num(argv[++i], "--in-fd");
		else if (!strcmp(argv[i], "--out-fd"))
			out_fd = (int)parse_num(argv[++i], "--out-fd");
		else if (!strcmp(argv[i], "--cpu-seconds"))
			sb.cpu_seconds = (int)parse_num(argv[++i], "--cpu-seconds");
		else if (!strcmp(argv[i], "--mem-mb"))
			sb.mem_mb = parse_num(argv[++i], "--mem-mb");
		else if (!strcmp(argv[i], "--no-sandbox"))
			sandbox = 0;
		else if (!strcmp(argv[i], "--fork-server"))
			server = 1;
		else {
			fprintf(stderr, "usage: %s --driver OBJ --in-fd N --out-fd M [--cpu-seconds S] [--mem-mb M] [--no-sandbox] [--fork-server]\n", argv[0]);
			return AG_EXIT_SETUP;
		}
	}
	size_t object_size = 0;
	unsigned char *object = driver ? read_object(driver, &object_size) : NULL;
	if (!object) {
		if (!driver)
			fprintf(stderr, "autograder host: --driver OBJ is required\n");
		return AG_EXIT_SETUP;
	}
	if (ag_setup_fds(in_fd, out_fd, NULL, 0))
		return AG_EXIT_SETUP;
	if (reserve(AG_USER_WINDOW_BASE, AG_USER_WINDOW_SIZE, "user") ||
	    reserve(AG_IO_WINDOW_BASE, AG_IO_WINDOW_SIZE, "I/O"))
		return AG_EXIT_SETUP;
	struct rlimit stack;
	int here;
	g_stack_top = (unsigned long)&here;
	if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY)
		g_stack_size = stack.rlim_cur;
	if (install_fault_handlers()) {
		perror("autograder host: signal handlers");
		return AG_EXIT_SETUP;
	}
	/* Warm up what libc may set up lazily with system calls seccomp would refuse later. */
	char warm[32];
	snprintf(warm, sizeof warm, "%d %s %lx", 1, "x", 2UL);
	free(malloc(64 * 1024));
	free(malloc(256 * 1024));
	sb.as_extra_mb = (long)((AG_USER_WINDOW_SIZE + AG_IO_WINDOW_SIZE) >> 20);
	if (server) {
		/* The server must fork, and its CPU time is ours: each child sets these for itself. */
		sb.cpu_seconds = 0;
		sb.nproc = -1;
		sb.seccomp = 0;
	}
	if (sandbox) {
		if (ag_enter_sandbox(&sb, parent))
			return AG_EXIT_SETUP;
	} else {
		/* Tests and debugging only: still die with the grader. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			return AG_EXIT_PARENT_GONE;
	}
	char why[256];
	if (ag_load_driver(object, object_size, why, sizeof why)) {
		fprintf(stderr, "autograder host: cannot load the driver: %s\n", why);
		return AG_EXIT_LOAD;
	}
	free(object);
	if (server)
		fork_server(sandbox);
	send_ready("c");
	serve();
	return AG_EXIT_OK;
}
