#include "model/errors.h"

namespace xpeer::errors {

namespace {

struct KindCodes {
    const char* noun;
    const char* not_found;
    const char* name_malformed;
};

KindCodes codes_of(Kind kind) {
    switch (kind) {
#define XPEER_ERROR_KIND_CASE(kind, noun, not_found, name_malformed) \
    case Kind::kind: \
        return {noun, not_found, name_malformed};
        XPEER_ERROR_KINDS(XPEER_ERROR_KIND_CASE)
#undef XPEER_ERROR_KIND_CASE
    }
    throw std::logic_error("errors: a Kind outside XPEER_ERROR_KINDS");
}

}  // namespace

Error not_found(Kind kind, const std::string& id, const std::string& where) {
    const KindCodes k = codes_of(kind);
    return Error(k.not_found, std::string(k.noun) + " " + id + " not found " + where);
}

Error name_malformed(Kind kind, const std::string& message) {
    const KindCodes k = codes_of(kind);
    if (!k.name_malformed) throw std::logic_error(std::string("errors: a ") + k.noun + " has no name to be malformed");
    return Error(k.name_malformed, message);
}

const std::vector<std::string>& all_codes() {
    static const std::vector<std::string> codes = {
#define XPEER_ERROR_RULE_CODE(fn, name, text) text,
        XPEER_ERROR_RULES(XPEER_ERROR_RULE_CODE)
#undef XPEER_ERROR_RULE_CODE
#define XPEER_ERROR_OTHER_CODE(name, text) text,
            XPEER_ERROR_OTHER_CODES(XPEER_ERROR_OTHER_CODE)
#undef XPEER_ERROR_OTHER_CODE
    };
    return codes;
}

}  // namespace xpeer::errors
