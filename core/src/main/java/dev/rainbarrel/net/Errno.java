package dev.rainbarrel.net;

/** Names of the {@code errno} values the socket code reports, for messages a user can act on. */
final class Errno {

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EBADF = 9;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int EINVAL = 22;
  static final int ENOTSOCK = 88;
  static final int EPROTONOSUPPORT = 93;
  static final int EAFNOSUPPORT = 97;

  private Errno() {}

  /** {@code "errno 13 (EACCES, permission denied)"}. */
  static String describe(int errno) {
    return "errno " + errno + " (" + name(errno) + ")";
  }

  private static String name(int errno) {
    switch (errno) {
      case EPERM:
        return "EPERM, operation not permitted";
      case ENOENT:
        return "ENOENT, no such diag handler (module not loaded?)";
      case EINTR:
        return "EINTR, interrupted";
      case EBADF:
        return "EBADF, bad file descriptor";
      case EAGAIN:
        return "EAGAIN, timed out";
      case EACCES:
        return "EACCES, permission denied";
      case EINVAL:
        return "EINVAL, invalid argument";
      case ENOTSOCK:
        return "ENOTSOCK, not a socket";
      case EPROTONOSUPPORT:
        return "EPROTONOSUPPORT";
      case EAFNOSUPPORT:
        return "EAFNOSUPPORT, address family not supported";
      default:
        return "see errno(3)";
    }
  }
}
