#define _GNU_SOURCE
#include "couro.h"

#include <errno.h>
#include <stddef.h>
#include <linux/futex.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

int couro_set_thread_nice(int nice)
{
    return setpriority(PRIO_PROCESS, (id_t) syscall(SYS_gettid), nice) < 0 ? -errno : 0;
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

/* ---- AF_PACKET (Ethernet IPCPs) ---- */

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/mman.h>

static struct sockaddr_ll couro_link_address(int ifindex, uint16_t protocol)
{
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    sll.sll_protocol = htons(protocol);
    return sll;
}

uint16_t couro_eth_p_802_2(void)
{
    return ETH_P_802_2;
}

int couro_packet_open(int ifindex, uint16_t protocol)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(protocol));
    if (fd < 0)
        return -errno;
    struct sockaddr_ll sll = couro_link_address(ifindex, protocol);
    if (bind(fd, (struct sockaddr *) &sll, sizeof(sll)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int couro_packet_send(int fd, int ifindex, const void *frame, size_t length)
{
    struct sockaddr_ll sll = couro_link_address(ifindex, 0);
    ssize_t n = sendto(fd, frame, length, 0, (struct sockaddr *) &sll, sizeof(sll));
    return n < 0 ? -errno : (int) n;
}

#define COURO_SEND_BATCH_MAX 64

int couro_packet_send_batch(int fd, int ifindex, void *const *frames, const uint32_t *lengths, unsigned n)
{
    struct sockaddr_ll sll = couro_link_address(ifindex, 0);
    struct mmsghdr msgs[COURO_SEND_BATCH_MAX];
    struct iovec iov[COURO_SEND_BATCH_MAX];
    if (n > COURO_SEND_BATCH_MAX)
        n = COURO_SEND_BATCH_MAX;
    memset(msgs, 0, sizeof(msgs[0]) * n);
    for (unsigned i = 0; i < n; ++i) {
        iov[i].iov_base = frames[i];
        iov[i].iov_len = lengths[i];
        msgs[i].msg_hdr.msg_name = &sll;
        msgs[i].msg_hdr.msg_namelen = sizeof(sll);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd, msgs, n, 0);
    return r < 0 ? -errno : r;
}

int couro_packet_statistics(int fd, uint32_t *packets, uint32_t *drops)
{
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof(st);
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
        return -errno;
    *packets = st.tp_packets;
    *drops = st.tp_drops;
    return 0;
}

int couro_rx_ring_open(int fd, couro_rx_ring *ring, uint32_t block_size, uint32_t block_count, uint32_t retire_ms)
{
    int version = TPACKET_V3;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
        return -errno;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = block_size;
    req.tp_block_nr = block_count;
    req.tp_frame_size = TPACKET_ALIGNMENT << 7;
    req.tp_frame_nr = (block_size / req.tp_frame_size) * block_count;
    req.tp_retire_blk_tov = retire_ms;
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
        return -errno;
    size_t size = (size_t) block_size * block_count;
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return -errno;
    ring->map = map;
    ring->size = size;
    ring->block_size = block_size;
    ring->block_count = block_count;
    ring->current = 0;
    return 0;
}

void couro_rx_ring_close(couro_rx_ring *ring)
{
    if (ring->map != NULL)
        munmap(ring->map, ring->size);
    ring->map = NULL;
}

static struct tpacket_block_desc *couro_rx_block(const couro_rx_ring *ring)
{
    return (struct tpacket_block_desc *) (ring->map + (size_t) ring->current * ring->block_size);
}

uint32_t couro_rx_ring_ready(const couro_rx_ring *ring)
{
    struct tpacket_block_desc *b = couro_rx_block(ring);
    if ((__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0)
        return 0;
    return b->hdr.bh1.num_pkts;
}

const void *couro_rx_ring_first(const couro_rx_ring *ring)
{
    struct tpacket_block_desc *b = couro_rx_block(ring);
    return (const uint8_t *) b + b->hdr.bh1.offset_to_first_pkt;
}

const void *couro_rx_ring_next(const void *frame)
{
    const struct tpacket3_hdr *h = frame;
    return (const uint8_t *) frame + h->tp_next_offset;
}

const uint8_t *couro_rx_frame(const void *frame, uint32_t *captured, uint32_t *length, int *outgoing)
{
    const struct tpacket3_hdr *h = frame;
    const struct sockaddr_ll *sll = (const struct sockaddr_ll *) ((const uint8_t *) frame + TPACKET_ALIGN(sizeof(*h)));
    *captured = h->tp_snaplen;
    *length = h->tp_len;
    *outgoing = sll->sll_pkttype == PACKET_OUTGOING;
    return (const uint8_t *) frame + h->tp_mac;
}

void couro_rx_ring_release(couro_rx_ring *ring)
{
    struct tpacket_block_desc *b = couro_rx_block(ring);
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    ring->current = (ring->current + 1) % ring->block_count;
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
