// pgprobe.js: one connection with node-postgres (npm "pg", Node's TLS on
// OpenSSL), one line out.
//
//   node pgprobe.js 'JSON'
//
// JSON holds pg.Client's options; its "ssl" object takes file names in
// "ca", "cert" and "key" (read here) and anything else tls.connect()
// accepts ("ciphers", "maxVersion", "servername", ...).  Prints
//
//   ok<TAB>VERSION<TAB>CIPHER<TAB>CURRENT_USER
//   error<TAB>MESSAGE
//
// (tabs and newlines in MESSAGE replaced by spaces) and exits 0 either way;
// exit 2 means a usage error.
'use strict';

const fs = require('fs');
const { Client } = require('pg');

function clean(s) {
	return String(s).replace(/[\t\r\n]/g, ' ');
}

async function main() {
	if (process.argv.length !== 3) {
		console.error('usage: node pgprobe.js JSON');
		process.exit(2);
	}
	const opts = JSON.parse(process.argv[2]);
	if (opts.ssl && typeof opts.ssl === 'object') {
		for (const k of ['ca', 'cert', 'key']) {
			if (typeof opts.ssl[k] === 'string')
				opts.ssl[k] = fs.readFileSync(opts.ssl[k]);
		}
	}
	const client = new Client(opts);
	client.on('error', () => {});	// reported through connect()/query()
	try {
		await client.connect();
		const r = await client.query(
			'SELECT version, cipher, current_user::text AS usr FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
		const row = r.rows[0];
		console.log(`ok\t${row.version}\t${row.cipher}\t${row.usr}`);
	} catch (e) {
		console.log(`error\t${clean(e && e.message ? e.message : e)}`);
	} finally {
		try { await client.end(); } catch (e) { /* already gone */ }
	}
}

main();
