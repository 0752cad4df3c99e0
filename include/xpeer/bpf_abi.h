/* The one definition of every BPF map key and value, shared by bpf/ and the C++ loader.
 * Fixed-width types and explicit padding only: the layout is pinned by the asserts below. */
#ifndef XPEER_BPF_ABI_H
#define XPEER_BPF_ABI_H

#include <linux/bpf.h> /* struct bpf_spin_lock */
#include <linux/types.h>

#define XP_MAX_PORTS 65536    /* vSwitch links in the datapath namespace, and the bound of their ifindexes */
#define XP_MAX_PEERINGS 65536 /* live peering connections (slots) */
#define XP_MAX_ROUTES 2097152 /* per address family, all VPCs together */
#define XP_NO_LINK 0xffffffffu
#define XP_MAX_TUNNELS 4096  /* other hosts this host sends to (slots; 0 is never used) */
#define XP_VXLAN_PORT 4789   /* the outer UDP destination port between hosts (IANA's for VXLAN) */
#define XP_MAX_VNI 0xffffffu /* a VNI is 24 bits: VPC keys above it never leave their host */

/* Per-CPU maps are plain arrays of one region per possible CPU, indexed cpu * PER_CPU + index:
 * the router finds its element with a multiply, where a PERCPU_ARRAY costs a load from a table of
 * per-CPU pointers. max_entries below is one CPU's; the loader multiplies it by the CPU ids
 * (loader/datapath/datapath.cpp) before loading. The maps are BPF_F_MMAPABLE, which aligns them to
 * a page: every region is whole cache lines, so no two CPUs write one line. */
#define XP_PORTS_PER_CPU XP_MAX_PORTS			/* datapath-side ifindex */
#define XP_LINKS_PER_CPU (XP_MAX_PEERINGS * XP_DIR_MAX) /* peering slot * XP_DIR_MAX + direction */
#define XP_VERDICTS_PER_CPU 1				/* one struct xp_verdicts */

/* The VPC id comes before the address in an LPM key: its 32 bits count towards prefixlen
 * (see xp_lpm_prefixlen in the loader). */
#define XP_LPM_VPC_BITS 32

struct xp_lpm_key_v4 {
	__u32 prefixlen;
	__u32 vpc;
	__u8 addr[4];
};

struct xp_lpm_key_v6 {
	__u32 prefixlen;
	__u32 vpc;
	__u8 addr[16];
};

enum xp_nexthop_kind {
	XP_NH_VSWITCH = 1,  /* system route: a vSwitch of the VPC; target = egress ifindex */
	XP_NH_PEERING = 2,  /* route entry: target = peering slot */
	XP_NH_RESERVED = 3, /* a subnet's network, gateway or broadcast address: nobody's to reach */
	XP_NH_REMOTE = 4,   /* system route: a vSwitch of the VPC on another host; target = tunnel slot */
};

/* A route to a vSwitch of the table's VPC, on this host or another: the only kind that may match
 * after a peering crossing (peering is not transitive). */
static inline int xp_is_system_route(__u32 kind)
{
	return kind == XP_NH_VSWITCH || kind == XP_NH_REMOTE;
}

/* Value of both LPM tries. For a vSwitch next hop, the MACs to write. */
struct xp_route {
	__u32 kind;   /* enum xp_nexthop_kind */
	__u32 target; /* egress ifindex (its xp_ports element counts what leaves), peering slot or tunnel slot */
	__u8 smac[6]; /* datapath side of the egress vSwitch link */
	__u8 dmac[6]; /* VPC side of the egress vSwitch link */
};

/* The compiled lookup (loader/compiler/fib.h): per VPC and address family, a multibit trie with
 * 8-bit strides whose leaves hold the tries' whole decision, a peering crossing into the peer
 * VPC's table included. The router indexes node after node with the destination's bytes; an
 * entry with XP_FIB_NODE set names the next node, any other entry is an index into the results.
 * Result 0 is "no route", so a zeroed node routes nothing. xp_fib_roots holds each VPC's root
 * node at VPC key * 2 + (IPv6); 0 while it has none (the loader is rebuilding it, or it did not
 * fit), and then the tries decide. */
#define XP_MAX_VPCS 65536  /* VPC keys below it can have a compiled lookup; the tries decide for others */
#define XP_FIB_NODES 16384 /* per address family, 1 KiB each; node 0 is never used */
#define XP_FIB_RESULTS 65536
#define XP_FIB_STRIDE_BITS 8
#define XP_FIB_FANOUT (1u << XP_FIB_STRIDE_BITS)
#define XP_FIB_NODE 0x80000000u

struct xp_fib_node {
	__u32 entry[XP_FIB_FANOUT];
};

struct xp_fib_result {
	__u32 reason;	       /* enum xp_reason: a forward, or the drop the tries decide */
	__u32 link;	       /* peering slot * XP_DIR_MAX + direction once a peering is crossed, or XP_NO_LINK */
	struct xp_route route; /* the vSwitch to leave through, when forwarded */
	/* Loader only, so that a route change patches the trie in place: the prefix lengths of the
	 * VPC's own route that decided and of the peer VPC's route after a crossing (XP_FIB_NO_LEN:
	 * none), valid when lengths_set is 1 (results written before they existed have 0). */
	__u8 own_len;
	__u8 peer_len;
	__u8 lengths_set;
	__u8 pad;
};
#define XP_FIB_NO_LEN 0xff

/* What decided a packet's route, counted per CPU in struct xp_verdicts. */
enum xp_lookup {
	XP_LOOKUP_COMPILED = 0, /* the VPC's compiled lookup */
	XP_LOOKUP_TRIES,	/* the LPM tries: the VPC has no compiled lookup now, or they are off */
	XP_LOOKUP_MAX,
};

/* Key 0 of xp_control. */
struct xp_control {
	__u32 compiled_off; /* 1: the compiled lookups are not used, the tries decide (benchmarks, debugging) */
	__u32 dirty;	    /* loader only: 1 while a command writes the maps; the next one reconciles all */
};

struct xp_counters {
	__u64 packets;
	__u64 bytes;
};

/* Per CPU, indexed by the ifindex of a vSwitch link's datapath side: the VPC its packets come
 * from and the addresses they may come from, the same in every CPU's copy, and the link's counters
 * on this CPU. One element, so that a packet finds its VPC, is checked and counted with one
 * lookup, and one cache line, so that no port's counters straddle two. The loader writes a port
 * whole (counters zeroed) only when it appears, changes or goes. */
struct xp_port {
	__u32 vpc;	       /* the VPC's key, never 0: 0 marks an unused slot */
	__u8 src_v4[4];	       /* the vSwitch's IPv4 CIDR, network order: the sources allowed */
	struct xp_counters rx; /* from the VPC into the router */
	struct xp_counters tx; /* from the router into the VPC */
	__u8 src_v6[16];       /* the vSwitch's IPv6 CIDR */
	__u8 src_v4_len;       /* prefix lengths; 0: the vSwitch has no CIDR of that family, */
	__u8 src_v6_len;       /* and every source of it is refused */
	__u8 pad[6];
};
/* Indexed by peering slot. Direction 0 is requester -> accepter (vpc_a -> vpc_b). */
struct xp_peering {
	__u32 vpc_a;
	__u32 vpc_b;
	__u8 active; /* 1 while the connection is Activated (or Updating among hosts) */
	/* The DSCP of its link type, written into the outer IPv4 TOS or IPv6 traffic class of the
	 * frames it carries to another host (docs/ETCD.md), so that the underlay can put Platinum
	 * first; 0 within a region. */
	__u8 dscp;
	__u8 pad[2];
	/* The connection's id, hashed (never 0): a connection that takes a slot from another one, or
	 * an empty one, starts from cleared link counters on every host that programs it. 0: written
	 * by a build before owners, adopted as it is. */
	__u32 owner;
	__u64 rate_bytes;  /* bandwidth of each direction, bytes per second; 0 = unlimited */
	__u64 burst_bytes; /* the token bucket's depth */
};

/* Indexed by tunnel slot: another host, as this host's router reaches it over the underlay. The
 * router encapsulates in VXLAN (the VNI is the destination VPC's key) from `local` to `remote`,
 * and the kernel's FIB and neighbour table in the datapath namespace give the outer MACs. */
struct xp_tunnel {
	__u8 remote[16]; /* the other host's underlay address; IPv4 in the first 4 bytes */
	__u8 local[16];	 /* this host's, the outer source */
	__u32 ifindex;	 /* this host's underlay interface; 0 marks an unused slot */
	__u8 is_v6;	 /* the underlay's family */
	__u8 pad[3];
};

/* Key of xp_underlay_hosts: a registered host's underlay address, IPv4 as ::ffff:a.b.c.d. Only
 * their packets are decapsulated. */
struct xp_underlay_key {
	__u8 addr[16];
};

/* The token bucket of one direction of a link, shared by every CPU (a per-CPU bucket would
 * admit only a fraction of the rate when the traffic lands on one CPU). Written by the router
 * only; the agent reads nothing here. */
struct xp_policer {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tokens;  /* bytes */
	__u64 last_ns; /* bpf_ktime_get_ns() of the last refill; 0 = never used: starts full */
};

/* Indexed like xp_policers: this host's part of a link direction's bandwidth while the VPC that
 * sends on it has vSwitches on other hosts too, whose agents share the connection's rate among
 * them by demand (loader/telemetry/bandwidth_share.h). Written by the agent; the router polices at
 * it instead of xp_peering's rate while `owner` is the connection's: rate_bytes until until_ns
 * (bpf_ktime_get_ns()), which the agent renews every interval, then fallback_bytes, the least
 * part this host could be given whatever the others claim. Never above the connection's rate. */
struct xp_link_share {
	__u64 rate_bytes;
	__u64 burst_bytes;
	__u64 fallback_bytes;
	__u64 fallback_burst_bytes;
	__u64 until_ns;
	__u32 owner; /* xp_peering.owner of the connection it was written for; 0: none */
	__u32 pad;
};

/* Key 0 of xp_underlay_qos: what this host may send to other hosts over its underlay (xpeer agent
 * --underlay-bandwidth), and which classes go first when that is full. The router polices every
 * frame it tunnels, outer headers included, with one token bucket (xp_underlay_policer); a frame
 * whose outer DSCP is d passes only if the bucket keeps reserve_bytes[d] after it (a GSO
 * super-packet: after all its segments), the depth the classes above d may still use. XDP cannot
 * queue, so under congestion the lower classes are dropped first, and what passes leaves no more
 * queue in the underlay than the bucket's depth: Platinum (EF) may take the whole bucket, Gold
 * (AF11) leaves Platinum's band, traffic of no connection type Gold's too (compiler's
 * underlay_qos_of). rate_bytes 0: not policed. */
#define XP_DSCP_MAX 64
struct xp_underlay_qos {
	__u64 rate_bytes;
	__u64 burst_bytes;
	__u64 reserve_bytes[XP_DSCP_MAX]; /* by DSCP: at most burst_bytes */
};

/* A CPU's stash (xp_link_counters.policer_stash) holds at most 1/64 of the bucket's depth, so
 * the CPUs together can hold back only a little of it. */
#define XP_STASH_SHIFT 6

enum xp_direction {
	XP_DIR_A_TO_B = 0,
	XP_DIR_B_TO_A = 1,
	XP_DIR_MAX = 2,
};

/* Per-CPU, indexed by peering slot * XP_DIR_MAX + direction: one cache line, all that a packet
 * crossing the link touches on its CPU. */
struct xp_link_counters {
	__u64 packets;
	__u64 bytes;
	__u64 drop_inactive;
	__u64 drop_no_route; /* crossed, but nothing in the peer VPC's system routes */
	__u64 drop_transit;  /* the peer VPC would send it on through another peering */
	__u64 drop_ttl;
	__u64 drop_policer; /* over the connection's bandwidth */
	/* Not a counter: bytes this CPU took from the link's shared bucket (xp_policers) ahead of
	 * use, so that a link below its rate costs no clock read and no lock per packet. */
	__u64 policer_stash;
};

/* What happened to every packet the router saw, counted per CPU in struct xp_verdicts. */
enum xp_reason {
	XP_REASON_FORWARD_LOCAL = 0, /* to a vSwitch of the same VPC */
	XP_REASON_FORWARD_PEERING,   /* through a peering connection */
	XP_REASON_PASS_NOT_IP,	     /* handed to the kernel: ARP, ... */
	XP_REASON_PASS_LINK_LOCAL,   /* handed to the kernel: multicast, link-local */
	XP_REASON_DROP_NO_ROUTE,
	XP_REASON_DROP_TRANSIT,
	XP_REASON_DROP_INACTIVE,
	XP_REASON_DROP_TTL,
	XP_REASON_DROP_MALFORMED,
	XP_REASON_UNKNOWN_PORT,	 /* ingress ifindex not a vSwitch link: passed */
	XP_REASON_DROP_POLICER,	 /* over the peering connection's bandwidth */
	XP_REASON_DROP_SPOOFED,	 /* a source that is not the ingress vSwitch's to use */
	XP_REASON_DROP_RESERVED, /* to a subnet's network, gateway or broadcast address */
	/* Lost where no program runs, counted by the vSwitch veths and added by the loader (the
	 * router's own elements stay 0): */
	XP_REASON_DROP_INGRESS_QUEUE, /* the VPC sent it, a full queue into the router dropped it */
	XP_REASON_DROP_EGRESS_QUEUE, /* forwarded, but the egress veth could not take it (its XDP ring full, or down) */
	/* Between hosts (xp_underlay decapsulates on the underlay interface): */
	XP_REASON_FORWARD_TUNNEL_IN, /* from another host, to a vSwitch of the VNI's VPC */
	XP_REASON_DROP_UNDERLAY,     /* to another host, with no way there: no tunnel, route or neighbour, or too big */
	XP_REASON_DROP_TUNNEL_SOURCE, /* VXLAN from an address that is no registered host */
	XP_REASON_DROP_TUNNEL_VNI,    /* VXLAN whose VNI's VPC has no vSwitch here for the inner destination */
	XP_REASON_DROP_UNDERLAY_FULL, /* to another host, over this host's underlay bandwidth (lower classes first) */
	XP_REASON_MAX,
};

/* Per CPU, one element: what happened to every packet the router saw, and which lookup decided
 * the route of the packets that were looked up. One element, so that a packet looks it up once;
 * the lookups first, so that a forwarded packet's counters share one cache line. */
struct xp_verdicts {
	__u64 lookup[XP_LOOKUP_MAX];
	struct xp_counters reason[XP_REASON_MAX];
	/* To whole cache lines. A reason more takes two of these (the size stays, and an upgrade
	 * tells the layouts apart by the BTF's field sizes). Room for three more reasons. */
	__u64 pad[6];
};

#ifdef __cplusplus
#include <cstddef>
static_assert(sizeof(struct xp_lpm_key_v4) == 12, "xp_lpm_key_v4 layout");
static_assert(sizeof(struct xp_lpm_key_v6) == 24, "xp_lpm_key_v6 layout");
static_assert(offsetof(struct xp_lpm_key_v4, addr) == 8, "vpc id before the address");
static_assert(sizeof(struct xp_route) == 20, "xp_route layout");
static_assert(offsetof(struct xp_route, dmac) == 14, "xp_route layout");
static_assert(sizeof(struct xp_fib_node) == 1024 && sizeof(struct xp_fib_result) == 32, "xp_fib layout");
static_assert(offsetof(struct xp_port, src_v4_len) == 56, "xp_port layout");
static_assert(sizeof(struct xp_port) == 64, "xp_port layout: one cache line");
static_assert(sizeof(struct xp_peering) == 32 && offsetof(struct xp_peering, owner) == 12, "xp_peering layout");
static_assert(sizeof(struct xp_policer) == 24, "xp_policer layout");
static_assert(sizeof(struct xp_link_share) == 48, "xp_link_share layout");
static_assert(sizeof(struct xp_underlay_qos) == 16 + 8 * XP_DSCP_MAX, "xp_underlay_qos layout");
static_assert(sizeof(struct xp_link_counters) == 64, "xp_link_counters layout");
static_assert(sizeof(struct xp_counters) == 16, "xp_counters layout");
static_assert(sizeof(struct xp_control) == 8, "xp_control layout");
static_assert(sizeof(struct xp_tunnel) == 40 && sizeof(struct xp_underlay_key) == 16, "xp_tunnel layout");
static_assert(sizeof(struct xp_verdicts) == 384,
	      "xp_verdicts layout: a new reason or lookup needs padding to whole cache lines");
static_assert(offsetof(struct xp_verdicts, reason[XP_REASON_FORWARD_PEERING + 1]) <= 64,
	      "a forwarded packet's verdict counters in one cache line");
static_assert(XP_LINKS_PER_CPU * sizeof(struct xp_link_counters) % 64 == 0 &&
		      XP_VERDICTS_PER_CPU * sizeof(struct xp_verdicts) % 64 == 0 &&
		      XP_PORTS_PER_CPU * sizeof(struct xp_port) % 64 == 0,
	      "per-CPU regions of whole cache lines");
static_assert(offsetof(struct xp_route, smac) % 2 == 0, "MACs at even offsets: the router copies them in 16-bit words");
#else
_Static_assert(sizeof(struct xp_route) == 20, "xp_route layout");
_Static_assert(sizeof(struct xp_lpm_key_v6) == 24, "xp_lpm_key_v6 layout");
#endif

#endif
