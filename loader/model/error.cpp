#include "model/error.h"

#include <cstring>

namespace xpeer {

SystemError::SystemError(const std::string& what, int err)
    : std::runtime_error(what + ": " + std::strerror(err < 0 ? -err : err)), err_(err < 0 ? -err : err) {}

}  // namespace xpeer
