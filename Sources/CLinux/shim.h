// Linux calls Swift cannot make directly (variadic prctl and syscall): keeping capabilities across
// the switch from root to an unprivileged user.
#pragma once
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// Names the calling thread (at most 15 characters), as top -H and /proc/PID/task/*/comm show it.
static inline void tlstop_name_thread(const char *name) { prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL); }

// PR_SET_KEEPCAPS: the permitted capabilities survive setuid() from root (cleared again after).
static inline int tlstop_keep_capabilities(int keep) {
    return prctl(PR_SET_KEEPCAPS, (unsigned long)keep, 0UL, 0UL, 0UL);
}

// Sets the permitted and effective sets to `mask` (bit N = capability N), inheritable to none.
static inline int tlstop_set_capabilities(unsigned long long mask) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    data[0].permitted = data[0].effective = (__u32)(mask & 0xffffffffULL);
    data[1].permitted = data[1].effective = (__u32)(mask >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

// The effective set, as a mask.
static inline unsigned long long tlstop_effective_capabilities(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    if (syscall(SYS_capget, &header, data) != 0) return 0;
    return ((unsigned long long)data[1].effective << 32) | data[0].effective;
}

static const int tlstop_cap_dac_read_search = CAP_DAC_READ_SEARCH;
static const int tlstop_cap_sys_ptrace = CAP_SYS_PTRACE;

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

// A NETLINK_SOCK_DIAG socket for exact socket lookups (what `ss` uses), with a receive timeout so
// a lookup can never block the caller for long. -1 on error.
static inline int tlstop_sock_diag_open(void) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    struct timeval timeout = {0, 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

// Looks up the one socket whose local end is (local, local_port) and remote end (remote,
// remote_port): addresses are 4 (AF_INET) or 16 (AF_INET6) bytes in network order, ports in host
// order. Returns 1 and fills uid, inode and state when found, 0 when there is no such socket, -1
// on error. The kernel answers an exact request (no NLM_F_DUMP) with at most one message.
static inline int tlstop_sock_diag_lookup(int fd, int family, int protocol, const unsigned char *local,
                                          unsigned short local_port, const unsigned char *remote,
                                          unsigned short remote_port, unsigned int *uid,
                                          unsigned long long *inode, unsigned char *state) {
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.request.sdiag_family = (unsigned char)family;
    message.request.sdiag_protocol = (unsigned char)protocol;
    message.request.idiag_states = 0xFFFFFFFFu;
    message.request.id.idiag_sport = htons(local_port);
    message.request.id.idiag_dport = htons(remote_port);
    size_t length = family == AF_INET ? 4 : 16;
    memcpy(message.request.id.idiag_src, local, length);
    memcpy(message.request.id.idiag_dst, remote, length);
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
    long long buffer[1024];
    ssize_t received = recv(fd, buffer, sizeof buffer, 0);
    if (received < 0) return -1;
    struct nlmsghdr *reply = (struct nlmsghdr *)buffer;
    if (!NLMSG_OK(reply, (unsigned int)received)) return -1;
    if (reply->nlmsg_type == NLMSG_ERROR) return 0;  // ENOENT: no such socket
    if (reply->nlmsg_type != SOCK_DIAG_BY_FAMILY) return -1;
    if (reply->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) return -1;
    struct inet_diag_msg *found = (struct inet_diag_msg *)NLMSG_DATA(reply);
    *uid = found->idiag_uid;
    *inode = found->idiag_inode;
    *state = found->idiag_state;
    return 1;
}

#include <fcntl.h>

// fallocate(2) without glibc's posix_fallocate fallback, which writes zeros where the file system
// cannot allocate: reserves [offset, offset + length) and extends the file's size. -1 on error
// (EOPNOTSUPP on file systems without it).
static inline int tlstop_allocate(int fd, long long offset, long long length) {
    return (int)syscall(SYS_fallocate, fd, 0, (off_t)offset, (off_t)length);
}
