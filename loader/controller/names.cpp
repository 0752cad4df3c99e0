#include "controller/names.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "model/errors.h"

namespace xpeer::names {
namespace {

// The code points of text, or nullopt if it is not valid UTF-8.
std::optional<std::vector<uint32_t>> code_points(const std::string& text) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        int extra = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || i + extra >= text.size()) return std::nullopt;
        uint32_t cp = extra == 0 ? b : b & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            if ((c & 0xC0) != 0x80) return std::nullopt;
            cp = cp << 6 | (c & 0x3F);
        }
        static constexpr uint32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kLeast[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;  // overlong, surrogate
        out.push_back(cp);
        i += extra + 1;
    }
    return out;
}

bool control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }
bool ascii_letter(uint32_t cp) { return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'); }
bool letter(uint32_t cp) { return ascii_letter(cp) || cp >= 0xA0; }  // beyond ASCII: the cloud's Chinese characters and others

}  // namespace

bool printable(const std::string& text) {
    auto cps = code_points(text);
    if (!cps) return false;
    for (uint32_t cp : *cps)
        if (control(cp)) return false;
    return true;
}

void check_name(errors::Kind kind, const std::string& name) {
    if (name.empty()) return;
    const std::string rule = "a name is 2 to 128 characters, starts with a letter, and has only letters, digits, '.', '_' and '-'";
    auto cps = code_points(name);
    if (!cps || !printable(name)) throw errors::name_malformed(kind, "the name has a control character or is not UTF-8; " + rule);
    if (cps->size() < 2 || cps->size() > 128)
        throw errors::name_malformed(kind, "the name has " + std::to_string(cps->size()) + " characters; " + rule);
    if (!letter(cps->front())) throw errors::name_malformed(kind, "the name '" + name + "' does not start with a letter; " + rule);
    for (uint32_t cp : *cps)
        if (!letter(cp) && !(cp >= '0' && cp <= '9') && cp != '.' && cp != '_' && cp != '-')
            throw errors::name_malformed(kind, "the name '" + name + "' has '" + std::string(1, static_cast<char>(cp)) + "'; " + rule);
}

void check_host_name(const std::string& name) {
    const std::string rule = "a host name is 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (name.empty() || name.size() > 63)
        throw errors::name_malformed(errors::Kind::Host, "the host name has " + std::to_string(name.size()) + " characters; " + rule);
    for (char c : name)
        if (!alnum(c) && c != '-')
            throw errors::name_malformed(errors::Kind::Host, printable(name)
                                                                 ? "the host name '" + name + "' has '" + std::string(1, c) + "'; " + rule
                                                                 : "the host name has a control character or is not UTF-8; " + rule);
    if (!alnum(name.front()) || !alnum(name.back()))
        throw errors::name_malformed(errors::Kind::Host, "the host name '" + name + "' starts or ends with '-'; " + rule);
}

void check_description(const std::string& description) {
    if (description.empty()) return;
    const std::string rule = "a description is 2 to 256 characters, printable, and does not start with http:// or https://";
    auto cps = code_points(description);
    if (!cps || !printable(description))
        throw errors::invalid_description_malformed("the description has a control character or is not UTF-8; " + rule);
    if (cps->size() < 2 || cps->size() > 256)
        throw errors::invalid_description_malformed("the description has " + std::to_string(cps->size()) + " characters; " + rule);
    if (description.rfind("http://", 0) == 0 || description.rfind("https://", 0) == 0)
        throw errors::invalid_description_malformed("the description starts with a URL scheme; " + rule);
}

}  // namespace xpeer::names
