#pragma once
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "model/errors.h"

namespace xpeer {

// One error as the user sees it: "error: CODE: message", or under --json the one-line object
// {"Code": CODE, "Message": message}. Both on stderr: stdout holds only results. An empty code is
// a failure that breaks no rule of xpeer's (a system call, a library): "error: message" as text,
// the cloud's "InternalError" as JSON.
inline void print_error(std::ostream& out, bool json, const std::string& code, const std::string& message) {
    if (json)
        out << nlohmann::json{{"Code", code.empty() ? errors::code::InternalError : code}, {"Message", message}}.dump() << '\n';
    else
        out << "error: " << (code.empty() ? "" : code + ": ") << message << '\n';
}

// A program's body, with every error printed by print_error and exit status 1.
template <typename F>
int exit_status_of(F&& body, bool json = false) {
    try {
        return body();
    } catch (const Error& e) {
        print_error(std::cerr, json, e.code(), e.what());
    } catch (const std::exception& e) {
        print_error(std::cerr, json, "", e.what());
    }
    return 1;
}

}  // namespace xpeer
