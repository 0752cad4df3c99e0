#include "sys/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "model/error.h"

namespace xpeer {

FileLock::FileLock(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_.get() < 0) throw SystemError("open " + path, errno);
    while (::flock(fd_.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw SystemError("flock " + path, errno);
}

std::optional<FileLock> FileLock::try_lock(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) throw SystemError("open " + path, errno);
    while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return std::nullopt;
        if (errno != EINTR) throw SystemError("flock " + path, errno);
    }
    return FileLock(std::move(fd));
}

}  // namespace xpeer
