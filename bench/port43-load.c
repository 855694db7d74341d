/*
 * The port-43 load generator: keeps CONCURRENCY queries in flight from one thread with
 * non-blocking sockets and epoll (connect, send one message, read to the server's close, repeat)
 * for DURATION_MS. It writes every latency (milliseconds, native float64) to LATENCIES_OUT and
 * prints one JSON line: queries, errors, seconds, cpuMs (its own CPU time) and emptyPollsMs (time
 * in polls that found nothing).
 *
 * Why C: one query per connection is mostly kernel work, and Node's per-socket machinery made the
 * load generator cost more CPU per query than the servers it measured (measured side by side:
 * 86-106 µs a query, the bare server 72-78 µs; on two shared cores the generator then decides the
 * figures). This one costs about what the bare server does (33-40 µs a query against 33-39 µs, in
 * the same runs), nearly all of it the kernel's TCP work for both ends of each loopback connection: the
 * handshake runs inside its connect(), the server's TIME_WAIT inside its close(). It keeps up with
 * rdds with time to spare (the table's "working" column). bench/port43-load.ts compiles and runs it.
 *
 *   port43-load PORT CONCURRENCY DURATION_MS QUERIES_FILE PREAMBLES_FILE|- LATENCIES_OUT
 *
 * Message n is preamble[n % P] followed by query[n % Q] (no preamble with "-"); each file holds
 * one item a line, each line ending in LF, which is sent as CRLF.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A connection that has not finished this long after the deadline is counted as an error. */
#define LATE_MS 10000.0
/* This many failures in a row, without one answer between them: the server is not there. */
#define GIVE_UP_AFTER 1000

struct list {
  char **items;
  size_t *lengths;
  size_t count;
};

struct conn {
  int fd;
  int failed; /* connect() failed at once */
  int sent; /* the message has been written */
  size_t bytes; /* answer bytes read */
  double started;
  char *message;
  size_t length;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

/* Reads one item a line; each item gets CRLF in place of its LF. */
static struct list read_list(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) die(path);
  struct list l = {0};
  size_t cap = 0;
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  while ((len = getline(&line, &n, f)) > 0) {
    if (line[len - 1] == '\n') len--;
    if (l.count == cap) {
      cap = cap ? cap * 2 : 1024;
      l.items = realloc(l.items, cap * sizeof *l.items);
      l.lengths = realloc(l.lengths, cap * sizeof *l.lengths);
      if (!l.items || !l.lengths) die("realloc");
    }
    char *item = malloc(len + 2);
    if (!item) die("malloc");
    memcpy(item, line, len);
    item[len] = '\r';
    item[len + 1] = '\n';
    l.items[l.count] = item;
    l.lengths[l.count++] = len + 2;
  }
  free(line);
  fclose(f);
  if (l.count == 0) {
    fprintf(stderr, "%s: no lines\n", path);
    exit(2);
  }
  return l;
}

static struct sockaddr_in server;
static struct list queries, preambles;
static int epfd;
static unsigned long next_message;
static double *latencies;
static size_t latency_count, latency_cap;
static unsigned long errors;
static unsigned long failures_in_a_row;
/* Time in polls that found nothing: the generator's CPU time less this is its work. */
static double empty_polls_ms;
/* When the last connection ended: the run's length (not the wait for late ones). */
static double last_end;

static void record(double ms) {
  if (latency_count == latency_cap) {
    latency_cap = latency_cap ? latency_cap * 2 : 65536;
    latencies = realloc(latencies, latency_cap * sizeof *latencies);
    if (!latencies) die("realloc");
  }
  latencies[latency_count++] = ms;
}

/* Opens connection c for the next message; the connect completes in the event loop. */
static void start(struct conn *c) {
  unsigned long n = next_message++;
  size_t ql = queries.lengths[n % queries.count];
  size_t pl = preambles.count ? preambles.lengths[n % preambles.count] : 0;
  c->message = realloc(c->message, pl + ql);
  if (!c->message) die("realloc");
  if (pl) memcpy(c->message, preambles.items[n % preambles.count], pl);
  memcpy(c->message + pl, queries.items[n % queries.count], ql);
  c->length = pl + ql;
  c->sent = 0;
  c->bytes = 0;
  c->started = now_ms();
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket");
  /* No TCP_NODELAY: the query is the only write, and Nagle never holds a first segment. */
  /* Refused at once (the server is gone): counted as an error at the first event. */
  c->failed = connect(c->fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS;
  /* Edge-triggered, both ways at once: writable (connected), then readable (the answer), with
   * no epoll_ctl between them. */
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLET, .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
}

/* Ends connection c: a latency if an answer came, an error if not. */
static void finish(struct conn *c, int ok) {
  last_end = now_ms();
  if (ok && c->bytes > 0) {
    record(last_end - c->started);
    failures_in_a_row = 0;
  } else {
    errors++;
    if (++failures_in_a_row >= GIVE_UP_AFTER) {
      fprintf(stderr, "port43-load: %d connections in a row failed; is the server on port %d?\n", GIVE_UP_AFTER, ntohs(server.sin_port));
      exit(1);
    }
  }
  close(c->fd); /* also takes it out of the epoll set */
  c->fd = -1;
}

/* Handles readiness on c; returns 1 when the connection is over. */
static int step(struct conn *c, unsigned events) {
  if (!c->sent) {
    /* A failed connect shows as EPOLLERR; a query is a few dozen bytes, so one write takes it
     * whole on a fresh connection. */
    if (c->failed || (events & EPOLLERR) || send(c->fd, c->message, c->length, MSG_NOSIGNAL) != (ssize_t)c->length) {
      finish(c, 0);
      return 1;
    }
    /*
     * No shutdown(SHUT_WR) after the query, as whois(1) does not either: the server closes first
     * and keeps the TIME_WAIT. A half-close made this side close first, and its 28,000 ephemeral
     * ports then filled with TIME_WAITs at thousands of connections a second: every connect()
     * searched them for a reusable port (68 µs a query in this process, more than the bare server
     * it measured) and p99 latencies reached 40-90 ms for every server alike.
     */
    c->sent = 1;
    /* A server that wrote before reading (a refusal) used this edge already: read it now. */
    if (!(events & (EPOLLIN | EPOLLHUP))) return 0;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n > 0) {
      c->bytes += n;
      continue;
    }
    if (n == 0) {
      finish(c, 1);
      return 1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return (events & (EPOLLERR | EPOLLHUP)) ? (finish(c, 0), 1) : 0;
    if (errno == EINTR) continue;
    finish(c, 0);
    return 1;
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s PORT CONCURRENCY DURATION_MS QUERIES_FILE PREAMBLES_FILE|- LATENCIES_OUT\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int concurrency = atoi(argv[2]);
  double duration = atof(argv[3]);
  if (port <= 0 || port > 65535 || concurrency <= 0 || duration <= 0) {
    fprintf(stderr, "port43-load: bad PORT, CONCURRENCY or DURATION_MS\n");
    return 2;
  }
  queries = read_list(argv[4]);
  if (strcmp(argv[5], "-") != 0) preambles = read_list(argv[5]);
  signal(SIGPIPE, SIG_IGN);
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  struct conn *conns = calloc(concurrency, sizeof *conns);
  if (!conns) die("calloc");

  double started = now_ms();
  double deadline = started + duration;
  int active = concurrency;
  for (int i = 0; i < concurrency; i++) start(&conns[i]);

  struct epoll_event events[256];
  while (active > 0) {
    /* Polls without sleeping. Over loopback a server's write runs the client's side of TCP in the
     * server's own system call, and waking a client asleep in epoll_wait is the dearest part of it
     * on a virtual machine (measured: 25-30% of rdds's CPU per query, 12% of the bare server's;
     * the slower server leaves the client asleep more often). A client on another machine costs a
     * server no wakeup: a client that never sleeps keeps that cost out of the servers' figures,
     * and the generator's CPU is one core by design. */
    double polled = now_ms();
    int n = epoll_wait(epfd, events, 256, 0);
    if (n == 0) empty_polls_ms += now_ms() - polled;
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (!step(c, events[i].events)) continue;
      if (now_ms() < deadline) start(c);
      else active--;
    }
    if (now_ms() > deadline + LATE_MS) {
      /* Stalled: errors, and the run ends when the others did (the wait is not part of it). */
      for (int i = 0; i < concurrency; i++) {
        if (conns[i].fd >= 0) {
          errors++;
          close(conns[i].fd);
          conns[i].fd = -1;
          active--;
        }
      }
    }
  }
  double seconds = (last_end > started ? last_end - started : duration) / 1e3;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
  FILE *out = fopen(argv[6], "wb");
  if (!out || fwrite(latencies, sizeof *latencies, latency_count, out) != latency_count || fclose(out) != 0) die(argv[6]);
  printf("{\"queries\":%zu,\"errors\":%lu,\"seconds\":%.6f,\"cpuMs\":%.3f,\"emptyPollsMs\":%.3f}\n", latency_count, errors, seconds, cpu_ms, empty_polls_ms);
  return 0;
}
