// SPDX-License-Identifier: GPL-2.0
/* tools/bench only: xp_router without counters and policer. Its cost beside the real router's is
 * what counting and policing cost per packet. Never attached. */
#define XP_UNACCOUNTED 1
#include "router.bpf.c"
