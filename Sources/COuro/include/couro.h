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
/* setpriority(2) of the calling thread (not the process); returns 0 or -errno. */
int couro_set_thread_nice(int nice);

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

/* ---- AF_PACKET (Ethernet IPCPs) ----
 * The kernel structures (sockaddr_ll, tpacket_req3, tpacket_block_desc,
 * tpacket3_hdr) are not visible to Swift; these wrappers hide them. */

/* An AF_PACKET SOCK_RAW socket receiving frames of `protocol` (host order;
 * ETH_P_802_2 for LLC) on interface `ifindex` only. Returns the fd or -errno. */
int couro_packet_open(int ifindex, uint16_t protocol);
/* The value of ETH_P_802_2. */
uint16_t couro_eth_p_802_2(void);
/* Sends one complete Ethernet frame out of `ifindex`; bytes sent or -errno. */
int couro_packet_send(int fd, int ifindex, const void *frame, size_t length);
/* Sends up to n frames (frames[i], lengths[i]) with one sendmmsg(2); returns
 * how many left (from the front) or -errno when the first failed. */
int couro_packet_send_batch(int fd, int ifindex, void *const *frames, const uint32_t *lengths, unsigned n);
/* Kernel counters since the last call (PACKET_STATISTICS, V3): frames
 * received and frames dropped for lack of buffer or ring space. 0 or -errno. */
int couro_packet_statistics(int fd, uint32_t *packets, uint32_t *drops);

/* A TPACKET_V3 receive ring mapped from a packet socket: block_count blocks
 * of block_size bytes, handed to user space one at a time, in order. */
typedef struct {
    uint8_t *map;
    size_t size;
    uint32_t block_size;
    uint32_t block_count;
    uint32_t current;
} couro_rx_ring;

/* Sets TPACKET_V3 and maps the ring (block_size a multiple of the page size;
 * a block is retired to user space after retire_ms even when not full).
 * 0 or -errno. */
int couro_rx_ring_open(int fd, couro_rx_ring *ring, uint32_t block_size, uint32_t block_count, uint32_t retire_ms);
/* Unmaps the ring. */
void couro_rx_ring_close(couro_rx_ring *ring);
/* The number of frames in the current block if the kernel handed it to user
 * space, else 0 (then poll the socket for POLLIN). */
uint32_t couro_rx_ring_ready(const couro_rx_ring *ring);
/* The first frame of the current block (an opaque cursor). */
const void *couro_rx_ring_first(const couro_rx_ring *ring);
/* The frame after `frame` in the same block. */
const void *couro_rx_ring_next(const void *frame);
/* A frame's bytes (from its Ethernet header), the number captured into the
 * ring (*captured) and its length on the wire (*length); *outgoing is set
 * when the frame is one this host sent. */
const uint8_t *couro_rx_frame(const void *frame, uint32_t *captured, uint32_t *length, int *outgoing);
/* Hands the current block back to the kernel and moves to the next. */
void couro_rx_ring_release(couro_rx_ring *ring);

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
