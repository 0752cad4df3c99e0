#pragma once
#include <optional>
#include <string>

#include "sys/unique_fd.h"

namespace xpeer {

// An exclusive flock(2) on a file (created if missing), held while the object lives.
class FileLock {
public:
    explicit FileLock(const std::string& path);
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    FileLock(FileLock&&) = default;

    // The lock if no other open file holds it, without waiting; nullopt if one does.
    static std::optional<FileLock> try_lock(const std::string& path);
    int fd() const { return fd_.get(); }

private:
    explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace xpeer
