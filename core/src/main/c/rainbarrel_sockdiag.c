/*
 * rainbarrel's JNI bridge to NETLINK_SOCK_DIAG for JDK 17-21, where the FFM API is not final:
 * thin system-call wrappers for dev.rainbarrel.net.SockDiagJni (socket,
 * sendto, recv, close, and getsockopt for the tests' check of the receive timeout). The
 * requests are built and the answers parsed in Java (NetlinkSampler); nothing here interprets a
 * message, allocates, or keeps state, so the code that runs inside the host JVM stays this small.
 *
 * Every function returns a non-negative result or -errno; none throws or blocks longer than the
 * socket's receive timeout.
 */
#include <jni.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

/* int open0(int receiveTimeoutMillis): a NETLINK_SOCK_DIAG socket with SO_RCVTIMEO set. */
JNIEXPORT jint JNICALL Java_dev_rainbarrel_net_SockDiagJni_open0(JNIEnv *env, jclass cls,
                                                                 jint timeoutMillis) {
  (void) env;
  (void) cls;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    return -errno;
  }
  struct timeval tv;
  tv.tv_sec = timeoutMillis / 1000;
  tv.tv_usec = (timeoutMillis % 1000) * 1000;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

/* long receiveTimeout0(int fd): SO_RCVTIMEO as the kernel holds it, in ms (tests). */
JNIEXPORT jlong JNICALL Java_dev_rainbarrel_net_SockDiagJni_receiveTimeout0(JNIEnv *env, jclass cls,
                                                                           jint fd) {
  (void) env;
  (void) cls;
  struct timeval tv;
  socklen_t len = sizeof tv;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) != 0) {
    return -errno;
  }
  return (jlong) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Address of a direct buffer with at least need bytes, or NULL. */
static char *direct(JNIEnv *env, jobject buffer, jint need) {
  if (buffer == NULL || need < 0) {
    return NULL;
  }
  char *p = (char *) (*env)->GetDirectBufferAddress(env, buffer);
  jlong cap = (*env)->GetDirectBufferCapacity(env, buffer);
  return p != NULL && cap >= need ? p : NULL;
}

/* One system call on a direct buffer, repeated while a signal interrupts it; bytes or -errno. */
#define RETRY_ON_EINTR(call)              \
  for (;;) {                              \
    ssize_t n = (call);                   \
    if (n >= 0) {                         \
      return (jint) n;                    \
    }                                     \
    if (errno != EINTR) {                 \
      return -errno;                      \
    }                                     \
  }

/* int send0(int fd, ByteBuffer request, int length): one datagram to the kernel (netlink pid 0). */
JNIEXPORT jint JNICALL Java_dev_rainbarrel_net_SockDiagJni_send0(JNIEnv *env, jclass cls, jint fd,
                                                                 jobject request, jint length) {
  (void) cls;
  char *p = direct(env, request, length);
  if (p == NULL) {
    return -EINVAL;
  }
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  RETRY_ON_EINTR(sendto(fd, p, (size_t) length, 0, (struct sockaddr *) &kernel, sizeof kernel))
}

/* int recv0(int fd, ByteBuffer into, int capacity): one datagram of the answer. */
JNIEXPORT jint JNICALL Java_dev_rainbarrel_net_SockDiagJni_recv0(JNIEnv *env, jclass cls, jint fd,
                                                                 jobject into, jint capacity) {
  (void) cls;
  char *p = direct(env, into, capacity);
  if (p == NULL) {
    return -EINVAL;
  }
  RETRY_ON_EINTR(recv(fd, p, (size_t) capacity, 0))
}

/* int close0(int fd) */
JNIEXPORT jint JNICALL Java_dev_rainbarrel_net_SockDiagJni_close0(JNIEnv *env, jclass cls, jint fd) {
  (void) env;
  (void) cls;
  return close(fd) == 0 ? 0 : -errno;
}
