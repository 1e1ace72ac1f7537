// The explorer's HTML shell. Everything else is drawn by app.js from catalogue.json; no inline script or style,
// so the page runs under a strict Content-Security-Policy.

export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>localrds API explorer</title>
<link rel="stylesheet" href="app.css">
<script defer src="app.js"></script>
</head>
<body>
<noscript><p>The localrds API explorer needs JavaScript. The catalogue is also available as <a href="catalogue.json">catalogue.json</a>.</p></noscript>
<div id="app" aria-busy="true"></div>
</body>
</html>
`;

export function unavailablePage(reason: string): string {
  const text = reason.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>localrds API explorer</title></head>`
    + `<body><h1>The API explorer is unavailable</h1><p>${text}</p>`
    + '<p>The API itself is unaffected; <a href="catalogue.json">catalogue.json</a> still lists every operation and error code.</p></body></html>';
}
