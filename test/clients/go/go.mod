module sslinfo_ext/pgprobe

go 1.19

require github.com/lib/pq v1.10.7

// Debian's golang-github-lib-pq-dev: built offline (GOPROXY=off).
replace github.com/lib/pq => /usr/share/gocode/src/github.com/lib/pq
