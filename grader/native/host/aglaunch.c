/*
 * aglaunch: starts a program (the .NET worker) inside the same sandbox as the C host, minus
 * seccomp and RLIMIT_AS (.NET reserves far more address space than it uses; cap it with the GC
 * heap limit instead).
 *
 *   aglaunch --in-fd N --out-fd M [--cpu-seconds S] [--mem-mb M] [--nproc N] [--fsize-mb N]
 *            [--nofile N] [--keep-fd F]... [--no-fd-args] -- prog args...
 *
 * The channel fds become 3 (in) and 4 (out) and, unless --no-fd-args, "--in-fd 3 --out-fd 4" is
 * appended to prog's arguments. Every other fd except 0-2 and the --keep-fd ones is closed. As
 * root: private net/mount/ipc/PID namespaces (prog runs as process 2 under a tiny init of ours), private
 * tmpfs on /tmp, /var/tmp, /dev/shm, /run/lock, and uid/gid 65534, so prog and its files must be readable by
 * nobody. RLIMIT_NPROC counts threads of all
 * uid-65534 processes together: give .NET room (e.g. --nproc 4096). Exit codes: wire.h; 127 when
 * exec fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "wire.h"

static long num(const char *s, const char *opt)
{
	char *end;
	long v = strtol(s ? s : "", &end, 10);
	if (!s || !*s || *end || v < 0) {
		fprintf(stderr, "aglaunch: %s needs a non-negative number\n", opt);
		exit(AG_EXIT_SETUP);
	}
	return v;
}

int main(int argc, char **argv)
{
	int parent = getppid();
	int in_fd = -1, out_fd = -1, fd_args = 1, nkeep = 0, keep[64];
	struct ag_sandbox sb = { .cpu_seconds = 0, .mem_mb = 0, .nproc = -1, .fsize_mb = 0, .nofile = 256, .seccomp = 0, .pid_ns = 1 };
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--in-fd")) {
			in_fd = (int)num(argv[++i], a);
		} else if (!strcmp(a, "--out-fd")) {
			out_fd = (int)num(argv[++i], a);
		} else if (!strcmp(a, "--cpu-seconds")) {
			sb.cpu_seconds = (int)num(argv[++i], a);
		} else if (!strcmp(a, "--mem-mb")) {
			/* Accepted for symmetry with the C host and ignored: see the header comment. */
			(void)num(argv[++i], a);
		} else if (!strcmp(a, "--nproc")) {
			sb.nproc = num(argv[++i], a);
		} else if (!strcmp(a, "--fsize-mb")) {
			sb.fsize_mb = num(argv[++i], a);
		} else if (!strcmp(a, "--nofile")) {
			sb.nofile = (int)num(argv[++i], a);
		} else if (!strcmp(a, "--keep-fd")) {
			if (nkeep < 64)
				keep[nkeep++] = (int)num(argv[++i], a);
		} else if (!strcmp(a, "--view")) {
			sb.view = 1;
		} else if (!strcmp(a, "--view-path")) {
			if (sb.nview_paths < 16)
				sb.view_paths[sb.nview_paths++] = argv[++i];
		} else if (!strcmp(a, "--no-fd-args")) {
			fd_args = 0;
		} else {
			fprintf(stderr, "aglaunch: unknown option %s\n", a);
			return AG_EXIT_SETUP;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: aglaunch --in-fd N --out-fd M [options] -- prog args...\n");
		return AG_EXIT_SETUP;
	}
	int was_root = geteuid() == 0;
	if (ag_setup_fds(in_fd, out_fd, keep, nkeep) || ag_enter_sandbox(&sb, parent))
		return AG_EXIT_SETUP;
	int n = argc - i;
	char **args = calloc((size_t)n + 5, sizeof *args);
	if (!args)
		return AG_EXIT_SETUP;
	for (int k = 0; k < n; k++)
		args[k] = argv[i + k];
	if (fd_args) {
		args[n++] = "--in-fd";
		args[n++] = "3";
		args[n++] = "--out-fd";
		args[n++] = "4";
	}
	args[n] = NULL;
	if (sb.pid_ns && was_root) {
		/* As root ag_enter_sandbox made a PID namespace for our children. Its first process is a tiny init of
		 * ours that runs the program as process 2 and ends when it ends: then the kernel kills everything the
		 * program started, daemons included. The program is not the namespace's init, whose signals at their
		 * default action the kernel drops: so its CPU timers' SIGVTALRM/SIGPROF and abort() end it as they
		 * would anywhere. A namespace's creator cannot start threads, so the program cannot be us. */
		pid_t child = fork();
		if (child < 0) {
			fprintf(stderr, "aglaunch: fork: %s\n", strerror(errno));
			return AG_EXIT_SETUP;
		}
		if (child == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
				_exit(AG_EXIT_SETUP);
			pid_t prog = fork();
			if (prog < 0)
				_exit(AG_EXIT_SETUP);
			if (prog == 0) {
				if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
					_exit(AG_EXIT_SETUP);
				execvp(args[0], args);
				fprintf(stderr, "aglaunch: cannot execute %s: %s\n", args[0], strerror(errno));
				_exit(127);
			}
			/* Reap whatever is orphaned to us until the program ends, then end as it did (an init cannot
			 * die by its own signal: 128 + the signal, as the grader reads a death by signal). */
			int st = 0;
			for (;;) {
				pid_t w = waitpid(-1, &st, 0);
				if (w == prog)
					break;
				if (w < 0 && errno != EINTR)
					_exit(AG_EXIT_SETUP);
			}
			_exit(WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
		}
		int status;
		while (waitpid(child, &status, 0) < 0) {
			if (errno != EINTR)
				return AG_EXIT_SETUP;
		}
		if (WIFSIGNALED(status)) {
			/* End the same way, so the grader reads the same exit status as without us. */
			int sig = WTERMSIG(status);
			signal(sig, SIG_DFL);
			kill(getpid(), sig);
			return 128 + sig;
		}
		return WEXITSTATUS(status);
	}
	execvp(args[0], args);
	fprintf(stderr, "aglaunch: cannot execute %s: %s\n", args[0], strerror(errno));
	return 127;
}
