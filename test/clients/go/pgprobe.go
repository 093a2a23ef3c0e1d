// pgprobe: one connection with lib/pq (Go's crypto/tls), one line out.
//
//	pgprobe 'CONNINFO'
//
// CONNINFO is a libpq-style key=value string (lib/pq parses it itself:
// sslmode, sslrootcert, sslcert, sslkey, ...).  Prints
//
//	ok<TAB>VERSION<TAB>CIPHER<TAB>CURRENT_USER
//	error<TAB>MESSAGE
//
// (tabs and newlines in MESSAGE replaced by spaces) and exits 0 either way;
// exit 2 means a usage error.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"

	_ "github.com/lib/pq"
)

func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(s)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pgprobe CONNINFO")
		os.Exit(2)
	}
	db, err := sql.Open("postgres", os.Args[1])
	if err != nil {
		fmt.Printf("error\t%s\n", clean(err.Error()))
		return
	}
	defer db.Close()
	var version, cipher, user string
	err = db.QueryRow(`SELECT version, cipher, current_user::text
		FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&version, &cipher, &user)
	if err != nil {
		fmt.Printf("error\t%s\n", clean(err.Error()))
		return
	}
	fmt.Printf("ok\t%s\t%s\t%s\n", version, cipher, user)
}
