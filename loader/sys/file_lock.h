#pragma once
#include <optional>
#include <string>

#include "sys/unique_fd.h"

namespace xpeer {

// An exclusive flock(2) on a file (created if missing), held while the object lives.
class FileLock {
public:
    explicit FileLock(const std::string& path);  // waits for it
    // Takes it if nobody holds it; nullopt if somebody does.
    static std::optional<FileLock> try_take(const std::string& path);
    FileLock(FileLock&&) = default;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    FileLock(const std::string& path, bool wait);
    bool held_ = false;
    UniqueFd fd_;
};

}  // namespace xpeer
