#pragma once
// Inside the store only: how a link's counters are kept in a TEXT column (archived_counters,
// link_readings), "packets,bytes,drop_inactive,...", in XPEER_LINK_COUNTER_FIELDS' order.
#include <string>

#include "model/link_counters.h"

namespace xpeer::store_detail {

std::string counters_text(const LinkCounters& c);
// A row written before a counter was appended has fewer values: those it lacks read as 0.
// Anything else that is not decimal numbers, one per known counter, is StoreError(SQLITE_CORRUPT)
// naming `table`.
LinkCounters parse_counters(const std::string& text, const char* table);

}  // namespace xpeer::store_detail
