#include "model/ids.h"

#include <random>
#include <stdexcept>

namespace xpeer {

namespace {

// Seeded once per thread from the system's entropy: a route import draws 16 characters for each
// of 100k ids, and a random_device read per character costs more than the rest of the import.
std::mt19937_64& generator() {
    thread_local std::mt19937_64 gen = [] {
        std::random_device rd;
        std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seed);
    }();
    return gen;
}

}  // namespace

std::string new_id(std::string_view prefix, const std::function<bool(const std::string&)>& taken) {
    static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
    auto& gen = generator();
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string id(prefix);
        id += '-';
        for (int i = 0; i < 16; ++i) id += kAlphabet[pick(gen)];
        if (!taken || !taken(id)) return id;
    }
    throw std::runtime_error("new_id: 100 random " + std::string(prefix) + "- ids in a row were all taken");
}

}  // namespace xpeer
