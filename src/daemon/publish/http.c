/* http.c - see http.h. The parser walks the head once, line by line, and
 * rejects at the first byte the grammar does not allow. */
#include "http.h"

#include <string.h>

/* RFC 9110 tchar: the characters of a method or header name. */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* field-value bytes: VCHAR, SP, HTAB, obs-text */
static bool is_field_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

/* request-target bytes (origin-form): visible ASCII */
static bool is_target_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* Finds the end of the line starting at p: returns the length of the line
 * content and sets *eol_len (1 for LF, 2 for CRLF); -1 when no line end yet,
 * -2 on a bare CR or a byte no head may hold (NUL, controls, DEL), so that
 * binary garbage is refused at once rather than waited for. */
static long line_length(const char *p, size_t avail, size_t *eol_len)
{
	for (size_t i = 0; i < avail; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return -2;
		if (c == '\n') {
			*eol_len = 1;
			return (long)i;
		}
		if (p[i] == '\r') {
			if (i + 1 == avail)
				return -1;
			if (p[i + 1] != '\n')
				return -2;
			*eol_len = 2;
			return (long)i;
		}
	}
	return -1;
}

static int parse_request_line(const char *s, size_t n, struct http_request *req)
{
	size_t i = 0, m, t;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ')
		return 400;
	m = i;
	t = ++i;
	while (i < n && is_target_byte((unsigned char)s[i]))
		i++;
	if (i - t >= HTTP_MAX_TARGET)
		return 414;
	if (i == t || i >= n || s[i] != ' ' || s[t] != '/')
		return 400;
	memcpy(req->path, s + t, i - t);
	req->path[i - t] = '\0';
	req->path[strcspn(req->path, "?")] = '\0';
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/", 5) || s[i + 6] != '.' ||
	    s[i + 5] < '0' || s[i + 5] > '9' || s[i + 7] < '0' || s[i + 7] > '9')
		return 400;
	if (s[i + 5] != '1')
		return 505;
	req->minor_version = s[i + 7] - '0';
	if (m == 3 && !memcmp(s, "GET", 3))
		req->method = HTTP_GET;
	else if (m == 4 && !memcmp(s, "HEAD", 4))
		req->method = HTTP_HEAD;
	else
		return 405;
	return 200;
}

static int parse_header_line(const char *s, size_t n)
{
	size_t i = 0;

	/* obs-fold (a continuation line) is rejected, as RFC 9112 allows */
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return 400;
	for (i++; i < n; i++)
		if (!is_field_byte((unsigned char)s[i]))
			return 400;
	return 200;
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	size_t pos = 0, eol = 0;
	int nr_headers = 0, status;
	long n;

	memset(req, 0, sizeof(*req));
	if (len > HTTP_MAX_HEAD)
		len = HTTP_MAX_HEAD;
	/* RFC 9112 2.2: ignore at least one empty line before the request-line */
	if (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
		pos = 2;
	else if (len >= 1 && buf[0] == '\n')
		pos = 1;
	n = line_length(buf + pos, len - pos, &eol);
	if (n == -2)
		return 400;
	if (n < 0)
		return len == HTTP_MAX_HEAD ? 431 : 0;
	status = parse_request_line(buf + pos, (size_t)n, req);
	if (status != 200)
		return status;
	pos += (size_t)n + eol;
	for (;;) {
		n = line_length(buf + pos, len - pos, &eol);
		if (n == -2)
			return 400;
		if (n < 0)
			return len == HTTP_MAX_HEAD ? 431 : 0;
		if (n == 0) {
			req->head_len = pos + eol;
			return 200;
		}
		if (++nr_headers > HTTP_MAX_HEADERS)
			return 431;
		status = parse_header_line(buf + pos, (size_t)n);
		if (status != 200)
			return status;
		pos += (size_t)n + eol;
	}
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

bool http_respond(struct textbuf *out, int status, const struct http_request *req,
		  const char *metrics, size_t metrics_len)
{
	static const char index_body[] = "oomkit: metrics at /metrics\n";
	const char *type = "text/plain; charset=utf-8", *body;
	size_t body_len;
	bool head = req && req->method == HTTP_HEAD;

	if (status == 200 && req && !strcmp(req->path, "/metrics")) {
		type = "text/plain; version=0.0.4; charset=utf-8";
		body = metrics ? metrics : "";
		body_len = metrics ? metrics_len : 0;
	} else if (status == 200 && req && !strcmp(req->path, "/")) {
		body = index_body;
		body_len = sizeof(index_body) - 1;
	} else {
		if (status == 200)
			status = 404;
		body = http_reason(status);
		body_len = strlen(body);
	}
	textbuf_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", status,
		       http_reason(status), type, body_len);
	if (status == 405)
		textbuf_printf(out, "Allow: GET, HEAD\r\n");
	textbuf_printf(out, "Connection: close\r\nCache-Control: no-store\r\n\r\n");
	if (!head)
		textbuf_append(out, body, body_len);
	return !out->truncated;
}
