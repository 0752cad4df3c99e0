#pragma once
#include <stdexcept>
#include <string>

namespace xpeer {

// An error a user can act on. `code` names the rule in the cloud's style
// (e.g. "InvalidCidrBlock.Malformed"); the message says what and where.
class Error : public std::runtime_error {
public:
    Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

// A failure of the system underneath (netlink, bpf, sqlite): errno and the call that failed.
class SystemError : public std::runtime_error {
public:
    SystemError(const std::string& what, int err);
    int err() const { return err_; }

private:
    int err_;
};

}  // namespace xpeer
