#define _GNU_SOURCE
#include "couro.h"

#include <errno.h>
#include <stddef.h>
#include <linux/futex.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

_Static_assert(sizeof(couro_ucred) == sizeof(struct ucred), "couro_ucred mirrors struct ucred");

int couro_futex_wait(uint32_t *addr, uint32_t expected, const struct timespec *timeout)
{
    long r = syscall(SYS_futex, addr, FUTEX_WAIT, expected, timeout, NULL, 0);
    return r < 0 ? -errno : 0;
}

int couro_futex_wake(uint32_t *addr, int n)
{
    long r = syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
    return r < 0 ? -errno : (int) r;
}

int couro_pidfd_open(pid_t pid)
{
    long r = syscall(SYS_pidfd_open, pid, 0);
    return r < 0 ? -errno : (int) r;
}

int couro_set_pdeathsig(int sig)
{
    return prctl(PR_SET_PDEATHSIG, sig) < 0 ? -errno : 0;
}

int couro_set_timerslack(unsigned long ns)
{
    return prctl(PR_SET_TIMERSLACK, ns) < 0 ? -errno : 0;
}

int couro_wifexited(int status)   { return WIFEXITED(status); }
int couro_wexitstatus(int status) { return WEXITSTATUS(status); }
int couro_wifsignaled(int status) { return WIFSIGNALED(status); }
int couro_wtermsig(int status)    { return WTERMSIG(status); }

int couro_accept_cloexec(int fd)
{
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    return c < 0 ? -errno : c;
}

int couro_peercred(int fd, couro_ucred *cred)
{
    struct ucred uc;
    socklen_t len = sizeof(uc);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
        return -errno;
    cred->pid = uc.pid;
    cred->uid = uc.uid;
    cred->gid = uc.gid;
    return 0;
}

int couro_sigwait_pid(const void *set, pid_t *sender)
{
    siginfo_t info;
    int sig = sigwaitinfo((const sigset_t *) set, &info);
    if (sig < 0)
        return -errno;
    if (sender != NULL)
        *sender = info.si_pid;
    return sig;
}

int couro_pin_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (cpu >= 0) {
        CPU_SET(cpu, &set);
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        for (long i = 0; i < n && i < CPU_SETSIZE; i++)
            CPU_SET(i, &set);
    }
    return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

_Static_assert(sizeof(couro_mmsghdr) == sizeof(struct mmsghdr), "couro_mmsghdr mirrors struct mmsghdr");
_Static_assert(offsetof(couro_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "msg_len offset");

int couro_sendmmsg(int fd, couro_mmsghdr *msgs, unsigned int n, int flags)
{
    int r = sendmmsg(fd, (struct mmsghdr *) msgs, n, flags);
    return r < 0 ? -errno : r;
}

int couro_recvmmsg(int fd, couro_mmsghdr *msgs, unsigned int n, int flags)
{
    int r = recvmmsg(fd, (struct mmsghdr *) msgs, n, flags, NULL);
    return r < 0 ? -errno : r;
}

int couro_msg_confirm(void) { return MSG_CONFIRM; }
int couro_msg_trunc(void) { return MSG_TRUNC; }
int couro_msg_waitforone(void) { return MSG_WAITFORONE; }
