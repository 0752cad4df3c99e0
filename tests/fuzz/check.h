#pragma once
// A property a fuzz target holds: when it does not, the input is a finding. libFuzzer saves an
// input that aborts, and this says which property it broke.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace xpeer::fuzz {

// What a target must undo before it dies (namespaces it made): an abort runs no destructor.
inline void (*before_abort)() = nullptr;

[[noreturn]] inline void broken(const std::string& what) {
    std::fprintf(stderr, "property broken: %s\n", what.c_str());
    if (before_abort) before_abort();
    std::abort();
}

inline void require(bool holds, const std::string& what) {
    if (!holds) broken(what);
}

}  // namespace xpeer::fuzz
