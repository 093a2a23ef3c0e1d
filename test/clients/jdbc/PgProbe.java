// PgProbe: one connection with pgjdbc (Java's SunJSSE), one line out.
//
//   java -cp /usr/share/java/postgresql.jar PgProbe.java 'JDBC-URL'
//
// (the JDK 11+ source launcher: no separate compile step).  Prints
//
//   ok<TAB>VERSION<TAB>CIPHER<TAB>CURRENT_USER
//   error<TAB>MESSAGE
//
// where MESSAGE is the exception's message followed by those of its causes
// (" | "-separated; tabs and newlines replaced by spaces), and exits 0
// either way; exit 2 means a usage error.

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

public class PgProbe {
    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PgProbe JDBC-URL");
            System.exit(2);
        }
        try (Connection c = DriverManager.getConnection(args[0]);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version, cipher, current_user::text"
                     + " FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            r.next();
            System.out.println("ok\t" + r.getString(1) + "\t" + r.getString(2) + "\t" + r.getString(3));
        } catch (Exception e) {
            StringBuilder m = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (m.length() > 0)
                    m.append(" | ");
                m.append(clean(t.getMessage() != null ? t.getMessage() : t.getClass().getName()));
                if (t.getCause() == t)
                    break;
            }
            System.out.println("error\t" + m);
        }
    }
}
