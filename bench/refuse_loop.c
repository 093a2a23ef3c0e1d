/*
 * refuse_loop.c: a TLS client that PostgreSQL refuses, as often as it can,
 * for make bench's row 3b (bench/refusals.sh).
 *
 *   refuse_loop HOST PORT SECONDS [CLIENTS]
 *
 * CLIENTS processes (default 1), forked once at the start, each repeat for
 * SECONDS (0: exactly one attempt each; bench/callgrind.sh's row 5d):
 * connect over TCP, send PostgreSQL's SSLRequest (8 bytes: length
 * 8 and code 80877103, big-endian), read the server's 'S', then start a TLS
 * handshake that offers TLS 1.3 only.  Against a server whose
 * ssl_max_protocol_version is TLSv1.2 the handshake fails with the server's
 * protocol_version alert: a refusal of the cheapest kind, decided from the
 * ClientHello's version alone.  Each attempt then reads until the server
 * closes the connection (its backend has ended), so an attempt lasts from
 * connect to the refusing backend's close and the server's TIME_WAIT, not
 * the client's, takes the connection.
 *
 * An attempt that ends in any other way (the handshake succeeds, another
 * alert or error, no 'S', a timeout of 10 s) stops the run: exit status 1,
 * the reason on stderr.  So a server that is not limited to TLS 1.2, or a
 * refusal that hangs, cannot pass for a measurement.
 *
 * Output, one line: ATTEMPTS RATE, the refused attempts of all clients and
 * their sum of attempts per second (each client's count over the time from
 * the common start to the end of its last attempt).
 *
 * Built by bench/refusals.sh: gcc -O2 -o refuse_loop refuse_loop.c -lssl
 * -lcrypto.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_CLIENTS 64
#define ATTEMPT_TIMEOUT_S 10

typedef struct ClientResult
{
	long		attempts;
	double		elapsed;
	int			failed;
} ClientResult;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
print_ssl_errors(const char *what)
{
	unsigned long code;
	char		buf[256];

	fprintf(stderr, "refuse_loop: %s\n", what);
	while ((code = ERR_get_error()) != 0)
	{
		ERR_error_string_n(code, buf, sizeof(buf));
		fprintf(stderr, "refuse_loop:   %s\n", buf);
	}
}

/*
 * One attempt.  Returns true when the server refused it with a
 * protocol_version alert and then closed the connection.
 */
static bool
attempt(SSL_CTX *context, const struct sockaddr_in *server)
{
	static const unsigned char ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	struct timeval timeout = {ATTEMPT_TIMEOUT_S, 0};
	int			one = 1;
	int			fd;
	char		answer;
	char		rest[256];
	SSL		   *ssl;
	int			rc;
	unsigned long code;
	bool		ok = false;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
	{
		perror("refuse_loop: socket");
		return false;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *) server, sizeof(*server)) != 0)
	{
		perror("refuse_loop: connect");
		close(fd);
		return false;
	}
	if (write(fd, ssl_request, sizeof(ssl_request)) != sizeof(ssl_request))
	{
		perror("refuse_loop: sending the SSLRequest");
		close(fd);
		return false;
	}
	rc = read(fd, &answer, 1);
	if (rc != 1 || answer != 'S')
	{
		if (rc < 0)
			perror("refuse_loop: reading the answer to the SSLRequest");
		else
			fprintf(stderr, "refuse_loop: the server did not answer the SSLRequest with 'S' (%s)\n",
					rc == 0 ? "connection closed" : "another byte");
		close(fd);
		return false;
	}

	ssl = SSL_new(context);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1)
	{
		print_ssl_errors("SSL_new or SSL_set_fd failed");
		SSL_free(ssl);
		close(fd);
		return false;
	}
	rc = SSL_connect(ssl);
	code = ERR_peek_last_error();
	if (rc == 1)
		fprintf(stderr, "refuse_loop: the TLS 1.3 handshake succeeded: is the server's ssl_max_protocol_version TLSv1.2?\n");
	else if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
			 ERR_GET_REASON(code) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
		ok = true;
	else
		print_ssl_errors("the handshake failed, but not with the server's protocol_version alert");
	ERR_clear_error();
	SSL_free(ssl);

	/* wait for the server to close: its backend has ended */
	while (ok)
	{
		ssize_t		n = read(fd, rest, sizeof(rest));

		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			break;
		if (n < 0)
		{
			perror("refuse_loop: waiting for the server to close");
			ok = false;
		}
	}
	close(fd);
	return ok;
}

static void
run_client(const struct sockaddr_in *server, double start, double deadline,
		   int result_fd)
{
	SSL_CTX    *context;
	ClientResult result = {0, 0.0, 0};
	double		end = start;

	context = SSL_CTX_new(TLS_client_method());
	if (context == NULL ||
		SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION) != 1 ||
		SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1)
	{
		print_ssl_errors("cannot make a TLS 1.3-only client context");
		result.failed = 1;
	}
	else
	{
		SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
		while (result.attempts == 0 || now_seconds() < deadline)
		{
			if (!attempt(context, server))
			{
				result.failed = 1;
				break;
			}
			result.attempts++;
			end = now_seconds();
			if (deadline <= start)
				break;
		}
	}
	result.elapsed = end - start;
	if (write(result_fd, &result, sizeof(result)) != sizeof(result))
		_exit(1);
	_exit(result.failed);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in server;
	struct addrinfo hints;
	struct addrinfo *found;
	double		seconds;
	double		start;
	double		rate = 0.0;
	long		attempts = 0;
	int			clients = 1;
	int			pipe_fds[2];
	int			failed = 0;
	int			i;
	int			rc;

	if (argc < 4 || argc > 5)
	{
		fprintf(stderr, "usage: refuse_loop HOST PORT SECONDS [CLIENTS]\n");
		return 2;
	}
	seconds = atof(argv[3]);
	if (argc == 5)
		clients = atoi(argv[4]);
	if (seconds < 0 || clients < 1 || clients > MAX_CLIENTS)
	{
		fprintf(stderr, "refuse_loop: SECONDS must be 0 or more, CLIENTS 1 to %d\n", MAX_CLIENTS);
		return 2;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(argv[1], argv[2], &hints, &found);
	if (rc != 0)
	{
		fprintf(stderr, "refuse_loop: %s:%s: %s\n", argv[1], argv[2], gai_strerror(rc));
		return 2;
	}
	memcpy(&server, found->ai_addr, sizeof(server));
	freeaddrinfo(found);

	if (pipe(pipe_fds) != 0)
	{
		perror("refuse_loop: pipe");
		return 1;
	}
	fflush(NULL);
	start = now_seconds();
	for (i = 0; i < clients; i++)
	{
		pid_t		pid = fork();

		if (pid < 0)
		{
			perror("refuse_loop: fork");
			return 1;
		}
		if (pid == 0)
		{
			close(pipe_fds[0]);
			run_client(&server, start, start + seconds, pipe_fds[1]);
		}
	}
	close(pipe_fds[1]);
	for (i = 0; i < clients; i++)
	{
		ClientResult result;

		if (read(pipe_fds[0], &result, sizeof(result)) != sizeof(result))
		{
			failed = 1;
			continue;
		}
		failed |= result.failed;
		attempts += result.attempts;
		if (result.elapsed > 0)
			rate += result.attempts / result.elapsed;
	}
	for (i = 0; i < clients; i++)
	{
		int			status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	if (failed)
	{
		fprintf(stderr, "refuse_loop: stopped: an attempt was not refused as expected (%ld refused before)\n",
				attempts);
		return 1;
	}
	printf("%ld %.1f\n", attempts, rate);
	return 0;
}
