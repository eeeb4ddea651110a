/* Ouroboros for Swift: the few system calls and macros Swift cannot reach directly.
 * No _GNU_SOURCE here (it breaks the Glibc module import); couro.c defines it. */
#ifndef COURO_H
#define COURO_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* futex on shared memory (not FUTEX_PRIVATE: works across processes).
 * timeout is relative; NULL waits forever. Returns 0 or -errno. */
int couro_futex_wait(uint32_t *addr, uint32_t expected, const struct timespec *timeout);
/* Wakes at most n waiters; returns the number woken or -errno. */
int couro_futex_wake(uint32_t *addr, int n);

/* pidfd_open(2); returns an fd or -errno. */
int couro_pidfd_open(pid_t pid);
/* prctl(PR_SET_PDEATHSIG, sig); returns 0 or -errno. */
int couro_set_pdeathsig(int sig);
/* prctl(PR_SET_TIMERSLACK, ns); returns 0 or -errno. */
int couro_set_timerslack(unsigned long ns);

/* waitpid(2) status decoding. */
int couro_wifexited(int status);
int couro_wexitstatus(int status);
int couro_wifsignaled(int status);
int couro_wtermsig(int status);

/* accept4(fd, NULL, NULL, SOCK_CLOEXEC); returns the new fd or -errno. */
int couro_accept_cloexec(int fd);

/* SO_PEERCRED of a connected AF_UNIX socket. */
typedef struct {
    pid_t pid;
    uid_t uid;
    gid_t gid;
} couro_ucred;
int couro_peercred(int fd, couro_ucred *cred);

/* The sender pid of a pending signal out of a sigwaitinfo() on the given set;
 * returns the signal number or -errno. */
int couro_sigwait_pid(const void *set, pid_t *sender);

/* A spin-wait hint for the CPU (PAUSE on x86, YIELD on arm64). */
static inline void couro_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Restricts the calling thread to CPU cpu, or lets it run on every online CPU
 * when cpu < 0 (sched_setaffinity); 0 or -errno. */
int couro_pin_cpu(int cpu);

/* struct mmsghdr is GNU-only in glibc's headers: this mirror has its layout
 * (checked in couro.c), for sendmmsg(2)/recvmmsg(2) from Swift. */
#include <sys/socket.h>
typedef struct {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} couro_mmsghdr;
/* sendmmsg(2); returns the number of messages sent or -errno. */
int couro_sendmmsg(int fd, couro_mmsghdr *msgs, unsigned int n, int flags);
/* recvmmsg(2) without timeout; returns the number of messages or -errno. */
int couro_recvmmsg(int fd, couro_mmsghdr *msgs, unsigned int n, int flags);
/* MSG_CONFIRM, MSG_TRUNC and MSG_WAITFORONE (GNU-only names). */
int couro_msg_confirm(void);
int couro_msg_trunc(void);
int couro_msg_waitforone(void);

#endif
