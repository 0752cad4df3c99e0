#pragma once
#include <string>

#include "sys/unique_fd.h"

namespace xpeer {

// An exclusive flock(2) on a file (created if missing), held while the object lives.
class FileLock {
public:
    explicit FileLock(const std::string& path);
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    UniqueFd fd_;
};

}  // namespace xpeer
