// Linux calls Swift cannot make directly (variadic prctl and syscall): keeping capabilities across
// the switch from root to an unprivileged user.
#pragma once
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

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
