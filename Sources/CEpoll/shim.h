// epoll(7) and eventfd(2), which Glibc's Swift module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
