#pragma once
#include <exception>
#include <iostream>

#include "model/error.h"

namespace xpeer {

// A program's body, with every error printed as "error: CODE: message" and exit status 1.
template <typename F>
int exit_status_of(F&& body) {
    try {
        return body();
    } catch (const Error& e) {
        std::cerr << "error: " << e.code() << ": " << e.what() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
    }
    return 1;
}

}  // namespace xpeer
