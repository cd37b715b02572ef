/**
 * The headers every answer carries, errors and 404s included: no answer of
 * Tessera is a page, so a browser is told not to sniff a type from it
 * (a JSON body read as HTML), not to frame it (clickjacking), to run or load
 * nothing from it, and not to pass its URL on as a referrer. These are the
 * values the OWASP Secure Headers project gives for APIs; `X-Frame-Options`
 * stays beside `frame-ancestors` for browsers that know only the older one.
 * Caching is decided per answer: every answer that holds a token is
 * `no-store` (see `no-store.ts`), every error too, and the JWKS is public.
 */
export const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
} as const;
