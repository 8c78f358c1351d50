#ifndef TLSTOP_CPCAP_SHIM_H
#define TLSTOP_CPCAP_SHIM_H
#include <pcap/pcap.h>

/* PCAP_ERRBUF_SIZE is a macro; Swift needs it as a function to size its buffers. */
static inline int tlstop_pcap_errbuf_size(void) { return PCAP_ERRBUF_SIZE; }

#endif
