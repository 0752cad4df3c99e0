#include "model/ids.h"

#include <random>
#include <stdexcept>

namespace xpeer {

std::string new_id(std::string_view prefix, const std::function<bool(const std::string&)>& taken) {
    static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device rd;
    std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string id(prefix);
        id += '-';
        for (int i = 0; i < 16; ++i) id += kAlphabet[pick(rd)];
        if (!taken || !taken(id)) return id;
    }
    throw std::runtime_error("new_id: 100 random " + std::string(prefix) + "- ids in a row were all taken");
}

}  // namespace xpeer
