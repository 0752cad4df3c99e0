#pragma once
#include <string>

namespace xpeer {

// One way the kernel differs from what the store says it should hold: a namespace, a link, a
// policy rule, a program or a map entry that is missing, extra or not as compiled.
struct Difference {
    std::string object;   // "netns xpeer-vpc-…", "link vs… in xpeer-vpc-…", "xp_routes_v4 vpc 3 10.2.0.0/16", …
    std::string problem;  // "missing", "not in the store", "holds …, want …"
    bool operator==(const Difference&) const = default;
};

}  // namespace xpeer
