#include "sandbox/fd_passing.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lamina::sandbox {

Status SendWithDescriptor(int socket, std::string_view bytes, int fd) {
  bool fd_sent = false;
  while (!bytes.empty()) {
    struct iovec iov {
      const_cast<char*>(bytes.data()), bytes.size()
    };
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (!fd_sent) {
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    ssize_t sent = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == EAGAIN) {  // a non-blocking socket that is full: wait for room
      pollfd p{socket, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (sent < 0) return Internal(std::string("sendmsg: ") + std::strerror(errno));
    fd_sent = true;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return Status::Ok();
}

bool ReceiveWithDescriptor(int socket, char* out, size_t n, Fd& fd) {
  while (n > 0) {
    struct iovec iov {
      out, n
    };
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t got = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
          c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int received;
        std::memcpy(&received, CMSG_DATA(c), sizeof received);
        fd = Fd(received);
      }
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace lamina::sandbox
