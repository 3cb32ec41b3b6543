// A stand-in web browser for sign-in tests: `xdg-open` runs it (through $BROWSER) with the
// authorize URL; it follows redirects (Entra's 302 to the app's loopback listener) like a browser
// whose user is already signed in. The emulator's certificate comes from NODE_EXTRA_CA_CERTS.
import http from 'node:http';
import https from 'node:https';

function get(url, hops = 0) {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    client
      .get(url, (res) => {
        res.resume();
        const location = res.headers.location;
        if (res.statusCode >= 300 && res.statusCode < 400 && location && hops < 10) {
          resolve(get(new URL(location, url).toString(), hops + 1));
        } else {
          res.on('end', () => resolve(res.statusCode));
        }
      })
      .on('error', reject);
  });
}

get(process.argv[2]).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`fake browser: ${err.message}\n`);
    process.exit(1);
  },
);
