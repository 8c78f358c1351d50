/* The floor for reading a capture: libpcap's pcap_loop with a callback that does nothing. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

static void nothing(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
    (void)header;
    (void)bytes;
    (*(unsigned long *)user)++;
}

int main(int argc, char **argv) {
    char errbuf[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "%s\n", errbuf);
        return 1;
    }
    unsigned long count = 0;
    pcap_loop(p, -1, nothing, (u_char *)&count);
    pcap_close(p);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%lu packets in %.4f s\n", count, seconds);
    return 0;
}
