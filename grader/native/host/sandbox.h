/* Process sandbox shared by the C driver host and aglaunch (the .NET worker's launcher). */
#ifndef AG_SANDBOX_H
#define AG_SANDBOX_H

struct ag_sandbox {
	int cpu_seconds;   /* RLIMIT_CPU soft (hard = soft + 1); 0 = unset */
	long mem_mb;       /* RLIMIT_AS in MiB; 0 = unset */
	long as_extra_mb;  /* added to mem_mb: address space reserved before the limit (the host's windows) */
	long nproc;        /* RLIMIT_NPROC; < 0 = unset (threads count too: .NET needs dozens) */
	long fsize_mb;     /* RLIMIT_FSIZE in MiB (0 = no file may grow) */
	int nofile;        /* RLIMIT_NOFILE */
	int seccomp;       /* install the host's syscall allowlist (never for .NET) */
	int view;          /* replace the filesystem by an empty one (private /tmp) holding, read-only, only
	                      the system's libraries and programs plus view_paths: nothing else is visible */
	const char *view_paths[16];
	int nview_paths;
	int pid_ns;        /* children go into a new PID namespace (aglaunch only, which then forks): when its
	                      first process dies, every process it started dies with it */
};

/* Moves in_fd/out_fd to AG_IN_FD/AG_OUT_FD and closes every other fd except 0-2 and keep[]
 * (keep[] must not hold 3 or 4). Returns 0, or -1 with a message on stderr. */
int ag_setup_fds(int in_fd, int out_fd, const int *keep, int nkeep);

/* Namespaces + private /tmp + uid 65534 (when root), parent-death signal, no_new_privs, rlimits,
 * seccomp. parent is the pid of the grader recorded at start. Returns 0, or -1 with a message. */
int ag_enter_sandbox(const struct ag_sandbox *sb, int parent);

/* The per-instance part, in a child of the fork server (which entered the sandbox with cpu_seconds 0,
 * nproc < 0 and seccomp 0): parent-death signal (and a check that server is still the parent), then,
 * when sandbox, RLIMIT_CPU, RLIMIT_NPROC and seccomp from sb. Returns 0, or -1 with a message. */
int ag_sandbox_child(const struct ag_sandbox *sb, int server, int sandbox);

#endif
