/**
 * The URL as logged: a query string that names a password or an accounts call, however the
 * path is spelled or encoded (`auth%2EsignIn`, `/API//auth/`), is dropped, since a client that
 * sends a password as `?input=` or `?password=` (answered 405 or 404) must not have it written to
 * the log.
 */
export function loggedUrl(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  // Most URLs hold neither word nor an escape: no decoding for them (this runs on every request).
  if (!url.includes("%") && !/auth|passw/i.test(url)) return url;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url).toLowerCase();
  } catch {
    decoded = url.toLowerCase();
  }
  if (!/auth|passw/.test(decoded)) return url;
  return `${url.slice(0, query)}?[redacted]`;
}
