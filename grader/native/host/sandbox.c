#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wire.h"

#define NOBODY 65534

static int close_from(unsigned int first, unsigned int last)
{
	if (first > last)
		return 0;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return 0;
	/* close_range is Linux 5.9+; fall back to a loop over the fd limit. */
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (long fd = first; fd <= (long)last && fd < max; fd++)
		close((int)fd);
	return 0;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int ag_setup_fds(int in_fd, int out_fd, const int *keep, int nkeep)
{
	if (in_fd < 0 || out_fd < 0 || in_fd == out_fd) {
		fprintf(stderr, "autograder host: bad channel fds %d/%d\n", in_fd, out_fd);
		return -1;
	}
	/* Via temporaries above every fd we care about, so in=4/out=3 cannot clobber each other. */
	int tin = fcntl(in_fd, F_DUPFD, 100);
	int tout = fcntl(out_fd, F_DUPFD, 100);
	if (tin < 0 || tout < 0) {
		fprintf(stderr, "autograder host: channel fds %d/%d are not open: %s\n", in_fd, out_fd, strerror(errno));
		return -1;
	}
	if (dup2(tin, AG_IN_FD) < 0 || dup2(tout, AG_OUT_FD) < 0) {
		fprintf(stderr, "autograder host: dup2: %s\n", strerror(errno));
		return -1;
	}
	close(tin);
	close(tout);
	int sorted[64];
	int n = 0;
	for (int i = 0; i < nkeep && n < 64; i++) {
		if (keep[i] == AG_IN_FD || keep[i] == AG_OUT_FD) {
			fprintf(stderr, "autograder host: --keep-fd %d collides with the channel fds 3/4\n", keep[i]);
			return -1;
		}
		if (keep[i] > AG_OUT_FD)
			sorted[n++] = keep[i];
	}
	qsort(sorted, (size_t)n, sizeof sorted[0], cmp_int);
	unsigned int next = AG_OUT_FD + 1;
	for (int i = 0; i < n; i++) {
		if ((unsigned int)sorted[i] > next)
			close_from(next, (unsigned int)sorted[i] - 1);
		next = (unsigned int)sorted[i] + 1;
	}
	close_from(next, ~0U);
	return 0;
}

static void private_tmp(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777") != 0)
		fprintf(stderr, "autograder sandbox: warning: cannot mount a private tmpfs on %s: %s\n", path, strerror(errno));
}

/* Makes every directory of path (relative to root) exist. */
static int make_dirs(const char *root, const char *path)
{
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "%s%s", root, path);
	if (n <= 0 || n >= (int)sizeof buf)
		return -1;
	for (char *p = buf + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	return mkdir(buf, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* Shows path (a directory, or a symlink to one, as /lib is on merged-/usr systems) inside root, read-only. */
static int show(const char *root, const char *path)
{
	char target[4096], link[4096];
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0; /* absent here: nothing to show */
	if (snprintf(target, sizeof target, "%s%s", root, path) >= (int)sizeof target)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n < 0)
			return -1;
		link[n] = 0;
		char parent[4096];
		snprintf(parent, sizeof parent, "%s", path);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = 0;
			if (make_dirs(root, parent))
				return -1;
		}
		return symlink(link, target) == 0 || errno == EEXIST ? 0 : -1;
	}
	if (!S_ISDIR(st.st_mode) || make_dirs(root, path))
		return -1;
	if (mount(path, target, NULL, MS_BIND | MS_REC, NULL) != 0)
		return -1;
	/* /dev stays writable (its nodes, not a filesystem: /dev/null), everything else read-only. */
	if (strcmp(path, "/dev") != 0 &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_REC, NULL) != 0)
		return -1;
	return 0;
}

/* Builds the empty view in a fresh tmpfs and makes it the root; the old root is detached. */
static int enter_view(const struct ag_sandbox *sb)
{
	static const char *const system[] = { "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/dev", "/sys" };
	const char *root = "/tmp/.ag-view";
	if (mkdir(root, 0755) != 0 && errno != EEXIST)
		return -1;
	if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755") != 0)
		return -1;
	for (size_t i = 0; i < sizeof system / sizeof *system; i++)
		if (show(root, system[i]))
			return -1;
	for (int i = 0; i < sb->nview_paths; i++)
		if (show(root, sb->view_paths[i]))
			return -1;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/tmp", root);
	if (mkdir(dir, 01777) != 0 || mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777") != 0)
		return -1;
	snprintf(dir, sizeof dir, "%s/.old-root", root);
	if (mkdir(dir, 0700) != 0 || chdir(root) != 0 || syscall(SYS_pivot_root, ".", ".old-root") != 0)
		return -1;
	if (chdir("/") != 0 || umount2("/.old-root", MNT_DETACH) != 0 || rmdir("/.old-root") != 0)
		return -1;
	return 0;
}

static int set_limit(int resource, rlim_t soft, rlim_t hard, const char *name)
{
	struct rlimit rl = { soft, hard };
	if (setrlimit(resource, &rl) != 0) {
		fprintf(stderr, "autograder sandbox: setrlimit(%s): %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int install_seccomp(void)
{
	static const int allowed[] = {
		SYS_read, SYS_write, SYS_exit, SYS_exit_group, SYS_rt_sigreturn, SYS_rt_sigprocmask,
		SYS_sigaltstack, SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise,
		SYS_clock_gettime, SYS_clock_nanosleep, SYS_nanosleep, SYS_getpid, SYS_gettid, SYS_futex,
		SYS_close,
		/* The host's per-call CPU timers (host.c, call_timers). */
		SYS_setitimer,
	};
	enum { N = sizeof allowed / sizeof allowed[0] };
	struct sock_filter filter[6 + 2 * N + 1];
	int k = 0;
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 system calls share the x86_64 arch value: refuse the whole range. */
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (int i = 0; i < N; i++) {
		filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)allowed[i], 0, 1);
		filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	struct sock_fprog prog = { (unsigned short)k, filter };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		fprintf(stderr, "autograder sandbox: seccomp: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int ag_enter_sandbox(const struct ag_sandbox *sb, int parent)
{
	if (geteuid() == 0) {
		if (unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | (sb->pid_ns ? CLONE_NEWPID : 0)) != 0) {
			fprintf(stderr, "autograder sandbox: warning: unshare(net, mount, ipc) failed (%s): "
				"running without private namespaces\n", strerror(errno));
		} else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
			fprintf(stderr, "autograder sandbox: warning: cannot make / private: %s\n", strerror(errno));
		} else {
			private_tmp("/tmp");
			private_tmp("/var/tmp");
			private_tmp("/dev/shm");
			/* World-writable too (Debian, /var/lock points here): without this the sandbox user could
			 * create files on the real filesystem (found by Integration/HostileSandboxTests). */
			private_tmp("/run/lock");
			/* Untrusted code sees no files of ours, the course's or other students'. A failure here leaves
			 * the private /tmp dirs above, and says so. */
			if (sb->view && enter_view(sb) != 0)
				fprintf(stderr, "autograder sandbox: warning: cannot build the empty filesystem view (%s): "
					"the system's files stay visible read-only\n", strerror(errno));
		}
		/* Untrusted code never runs as root: a failure here is fatal. */
		if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
			fprintf(stderr, "autograder sandbox: cannot drop to uid %d: %s\n", NOBODY, strerror(errno));
			return -1;
		}
	}
	/* After the uid change, which clears the parent-death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		fprintf(stderr, "autograder sandbox: PR_SET_PDEATHSIG: %s\n", strerror(errno));
		return -1;
	}
	if (parent > 0 && getppid() != parent)
		_exit(AG_EXIT_PARENT_GONE);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		fprintf(stderr, "autograder sandbox: PR_SET_NO_NEW_PRIVS: %s\n", strerror(errno));
		return -1;
	}
	if (sb->cpu_seconds > 0 &&
	    set_limit(RLIMIT_CPU, (rlim_t)sb->cpu_seconds, (rlim_t)sb->cpu_seconds + 1, "RLIMIT_CPU"))
		return -1;
	if (sb->mem_mb > 0) {
		rlim_t as = (rlim_t)(sb->mem_mb + sb->as_extra_mb) << 20;
		if (set_limit(RLIMIT_AS, as, as, "RLIMIT_AS"))
			return -1;
	}
	if (sb->nofile > 0 && set_limit(RLIMIT_NOFILE, (rlim_t)sb->nofile, (rlim_t)sb->nofile, "RLIMIT_NOFILE"))
		return -1;
	rlim_t fsize = (rlim_t)(sb->fsize_mb > 0 ? sb->fsize_mb : 0) << 20;
	if (set_limit(RLIMIT_FSIZE, fsize, fsize, "RLIMIT_FSIZE") || set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE"))
		return -1;
	if (sb->nproc >= 0 && set_limit(RLIMIT_NPROC, (rlim_t)sb->nproc, (rlim_t)sb->nproc + 1, "RLIMIT_NPROC"))
		return -1;
	if (sb->seccomp && install_seccomp())
		return -1;
	return 0;
}

int ag_sandbox_child(const struct ag_sandbox *sb, int server, int sandbox)
{
	/* fork() clears the parent-death signal: the child dies with its server, the server with the grader. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		fprintf(stderr, "autograder sandbox: PR_SET_PDEATHSIG: %s\n", strerror(errno));
		return -1;
	}
	if (getppid() != server)
		_exit(AG_EXIT_PARENT_GONE);
	if (!sandbox)
		return 0;
	/* RLIMIT_CPU counts this process only (a fork starts at zero), so the server can stay unlimited. */
	if (sb->cpu_seconds > 0 &&
	    set_limit(RLIMIT_CPU, (rlim_t)sb->cpu_seconds, (rlim_t)sb->cpu_seconds + 1, "RLIMIT_CPU"))
		return -1;
	if (sb->nproc >= 0 && set_limit(RLIMIT_NPROC, (rlim_t)sb->nproc, (rlim_t)sb->nproc + 1, "RLIMIT_NPROC"))
		return -1;
	if (sb->seccomp && install_seccomp())
		return -1;
	return 0;
}
