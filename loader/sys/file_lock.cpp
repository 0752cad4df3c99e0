#include "sys/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "model/error.h"

namespace xpeer {

FileLock::FileLock(const std::string& path) : FileLock(path, true) {}

FileLock::FileLock(const std::string& path, bool wait) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_.get() < 0) throw SystemError("open " + path, errno);
    while (::flock(fd_.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        if (!wait && errno == EWOULDBLOCK) return;
        if (errno != EINTR) throw SystemError("flock " + path, errno);
    }
    held_ = true;
}

std::optional<FileLock> FileLock::try_take(const std::string& path) {
    FileLock lock(path, false);
    if (!lock.held_) return std::nullopt;
    return lock;
}

}  // namespace xpeer
